// Heartbeat: keeps a member's session alive and tells it whether to rejoin (REBALANCE_IN_PROGRESS).
// v3+ carry groupInstanceId (a fenced static member gets FENCED_INSTANCE_ID).
import {
  decodeHeartbeatRequest, encodeHeartbeatResponse, heartbeatApi, type HeartbeatRequest, type HeartbeatResponse
} from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const heartbeatHandler = defineHandler<HeartbeatRequest, HeartbeatResponse>({
  api: heartbeatApi,
  decode: decodeHeartbeatRequest,
  encode: encodeHeartbeatResponse,
  handle (request, { broker }) {
    const errorCode = broker.groups.heartbeat(request.groupId, {
      generationId: request.generationId, memberId: request.memberId, groupInstanceId: request.groupInstanceId
    })
    return { errorCode }
  }
})
