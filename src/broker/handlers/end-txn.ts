// EndTxn: commit or abort; answered once the markers are in every partition of the transaction
// (src/txn/coordinator.ts). v5 (KIP-890 epoch bump per transaction) is not advertised, so the response's
// producer id and epoch are the request's. PRODUCER_FENCED from v2 on.
import {
  decodeEndTxnRequest, encodeEndTxnResponse, endTxnApi, type EndTxnRequest, type EndTxnResponse
} from '../../protocol/index.js'
import { defineHandler } from '../handler.js'
import { fencedFor } from './txn-errors.js'

const FIRST_VERSION_WITH_FENCED = 2

export const endTxnHandler = defineHandler<EndTxnRequest, EndTxnResponse>({
  api: endTxnApi,
  decode: decodeEndTxnRequest,
  encode: encodeEndTxnResponse,
  async handle (request, { broker, apiVersion }) {
    const errorCode = await broker.txn.endTxn(request, request.committed)
    return { errorCode: fencedFor(errorCode, apiVersion, FIRST_VERSION_WITH_FENCED), producerId: request.producerId, producerEpoch: request.producerEpoch }
  }
})
