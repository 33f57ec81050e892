// Heartbeat: keeps a member's session alive and tells it whether to rejoin (REBALANCE_IN_PROGRESS).
// v3+ carry groupInstanceId (a fenced static member gets FENCED_INSTANCE_ID).
import {
  decodeHeartbeatRequest, encodeHeartbeatResponse, ErrorCode, heartbeatApi, type HeartbeatRequest, type HeartbeatResponse
} from '../../protocol/index.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'

export const heartbeatHandler = defineHandler<HeartbeatRequest, HeartbeatResponse>({
  api: heartbeatApi,
  decode: decodeHeartbeatRequest,
  encode: encodeHeartbeatResponse,
  handle (request, context) {
    const { broker } = context
    // With an authorizer, READ on the group.
    if (!allowed(context, AclOperation.READ, ResourceType.GROUP, request.groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }
    const errorCode = broker.groups.heartbeat(request.groupId, {
      generationId: request.generationId, memberId: request.memberId, groupInstanceId: request.groupInstanceId
    })
    return { errorCode }
  }
})
