// EndTxn: commit or abort; answered once the markers are in every partition of the transaction
// (src/txn/coordinator.ts). v5 (KIP-890 epoch bump per transaction) is not advertised, so the response's
// producer id and epoch are the request's. PRODUCER_FENCED from v2 on.
import {
  ErrorCode, decodeEndTxnRequest, encodeEndTxnResponse, endTxnApi, type EndTxnRequest, type EndTxnResponse
} from '../../protocol/index.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'
import { fencedFor } from './txn-errors.js'

const FIRST_VERSION_WITH_FENCED = 2

export const endTxnHandler = defineHandler<EndTxnRequest, EndTxnResponse>({
  api: endTxnApi,
  decode: decodeEndTxnRequest,
  encode: encodeEndTxnResponse,
  async handle (request, context) {
    const { broker, apiVersion } = context
    // With an authorizer, WRITE on the transactional id.
    if (!allowed(context, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId)) {
      return { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: request.producerId, producerEpoch: request.producerEpoch }
    }
    const errorCode = await broker.txn.endTxn(request, request.committed)
    return { errorCode: fencedFor(errorCode, apiVersion, FIRST_VERSION_WITH_FENCED), producerId: request.producerId, producerEpoch: request.producerEpoch }
  }
})
