// FindCoordinator: on a single node every group and transactional id is coordinated by this broker.
// v0–v3 ask for one key (v0 always a group); v4+ batch keys and answer each with its own error.
// An unknown key type is INVALID_REQUEST, as in Kafka. v0 stays served: librdkafka < 2.11 switches its
// consumer group off unless FindCoordinator v0 is advertised. As in Kafka, the first lookup of a group
// creates __consumer_offsets; the answer waits for it (COORDINATOR_NOT_AVAILABLE, retriable, if it fails).
import {
  decodeFindCoordinatorRequest, encodeFindCoordinatorResponse, ErrorCode, findCoordinatorApi, type FindCoordinatorRequest,
  type FindCoordinatorResponse, type FindCoordinatorResponseCoordinator, type MessageInput
} from '../../protocol/index.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler, type RequestContext } from '../handler.js'

const GROUP_KEY = 0
const TRANSACTION_KEY = 1
const FIRST_BATCHED_VERSION = 4

type CoordinatorAnswer = MessageInput<FindCoordinatorResponseCoordinator>

export const findCoordinatorHandler = defineHandler<FindCoordinatorRequest, FindCoordinatorResponse>({
  api: findCoordinatorApi,
  decode: decodeFindCoordinatorRequest,
  encode: encodeFindCoordinatorResponse,
  async handle (request, context) {
    const keyType = request.keyType
    const unavailable = keyType === GROUP_KEY ? await offsetsTopicFailure(context) : null
    if (context.apiVersion >= FIRST_BATCHED_VERSION) {
      return { coordinators: request.coordinatorKeys.map(key => coordinatorFor(key, keyType, context, unavailable)) }
    }
    const { errorCode, errorMessage, nodeId, host, port } = coordinatorFor(request.key, keyType, context, unavailable)
    return { errorCode, errorMessage, nodeId, host, port }
  }
})

/** Creates __consumer_offsets if needed; the reason it could not be, or null. */
async function offsetsTopicFailure ({ broker }: RequestContext): Promise<string | null> {
  try {
    await broker.groups.ensureOffsetsTopic()
    return null
  } catch (error) {
    broker.log.warn({ err: error }, 'could not create the offsets topic')
    return `The offsets topic could not be created: ${(error as Error).message}`
  }
}

function coordinatorFor (key: string, keyType: number, context: RequestContext, unavailable: string | null): CoordinatorAnswer {
  const { broker, connection } = context
  if (keyType !== GROUP_KEY && keyType !== TRANSACTION_KEY) {
    return { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown coordinator type ${keyType}` }
  }
  // With an authorizer, DESCRIBE on the group or the transactional id.
  if (keyType === GROUP_KEY && !allowed(context, AclOperation.DESCRIBE, ResourceType.GROUP, key)) {
    return { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null }
  }
  if (keyType === TRANSACTION_KEY && !allowed(context, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)) {
    return { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, errorMessage: null }
  }
  if (unavailable !== null) return { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: unavailable }
  return { key, nodeId: broker.nodeId, ...connection.advertised, errorCode: ErrorCode.NONE, errorMessage: null }
}
