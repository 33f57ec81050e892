// JoinGroup · key 11 · v0–v9 · flexible from v6
//   v1 request +rebalanceTimeoutMs
//   v2 response +throttleTimeMs
//   v5 request +groupInstanceId · response +members.groupInstanceId
//   v6 flexible
//   v7 response +protocolType protocolName nullable
//   v8 request +reason
//   v9 response +skipAssignment
//   Not supported: nothing in the spec range. Plan: MEMBER_ID_REQUIRED only for v4+; v0 advertised for librdkafka<2.11.
import type { JoinGroupRequest, JoinGroupResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const joinGroupApi = registerApi({ key: 11, name: 'JoinGroup', minVersion: 0, maxVersion: 9, flexibleFrom: 6 })

const codec = apiCodec<JoinGroupRequest, JoinGroupResponse>(joinGroupApi)
export const decodeJoinGroupRequest = codec.decodeRequest
export const encodeJoinGroupResponse = codec.encodeResponse
export const encodeJoinGroupRequest = codec.encodeRequest
export const decodeJoinGroupResponse = codec.decodeResponse
