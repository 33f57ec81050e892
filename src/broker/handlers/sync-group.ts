// SyncGroup: the leader sends every member's assignment, the others an empty list; the coordinator
// holds each answer until the leader's assignment is stored, then hands every member its own bytes
// (src/groups/membership.ts). v3+ carry groupInstanceId; v5+ protocolType/protocolName both ways
// (checked against the group's when given).
import {
  decodeSyncGroupRequest, encodeSyncGroupResponse, ErrorCode, syncGroupApi, type SyncGroupRequest, type SyncGroupResponse
} from '../../protocol/index.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'

const FIRST_VERSION_WITH_PROTOCOL = 5

export const syncGroupHandler = defineHandler<SyncGroupRequest, SyncGroupResponse>({
  api: syncGroupApi,
  decode: decodeSyncGroupRequest,
  encode: encodeSyncGroupResponse,
  async handle (request, context) {
    const { broker, apiVersion } = context
    // With an authorizer, READ on the group.
    if (!allowed(context, AclOperation.READ, ResourceType.GROUP, request.groupId)) {
      return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) }
    }
    const result = await broker.groups.syncGroup(request.groupId, {
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      protocolType: request.protocolType,
      protocolName: request.protocolName,
      // Copies: the request's bytes are views into the socket's read buffer, and assignments outlive it.
      assignments: new Map(request.assignments.map(a => [a.memberId, Buffer.from(a.assignment)]))
    })
    const withProtocol = apiVersion >= FIRST_VERSION_WITH_PROTOCOL
    return {
      errorCode: result.errorCode,
      protocolType: withProtocol ? result.protocolType : null,
      protocolName: withProtocol ? result.protocolName : null,
      assignment: result.assignment
    }
  }
})
