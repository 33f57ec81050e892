// DeleteAcls · key 31 · v0–v3 · flexible from v2
//   v1 request +filters.patternTypeFilter · response +matchingAcls.patternType
//   v2 flexible
//   Without an authorizer (authorizer.class.name) every request is answered SECURITY_DISABLED, as Kafka does.
import type { DeleteAclsRequest, DeleteAclsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const deleteAclsApi = registerApi({ key: 31, name: 'DeleteAcls', minVersion: 0, maxVersion: 3, flexibleFrom: 2 })

const codec = apiCodec<DeleteAclsRequest, DeleteAclsResponse>(deleteAclsApi)
export const decodeDeleteAclsRequest = codec.decodeRequest
export const encodeDeleteAclsResponse = codec.encodeResponse
export const encodeDeleteAclsRequest = codec.encodeRequest
export const decodeDeleteAclsResponse = codec.decodeResponse
