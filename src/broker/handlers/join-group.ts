// JoinGroup: hands the request to the group coordinator, which parks it until the rebalance's join
// phase completes (src/groups/join.ts). Version differences:
//   v0 has no rebalance timeout: the session timeout is used for both (as Kafka).
//   v4+ dynamic members get MEMBER_ID_REQUIRED on a first join (KIP-394); v0–v3 never do, since
//   kafka-python 2.0.2 (v2) cannot handle it.
//   v7+ answer protocolType and a nullable protocolName; before, an absent name is "".
//   v9+ may answer skipAssignment to a static leader that rejoined a stable group.
import {
  decodeJoinGroupRequest, encodeJoinGroupResponse, ErrorCode, joinGroupApi, type JoinGroupRequest, type JoinGroupResponse
} from '../../protocol/index.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'

const FIRST_VERSION_WITH_REBALANCE_TIMEOUT = 1
const FIRST_VERSION_REQUIRING_MEMBER_ID = 4
const FIRST_VERSION_WITH_PROTOCOL_TYPE = 7
const FIRST_VERSION_WITH_SKIP_ASSIGNMENT = 9

export const joinGroupHandler = defineHandler<JoinGroupRequest, JoinGroupResponse>({
  api: joinGroupApi,
  decode: decodeJoinGroupRequest,
  encode: encodeJoinGroupResponse,
  async handle (request, context) {
    const { broker, apiVersion, clientId, connection } = context
    // With an authorizer, READ on the group.
    if (!allowed(context, AclOperation.READ, ResourceType.GROUP, request.groupId)) {
      return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, generationId: -1, protocolType: null, protocolName: apiVersion >= FIRST_VERSION_WITH_PROTOCOL_TYPE ? null : '', leader: '', skipAssignment: false, memberId: request.memberId, members: [] }
    }
    const result = await broker.groups.joinGroup({
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: apiVersion >= FIRST_VERSION_WITH_REBALANCE_TIMEOUT ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
      protocolType: request.protocolType,
      // Copies: the request's bytes are views into the socket's read buffer, and members outlive it.
      protocols: request.protocols.map(p => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
      clientId,
      clientHost: `/${connection.socket.remoteAddress ?? ''}`,
      requireKnownMemberId: apiVersion >= FIRST_VERSION_REQUIRING_MEMBER_ID && request.groupInstanceId === null,
      supportSkippingAssignment: apiVersion >= FIRST_VERSION_WITH_SKIP_ASSIGNMENT,
      reason: request.reason
    })
    const flexibleNames = apiVersion >= FIRST_VERSION_WITH_PROTOCOL_TYPE
    return {
      errorCode: result.errorCode,
      generationId: result.generationId,
      protocolType: flexibleNames ? result.protocolType : null,
      protocolName: flexibleNames ? result.protocolName : (result.protocolName ?? ''),
      leader: result.leader,
      skipAssignment: result.skipAssignment,
      memberId: result.memberId,
      members: result.members
    }
  }
})
