// AddPartitionsToTxn: the coordinator records the partitions in the transaction (src/txn/coordinator.ts).
// v0–v3 name one transaction; v4+ (the batched layout Kafka meant for brokers, which
// @platformatic/kafka sends when advertised) name several, each answered on its own, and VerifyOnly
// only checks that the partitions are already in the transaction. PRODUCER_FENCED from v2 on.
import {
  addPartitionsToTxnApi, decodeAddPartitionsToTxnRequest, encodeAddPartitionsToTxnResponse, ErrorCode,
  type AddPartitionsToTxnRequest, type AddPartitionsToTxnRequestAddPartitionsToTxnTopic, type AddPartitionsToTxnResponse,
  type AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult, type MessageInput
} from '../../protocol/index.js'
import type { TxnProducer } from '../../txn/coordinator.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed, clusterAllowed } from '../acl/check.js'
import { defineHandler, type RequestContext } from '../handler.js'
import { fencedFor } from './txn-errors.js'

const FIRST_BATCHED_VERSION = 4
const FIRST_VERSION_WITH_FENCED = 2

type TopicResult = MessageInput<AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult>

export const addPartitionsToTxnHandler = defineHandler<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>({
  api: addPartitionsToTxnApi,
  decode: decodeAddPartitionsToTxnRequest,
  encode: encodeAddPartitionsToTxnResponse,
  async handle (request, context) {
    if (context.apiVersion < FIRST_BATCHED_VERSION) {
      const producer = { transactionalId: request.v3AndBelowTransactionalId, producerId: request.v3AndBelowProducerId, producerEpoch: request.v3AndBelowProducerEpoch }
      const denied = deniedTopics(producer.transactionalId, request.v3AndBelowTopics, context)
      return { resultsByTopicV3AndBelow: denied ?? await addTopics(producer, request.v3AndBelowTopics, false, context) }
    }
    // v4+ is a broker's verification on behalf of a producer: with an authorizer, CLUSTER_ACTION.
    if (!clusterAllowed(context, AclOperation.CLUSTER_ACTION)) return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, resultsByTransaction: [] }
    const resultsByTransaction = await Promise.all(request.transactions.map(async t => ({
      transactionalId: t.transactionalId,
      topicResults: await addTopics(t, t.topics, t.verifyOnly, context)
    })))
    return { errorCode: ErrorCode.NONE, resultsByTransaction }
  }
})

/** With an authorizer (v0–v3), as Kafka: WRITE on the transactional id, else every partition fails
 *  with TRANSACTIONAL_ID_AUTHORIZATION_FAILED; then WRITE on each topic, and while any is refused the
 *  others are OPERATION_NOT_ATTEMPTED. Null when all is allowed. */
function deniedTopics (transactionalId: string, topics: readonly AddPartitionsToTxnRequestAddPartitionsToTxnTopic[], context: RequestContext): TopicResult[] | null {
  const answer = (code: (topic: string) => number): TopicResult[] =>
    topics.map(t => ({ name: t.name, resultsByPartition: t.partitions.map(partitionIndex => ({ partitionIndex, partitionErrorCode: code(t.name) })) }))
  if (!allowed(context, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transactionalId)) return answer(() => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
  const refused = new Set(topics.filter(t => !allowed(context, AclOperation.WRITE, ResourceType.TOPIC, t.name)).map(t => t.name))
  if (refused.size === 0) return null
  return answer(topic => refused.has(topic) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.OPERATION_NOT_ATTEMPTED)
}

async function addTopics (producer: TxnProducer, topics: readonly AddPartitionsToTxnRequestAddPartitionsToTxnTopic[], verifyOnly: boolean, context: RequestContext): Promise<TopicResult[]> {
  const partitions = topics.flatMap(t => t.partitions.map(partition => ({ topic: t.name, partition })))
  const codes = await context.broker.txn.addPartitions(producer, partitions, verifyOnly)
  let i = 0
  return topics.map(t => ({
    name: t.name,
    resultsByPartition: t.partitions.map(partitionIndex => ({ partitionIndex, partitionErrorCode: fencedFor(codes[i++]!, context.apiVersion, FIRST_VERSION_WITH_FENCED) }))
  }))
}
