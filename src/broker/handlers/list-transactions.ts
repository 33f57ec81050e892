// ListTransactions (operators, KIP-664): transactional ids filtered by state names and producer ids;
// v1 adds durationFilter (only transactions open at least that long). State names this broker does
// not know come back in unknownStateFilters, as in Kafka. Just after a start, while the coordinator
// loads __transaction_state: COORDINATOR_LOAD_IN_PROGRESS and no transactions.
import {
  decodeListTransactionsRequest, encodeListTransactionsResponse, listTransactionsApi,
  type ListTransactionsRequest, type ListTransactionsResponse
} from '../../protocol/index.js'
import { txnStatusName } from '../../txn/txn-state.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'

const KNOWN_STATES = new Set(Object.values(txnStatusName))

export const listTransactionsHandler = defineHandler<ListTransactionsRequest, ListTransactionsResponse>({
  api: listTransactionsApi,
  decode: decodeListTransactionsRequest,
  encode: encodeListTransactionsResponse,
  handle (request, context) {
    const { broker } = context
    const unknownStateFilters = request.stateFilters.filter(s => !KNOWN_STATES.has(s))
    // With an authorizer, only the transactional ids the client may DESCRIBE.
    const listed = broker.txn.list(new Set(request.stateFilters), new Set(request.producerIdFilters), request.durationFilter)
      .filter(m => allowed(context, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, m.transactionalId))
    return {
      errorCode: broker.txn.status,
      unknownStateFilters,
      transactionStates: listed.map(m => ({ transactionalId: m.transactionalId, producerId: m.producerId, transactionState: txnStatusName[m.status] }))
    }
  }
})
