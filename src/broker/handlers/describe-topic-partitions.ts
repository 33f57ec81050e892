// DescribeTopicPartitions (KIP-966): the partitions of topics, a page at a time, as the Java admin
// client (3.7+) asks for them instead of Metadata when the broker serves it. As Kafka answers it:
//   - no topics in the request: every topic (internal ones too); else the topics named, unknown ones
//     with UNKNOWN_TOPIC_OR_PARTITION (INVALID_TOPIC_EXCEPTION for an illegal name);
//   - topics in name order, from the cursor's topic and partition on (a cursor topic missing from a
//     named list is INVALID_REQUEST for every topic named);
//   - at most min(ResponsePartitionLimit, max.request.partition.size.limit) partitions: a topic cut
//     short sets NextCursor to its next partition, and when the limit is used up at a topic boundary
//     NextCursor names the next topic at partition 0;
//   - each topic's authorized operations: those the authorizer allows, or without one all that
//     Kafka defines on a topic; with an authorizer, "every topic" leaves out those the client may
//     not DESCRIBE and a named one is TOPIC_AUTHORIZATION_FAILED.
import {
  decodeDescribeTopicPartitionsRequest, describeTopicPartitionsApi, encodeDescribeTopicPartitionsResponse, ErrorCode,
  type DescribeTopicPartitionsRequest, type DescribeTopicPartitionsResponse, type MessageInput
} from '../../protocol/index.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed, authorizedOperations } from '../acl/check.js'
import { defineHandler } from '../handler.js'
import { validateTopicName } from '../topic-registry.js'

const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

type Answer = MessageInput<DescribeTopicPartitionsResponse>
type TopicAnswer = NonNullable<Answer['topics']>[number]

export const describeTopicPartitionsHandler = defineHandler<DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse>({
  api: describeTopicPartitionsApi,
  decode: decodeDescribeTopicPartitionsRequest,
  encode: encodeDescribeTopicPartitionsResponse,
  handle (request, context) {
    const { broker } = context
    const cursor = request.cursor
    const all = request.topics.length === 0
    const describable = (name: string): boolean => allowed(context, AclOperation.DESCRIBE, ResourceType.TOPIC, name)
    const named = all ? broker.topics.all().map(t => t.name).filter(describable) : request.topics.map(t => t.name)
    const names = [...new Set(named)].filter(name => cursor === null || name >= cursor.topicName).sort()
    if (!all && cursor !== null && !names.includes(cursor.topicName)) {
      const topics = request.topics.map(t => unknownTopic(t.name, ErrorCode.INVALID_REQUEST))
      return { throttleTimeMs: 0, topics, nextCursor: null }
    }
    const node = broker.nodeId
    let remaining = Math.min(request.responsePartitionLimit, broker.config['max.request.partition.size.limit'])
    const topics: TopicAnswer[] = []
    for (const name of names) {
      if (remaining <= 0) return { throttleTimeMs: 0, topics, nextCursor: { topicName: name, partitionIndex: 0 } }
      const topic = broker.topics.get(name)
      if (!describable(name)) {
        topics.push(unknownTopic(name, ErrorCode.TOPIC_AUTHORIZATION_FAILED))
        continue
      }
      if (topic === undefined) {
        const errorCode = illegalName(name) ? ErrorCode.INVALID_TOPIC_EXCEPTION : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
        topics.push({ ...unknownTopic(name, errorCode), topicAuthorizedOperations: authorizedOperations(context, ResourceType.TOPIC, name) })
        continue
      }
      const first = cursor !== null && name === cursor.topicName ? Math.max(cursor.partitionIndex, 0) : 0
      const end = Math.min(topic.partitions, first + remaining)
      const count = Math.max(end - first, 0) // none when the cursor points past the topic's last partition
      topics.push({
        errorCode: ErrorCode.NONE,
        name,
        topicId: topic.id,
        isInternal: topic.internal,
        partitions: Array.from({ length: count }, (_, i) => ({
          errorCode: ErrorCode.NONE, partitionIndex: first + i, leaderId: node, leaderEpoch: 0, replicaNodes: [node], isrNodes: [node],
          eligibleLeaderReplicas: [], lastKnownElr: [], offlineReplicas: []
        })),
        topicAuthorizedOperations: authorizedOperations(context, ResourceType.TOPIC, name)
      })
      if (end < topic.partitions) return { throttleTimeMs: 0, topics, nextCursor: { topicName: name, partitionIndex: end } }
      remaining -= count
    }
    return { throttleTimeMs: 0, topics, nextCursor: null }
  }
})

function unknownTopic (name: string, errorCode: number): TopicAnswer {
  return { errorCode, name, topicId: ZERO_UUID, isInternal: false, partitions: [], topicAuthorizedOperations: -2147483648 }
}

function illegalName (name: string): boolean {
  try {
    validateTopicName(name)
    return false
  } catch {
    return true
  }
}
