// ElectLeaders · key 43 · v0–v2 · flexible from v2
//   v1 request +electionType (v0 is always PREFERRED) · response +errorCode (top level)
//   v2 flexible
//   Not supported: nothing in the spec range.
import type { ElectLeadersRequest, ElectLeadersResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const electLeadersApi = registerApi({ key: 43, name: 'ElectLeaders', minVersion: 0, maxVersion: 2, flexibleFrom: 2 })

const codec = apiCodec<ElectLeadersRequest, ElectLeadersResponse>(electLeadersApi)
export const decodeElectLeadersRequest = codec.decodeRequest
export const encodeElectLeadersResponse = codec.encodeResponse
export const encodeElectLeadersRequest = codec.encodeRequest
export const decodeElectLeadersResponse = codec.decodeResponse
