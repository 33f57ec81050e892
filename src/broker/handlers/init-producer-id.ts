// InitProducerId: a fresh producer id with epoch 0 for an idempotent producer (no transactional id);
// for a transactional id, its producer id with the epoch bumped, which fences older instances
// (src/txn/coordinator.ts). v3+ carry the caller's current id and epoch (KIP-360); PRODUCER_FENCED is
// known to clients from v4 on, older versions get INVALID_PRODUCER_EPOCH instead, as in Kafka.
import {
  decodeInitProducerIdRequest, encodeInitProducerIdResponse, initProducerIdApi,
  type InitProducerIdRequest, type InitProducerIdResponse
} from '../../protocol/index.js'
import { defineHandler } from '../handler.js'
import { fencedFor } from './txn-errors.js'

const FIRST_VERSION_WITH_FENCED = 4

export const initProducerIdHandler = defineHandler<InitProducerIdRequest, InitProducerIdResponse>({
  api: initProducerIdApi,
  decode: decodeInitProducerIdRequest,
  encode: encodeInitProducerIdResponse,
  async handle (request, { broker, apiVersion }) {
    const answer = await broker.txn.initProducerId(request.transactionalId, request.transactionTimeoutMs, {
      producerId: request.producerId, producerEpoch: request.producerEpoch
    })
    return { ...answer, errorCode: fencedFor(answer.errorCode, apiVersion, FIRST_VERSION_WITH_FENCED) }
  }
})
