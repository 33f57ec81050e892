// Metadata: the one broker, its address as advertised, and the requested topics with their ids and
// partitions. Topic list semantics (protocol-notes.md §8): v0 empty = all; v1+ null = all, [] = none.
// Unknown topics are auto-created when the broker and (v4+) the request allow it, and then answered
// directly rather than with a one-off LEADER_NOT_AVAILABLE. "All topics" includes internal ones
// (__consumer_offsets) marked isInternal, as Kafka answers.
import {
  decodeMetadataRequest, encodeMetadataResponse, ErrorCode, metadataApi, type MessageInput, type MetadataRequest,
  type MetadataResponse, type MetadataResponseMetadataResponseTopic
} from '../../protocol/index.js'
import { defineHandler, type RequestContext } from '../handler.js'
import type { TopicInfo } from '../topic-registry.js'
import { errorAnswer } from './errors.js'

const AUTHORIZED_OPERATIONS_OMITTED = -2147483648
const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

type TopicAnswer = MessageInput<MetadataResponseMetadataResponseTopic>

export const metadataHandler = defineHandler<MetadataRequest, MetadataResponse>({
  api: metadataApi,
  decode: decodeMetadataRequest,
  encode: encodeMetadataResponse,
  async handle (request, context) {
    const { broker, apiVersion, connection } = context
    const wantsAll = request.topics === null || (apiVersion === 0 && request.topics.length === 0)
    const topics: TopicAnswer[] = wantsAll
      ? broker.topics.all().map(t => describeTopic(t, context))
      : await Promise.all((request.topics ?? []).map(t => lookUp(t.name, t.topicId, apiVersion < 4 || request.allowAutoTopicCreation, context)))
    return {
      brokers: [{ nodeId: broker.nodeId, ...connection.advertised, rack: null }],
      clusterId: broker.clusterId,
      controllerId: broker.nodeId,
      topics,
      clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED
    }
  }
})

async function lookUp (name: string | null, topicId: string, autoCreate: boolean, context: RequestContext): Promise<TopicAnswer> {
  const { broker } = context
  if (name === null) {
    const topic = broker.topics.getById(topicId)
    return topic !== undefined
      ? describeTopic(topic, context)
      : { errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED }
  }
  try {
    const topic = await broker.topics.getOrAutoCreate(name, autoCreate)
    if (topic !== undefined) return describeTopic(topic, context)
    return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, topicId: ZERO_UUID, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED }
  } catch (error) {
    const { errorCode } = errorAnswer(error, broker.log, { api: 'Metadata', topic: name })
    return { errorCode, name, topicId: ZERO_UUID, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED }
  }
}

function describeTopic (topic: TopicInfo, { broker }: RequestContext): TopicAnswer {
  const node = broker.nodeId
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.id,
    isInternal: topic.internal,
    partitions: Array.from({ length: topic.partitions }, (_, partitionIndex) => ({
      errorCode: ErrorCode.NONE, partitionIndex, leaderId: node, leaderEpoch: 0, replicaNodes: [node], isrNodes: [node], offlineReplicas: []
    })),
    topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED
  }
}
