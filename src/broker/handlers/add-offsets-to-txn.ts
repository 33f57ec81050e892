// AddOffsetsToTxn: the group's __consumer_offsets partition joins the transaction, so EndTxn writes a
// marker there too (src/txn/coordinator.ts). PRODUCER_FENCED from v2 on.
import {
  addOffsetsToTxnApi, decodeAddOffsetsToTxnRequest, encodeAddOffsetsToTxnResponse,
  type AddOffsetsToTxnRequest, type AddOffsetsToTxnResponse
} from '../../protocol/index.js'
import { defineHandler } from '../handler.js'
import { fencedFor } from './txn-errors.js'

const FIRST_VERSION_WITH_FENCED = 2

export const addOffsetsToTxnHandler = defineHandler<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>({
  api: addOffsetsToTxnApi,
  decode: decodeAddOffsetsToTxnRequest,
  encode: encodeAddOffsetsToTxnResponse,
  async handle (request, { broker, apiVersion }) {
    const errorCode = await broker.txn.addOffsets(request, request.groupId)
    return { errorCode: fencedFor(errorCode, apiVersion, FIRST_VERSION_WITH_FENCED) }
  }
})
