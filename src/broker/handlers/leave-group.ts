// LeaveGroup: v0–v2 name one member and answer one error code (the first error, as Kafka);
// v3+ batch members by identity (member id, or only the group.instance.id for an administrative
// removal of a static member) with an error per member; v5+ add a reason per member.
import {
  decodeLeaveGroupRequest, encodeLeaveGroupResponse, ErrorCode, leaveGroupApi, type LeaveGroupRequest, type LeaveGroupResponse
} from '../../protocol/index.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'

const FIRST_BATCHED_VERSION = 3

export const leaveGroupHandler = defineHandler<LeaveGroupRequest, LeaveGroupResponse>({
  api: leaveGroupApi,
  decode: decodeLeaveGroupRequest,
  encode: encodeLeaveGroupResponse,
  handle (request, context) {
    const { broker, apiVersion } = context
    // With an authorizer, READ on the group.
    if (!allowed(context, AclOperation.READ, ResourceType.GROUP, request.groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] }
    const batched = apiVersion >= FIRST_BATCHED_VERSION
    const leaving = batched
      ? request.members.map(m => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, reason: m.reason }))
      : [{ memberId: request.memberId, groupInstanceId: null, reason: null }]
    const result = broker.groups.leaveGroup(request.groupId, leaving)
    if (batched) return { errorCode: result.errorCode, members: result.members }
    const firstError = result.members.find(m => m.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE
    return { errorCode: result.errorCode !== ErrorCode.NONE ? result.errorCode : firstError }
  }
})
