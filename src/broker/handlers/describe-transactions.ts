// DescribeTransactions (operators, KIP-664): each transactional id's state, producer, timeout, start
// time and partitions; an unknown id answers TRANSACTIONAL_ID_NOT_FOUND.
import {
  ErrorCode, decodeDescribeTransactionsRequest, describeTransactionsApi, encodeDescribeTransactionsResponse,
  type DescribeTransactionsRequest, type DescribeTransactionsResponse
} from '../../protocol/index.js'
import { txnStatusName } from '../../txn/txn-state.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'

export const describeTransactionsHandler = defineHandler<DescribeTransactionsRequest, DescribeTransactionsResponse>({
  api: describeTransactionsApi,
  decode: decodeDescribeTransactionsRequest,
  encode: encodeDescribeTransactionsResponse,
  handle (request, context) {
    const { broker } = context
    return {
      transactionStates: request.transactionalIds.map(transactionalId => {
        // With an authorizer, DESCRIBE on the transactional id; topics the client may not DESCRIBE are left out.
        const denied = !allowed(context, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, transactionalId)
        const { errorCode, meta } = denied ? { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, meta: null } : broker.txn.describe(transactionalId)
        if (meta === null) {
          return { errorCode, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1, producerId: -1, producerEpoch: -1, topics: [] }
        }
        const byTopic = new Map<string, number[]>()
        for (const { topic, partition } of meta.partitions.values()) if (allowed(context, AclOperation.DESCRIBE, ResourceType.TOPIC, topic)) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition])
        return {
          errorCode,
          transactionalId,
          transactionState: txnStatusName[meta.status],
          transactionTimeoutMs: meta.timeoutMs,
          transactionStartTimeMs: meta.startMs,
          producerId: meta.producerId,
          producerEpoch: meta.producerEpoch,
          topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions }))
        }
      })
    }
  }
})
