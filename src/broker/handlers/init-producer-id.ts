// InitProducerId: a fresh producer id with epoch 0 for an idempotent producer (no transactional id);
// for a transactional id, its producer id with the epoch bumped, which fences older instances
// (src/txn/coordinator.ts). v3+ carry the caller's current id and epoch (KIP-360); PRODUCER_FENCED is
// known to clients from v4 on, older versions get INVALID_PRODUCER_EPOCH instead, as in Kafka.
import {
  ErrorCode, decodeInitProducerIdRequest, encodeInitProducerIdResponse, initProducerIdApi,
  type InitProducerIdRequest, type InitProducerIdResponse
} from '../../protocol/index.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed, anyAllowed, clusterAllowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'
import { fencedFor } from './txn-errors.js'

const FIRST_VERSION_WITH_FENCED = 4

export const initProducerIdHandler = defineHandler<InitProducerIdRequest, InitProducerIdResponse>({
  api: initProducerIdApi,
  decode: decodeInitProducerIdRequest,
  encode: encodeInitProducerIdResponse,
  async handle (request, context) {
    const { broker, apiVersion } = context
    // With an authorizer: WRITE on the transactional id; an idempotent producer IDEMPOTENT_WRITE on
    // the cluster or WRITE on some topic (KIP-679).
    const txnId = request.transactionalId
    const denied = txnId !== null
      ? (allowed(context, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, txnId) ? ErrorCode.NONE : ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
      : (clusterAllowed(context, AclOperation.IDEMPOTENT_WRITE) || anyAllowed(context, AclOperation.WRITE, ResourceType.TOPIC) ? ErrorCode.NONE : ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
    if (denied !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: denied, producerId: -1, producerEpoch: -1 }
    const answer = await broker.txn.initProducerId(request.transactionalId, request.transactionTimeoutMs, {
      producerId: request.producerId, producerEpoch: request.producerEpoch
    })
    return { ...answer, errorCode: fencedFor(answer.errorCode, apiVersion, FIRST_VERSION_WITH_FENCED) }
  }
})
