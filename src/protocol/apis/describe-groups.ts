// DescribeGroups · key 15 · v0–v5 · flexible from v5
//   v1 response +throttleTimeMs
//   v3 request +includeAuthorizedOperations · response +groups.authorizedOperations
//   v4 response +members.groupInstanceId
//   v5 flexible
//   Not supported: nothing in the spec range. Plan: platformatic implements v5 only.
import type { DescribeGroupsRequest, DescribeGroupsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const describeGroupsApi = registerApi({ key: 15, name: 'DescribeGroups', minVersion: 0, maxVersion: 5, flexibleFrom: 5 })

const codec = apiCodec<DescribeGroupsRequest, DescribeGroupsResponse>(describeGroupsApi)
export const decodeDescribeGroupsRequest = codec.decodeRequest
export const encodeDescribeGroupsResponse = codec.encodeResponse
export const encodeDescribeGroupsRequest = codec.encodeRequest
export const decodeDescribeGroupsResponse = codec.decodeResponse
