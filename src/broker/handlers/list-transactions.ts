// ListTransactions (operators, KIP-664): transactional ids filtered by state names and producer ids;
// v1 adds durationFilter (only transactions open at least that long). State names this broker does
// not know come back in unknownStateFilters, as in Kafka. Just after a start, while the coordinator
// loads __transaction_state: COORDINATOR_LOAD_IN_PROGRESS and no transactions.
import {
  decodeListTransactionsRequest, encodeListTransactionsResponse, listTransactionsApi,
  type ListTransactionsRequest, type ListTransactionsResponse
} from '../../protocol/index.js'
import { txnStatusName } from '../../txn/txn-state.js'
import { defineHandler } from '../handler.js'

const KNOWN_STATES = new Set(Object.values(txnStatusName))

export const listTransactionsHandler = defineHandler<ListTransactionsRequest, ListTransactionsResponse>({
  api: listTransactionsApi,
  decode: decodeListTransactionsRequest,
  encode: encodeListTransactionsResponse,
  handle (request, { broker }) {
    const unknownStateFilters = request.stateFilters.filter(s => !KNOWN_STATES.has(s))
    const listed = broker.txn.list(new Set(request.stateFilters), new Set(request.producerIdFilters), request.durationFilter)
    return {
      errorCode: broker.txn.status,
      unknownStateFilters,
      transactionStates: listed.map(m => ({ transactionalId: m.transactionalId, producerId: m.producerId, transactionState: txnStatusName[m.status] }))
    }
  }
})
