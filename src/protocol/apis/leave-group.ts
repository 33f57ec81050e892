// LeaveGroup · key 13 · v0–v5 · flexible from v4
//   v1 response +throttleTimeMs
//   v3 request -memberId +members · response +members
//   v4 flexible
//   v5 request +members.reason
//   Not supported: nothing in the spec range. Plan: v3+ batched members.
import type { LeaveGroupRequest, LeaveGroupResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const leaveGroupApi = registerApi({ key: 13, name: 'LeaveGroup', minVersion: 0, maxVersion: 5, flexibleFrom: 4 })

const codec = apiCodec<LeaveGroupRequest, LeaveGroupResponse>(leaveGroupApi)
export const decodeLeaveGroupRequest = codec.decodeRequest
export const encodeLeaveGroupResponse = codec.encodeResponse
export const encodeLeaveGroupRequest = codec.encodeRequest
export const decodeLeaveGroupResponse = codec.decodeResponse
