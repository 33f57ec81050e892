// CreateAcls · key 30 · v0–v3 · flexible from v2
//   v1 request +creations.resourcePatternType
//   v2 flexible
//   Without an authorizer (authorizer.class.name) every request is answered SECURITY_DISABLED, as Kafka does.
import type { CreateAclsRequest, CreateAclsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const createAclsApi = registerApi({ key: 30, name: 'CreateAcls', minVersion: 0, maxVersion: 3, flexibleFrom: 2 })

const codec = apiCodec<CreateAclsRequest, CreateAclsResponse>(createAclsApi)
export const decodeCreateAclsRequest = codec.decodeRequest
export const encodeCreateAclsResponse = codec.encodeResponse
export const encodeCreateAclsRequest = codec.encodeRequest
export const decodeCreateAclsResponse = codec.decodeResponse
