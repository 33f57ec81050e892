// FindCoordinator: on a single node every group and transactional id is coordinated by this broker.
// v0–v3 ask for one key (v0 always a group); v4+ batch keys and answer each with its own error.
// An unknown key type is INVALID_REQUEST, as in Kafka. v0 stays served: librdkafka < 2.11 switches its
// consumer group off unless FindCoordinator v0 is advertised.
import {
  decodeFindCoordinatorRequest, encodeFindCoordinatorResponse, ErrorCode, findCoordinatorApi, type FindCoordinatorRequest,
  type FindCoordinatorResponse, type FindCoordinatorResponseCoordinator, type MessageInput
} from '../../protocol/index.js'
import { defineHandler, type RequestContext } from '../handler.js'

const GROUP_KEY = 0
const TRANSACTION_KEY = 1
const FIRST_BATCHED_VERSION = 4

type CoordinatorAnswer = MessageInput<FindCoordinatorResponseCoordinator>

export const findCoordinatorHandler = defineHandler<FindCoordinatorRequest, FindCoordinatorResponse>({
  api: findCoordinatorApi,
  decode: decodeFindCoordinatorRequest,
  encode: encodeFindCoordinatorResponse,
  handle (request, context) {
    if (context.apiVersion >= FIRST_BATCHED_VERSION) {
      return { coordinators: request.coordinatorKeys.map(key => coordinatorFor(key, request.keyType, context)) }
    }
    const { errorCode, errorMessage, nodeId, host, port } = coordinatorFor(request.key, request.keyType, context)
    return { errorCode, errorMessage, nodeId, host, port }
  }
})

function coordinatorFor (key: string, keyType: number, { broker }: RequestContext): CoordinatorAnswer {
  if (keyType !== GROUP_KEY && keyType !== TRANSACTION_KEY) {
    return { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown coordinator type ${keyType}` }
  }
  return { key, nodeId: broker.nodeId, host: broker.advertised.host, port: broker.advertised.port, errorCode: ErrorCode.NONE, errorMessage: null }
}
