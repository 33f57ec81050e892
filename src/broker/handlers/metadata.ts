// Metadata: the one broker, its address as advertised, and the requested topics with their ids and
// partitions. Topic list semantics (protocol-notes.md §8): v0 empty = all; v1+ null = all, [] = none.
// Unknown topics are auto-created when the broker and (v4+) the request allow it, and then answered
// directly rather than with a one-off LEADER_NOT_AVAILABLE. "All topics" includes internal ones
// (__consumer_offsets) marked isInternal, as Kafka answers.
// With an authorizer (KafkaApis.handleTopicMetadataRequest): "all topics" lists only those the client
// may DESCRIBE; a named one it may not is TOPIC_AUTHORIZATION_FAILED (by id: with a null name), and so
// is an unknown one it would auto-create without CREATE on the cluster or the topic. v8+ answers the
// topic and (v8–v10) cluster authorized operations when asked.
import {
  decodeMetadataRequest, encodeMetadataResponse, ErrorCode, metadataApi, type MessageInput, type MetadataRequest,
  type MetadataResponse, type MetadataResponseMetadataResponseTopic
} from '../../protocol/index.js'
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/bindings.js'
import { allowed, authorizedOperations } from '../acl/check.js'
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
    const options: Options = { context, operations: apiVersion >= 8 && request.includeTopicAuthorizedOperations }
    const topics: TopicAnswer[] = wantsAll
      ? broker.topics.all().filter(t => allowed(context, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name)).map(t => describeTopic(t, options))
      : await Promise.all((request.topics ?? []).map(t => lookUp(t.name, t.topicId, apiVersion < 4 || request.allowAutoTopicCreation, options)))
    return {
      brokers: [{ nodeId: broker.nodeId, ...connection.advertised, rack: null }],
      clusterId: broker.clusterId,
      controllerId: broker.nodeId,
      topics,
      clusterAuthorizedOperations: apiVersion >= 8 && request.includeClusterAuthorizedOperations
        ? authorizedOperations(context, ResourceType.CLUSTER, CLUSTER_NAME)
        : AUTHORIZED_OPERATIONS_OMITTED
    }
  }
})

interface Options { context: RequestContext, operations: boolean }

async function lookUp (name: string | null, topicId: string, autoCreate: boolean, options: Options): Promise<TopicAnswer> {
  const { context } = options
  const { broker } = context
  const describable = (topic: string): boolean => allowed(context, AclOperation.DESCRIBE, ResourceType.TOPIC, topic)
  if (name === null) {
    const topic = broker.topics.getById(topicId)
    if (topic === undefined) return { errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED }
    if (!describable(topic.name)) return { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name: null, topicId, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED }
    return describeTopic(topic, options)
  }
  const denied = { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, topicId: ZERO_UUID, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED }
  if (!describable(name)) return denied
  if (autoCreate && broker.topics.get(name) === undefined && !allowed(context, AclOperation.CREATE, ResourceType.CLUSTER, CLUSTER_NAME) &&
      !allowed(context, AclOperation.CREATE, ResourceType.TOPIC, name) && broker.config['auto.create.topics.enable']) return denied
  try {
    const topic = await broker.topics.getOrAutoCreate(name, autoCreate)
    if (topic !== undefined) return describeTopic(topic, options)
    return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, topicId: ZERO_UUID, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED }
  } catch (error) {
    const { errorCode } = errorAnswer(error, broker.log, { api: 'Metadata', topic: name })
    return { errorCode, name, topicId: ZERO_UUID, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED }
  }
}

function describeTopic (topic: TopicInfo, { context, operations }: Options): TopicAnswer {
  const node = context.broker.nodeId
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.id,
    isInternal: topic.internal,
    partitions: Array.from({ length: topic.partitions }, (_, partitionIndex) => ({
      errorCode: ErrorCode.NONE, partitionIndex, leaderId: node, leaderEpoch: 0, replicaNodes: [node], isrNodes: [node], offlineReplicas: []
    })),
    topicAuthorizedOperations: operations ? authorizedOperations(context, ResourceType.TOPIC, topic.name) : AUTHORIZED_OPERATIONS_OMITTED
  }
}
