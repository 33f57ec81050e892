// AlterConfigs · key 33 · v0–v2 · flexible from v2
//   v2 flexible
//   Not supported: nothing in the spec range.
import type { AlterConfigsRequest, AlterConfigsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const alterConfigsApi = registerApi({ key: 33, name: 'AlterConfigs', minVersion: 0, maxVersion: 2, flexibleFrom: 2 })

const codec = apiCodec<AlterConfigsRequest, AlterConfigsResponse>(alterConfigsApi)
export const decodeAlterConfigsRequest = codec.decodeRequest
export const encodeAlterConfigsResponse = codec.encodeResponse
export const encodeAlterConfigsRequest = codec.encodeRequest
export const decodeAlterConfigsResponse = codec.decodeResponse
