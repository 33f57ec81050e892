// AddOffsetsToTxn: the group's __consumer_offsets partition joins the transaction, so EndTxn writes a
// marker there too (src/txn/coordinator.ts). PRODUCER_FENCED from v2 on.
import {
  ErrorCode, addOffsetsToTxnApi, decodeAddOffsetsToTxnRequest, encodeAddOffsetsToTxnResponse,
  type AddOffsetsToTxnRequest, type AddOffsetsToTxnResponse
} from '../../protocol/index.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'
import { fencedFor } from './txn-errors.js'

const FIRST_VERSION_WITH_FENCED = 2

export const addOffsetsToTxnHandler = defineHandler<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>({
  api: addOffsetsToTxnApi,
  decode: decodeAddOffsetsToTxnRequest,
  encode: encodeAddOffsetsToTxnResponse,
  async handle (request, context) {
    const { broker, apiVersion } = context
    // With an authorizer: WRITE on the transactional id, READ on the group.
    if (!allowed(context, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId)) return { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED }
    if (!allowed(context, AclOperation.READ, ResourceType.GROUP, request.groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }
    const errorCode = await broker.txn.addOffsets(request, request.groupId)
    return { errorCode: fencedFor(errorCode, apiVersion, FIRST_VERSION_WITH_FENCED) }
  }
})
