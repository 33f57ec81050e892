// DeleteGroups · key 42 · v0–v2 · flexible from v2
//   v2 flexible
//   Not supported: nothing in the spec range.
import type { DeleteGroupsRequest, DeleteGroupsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const deleteGroupsApi = registerApi({ key: 42, name: 'DeleteGroups', minVersion: 0, maxVersion: 2, flexibleFrom: 2 })

const codec = apiCodec<DeleteGroupsRequest, DeleteGroupsResponse>(deleteGroupsApi)
export const decodeDeleteGroupsRequest = codec.decodeRequest
export const encodeDeleteGroupsResponse = codec.encodeResponse
export const encodeDeleteGroupsRequest = codec.encodeRequest
export const decodeDeleteGroupsResponse = codec.decodeResponse
