// ListGroups · key 16 · v0–v5 · flexible from v3
//   v1 response +throttleTimeMs
//   v3 flexible
//   v4 request +statesFilter · response +groups.groupState
//   v5 request +typesFilter · response +groups.groupType
//   Not supported: nothing in the spec range.
import type { ListGroupsRequest, ListGroupsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const listGroupsApi = registerApi({ key: 16, name: 'ListGroups', minVersion: 0, maxVersion: 5, flexibleFrom: 3 })

const codec = apiCodec<ListGroupsRequest, ListGroupsResponse>(listGroupsApi)
export const decodeListGroupsRequest = codec.decodeRequest
export const encodeListGroupsResponse = codec.encodeResponse
export const encodeListGroupsRequest = codec.encodeRequest
export const decodeListGroupsResponse = codec.decodeResponse
