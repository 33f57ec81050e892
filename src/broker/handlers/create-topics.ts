// CreateTopics: creates each requested topic with its partitions and config overrides, durably, before
// answering (protocol-notes.md §8). Per topic, in Kafka's order: a name given twice gets one
// INVALID_REQUEST answer (duplicates.ts); then INVALID_TOPIC_EXCEPTION, the reserved
// internal names (INVALID_REQUEST: the broker creates those itself), TOPIC_ALREADY_EXISTS,
// INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_CONFIG with the reason.
//   v1+ validateOnly checks all of that and creates nothing; errorMessage says why a topic failed
//   v4+ numPartitions / replicationFactor -1 take the broker defaults (num.partitions, 1)
//   v5+ the answer carries the partition count, replication factor and every resulting config with
//       its source, as DescribeConfigs reports it
//   v7  the answer carries the new topic's id
// Manual assignments need numPartitions and replicationFactor -1 (INVALID_REQUEST otherwise, as in
// Kafka), must list partitions 0..n-1 in order, and on a single node every replica list must be
// exactly [this node] (INVALID_REPLICA_ASSIGNMENT). timeoutMs needs no waiting: the topic is ready
// when the answer leaves. With an authorizer, a topic needs CREATE on the cluster or on itself
// (else TOPIC_AUTHORIZATION_FAILED, before any validation). A controller_mutation_rate quota (KIP-599)
// counts each created topic's partitions: from v6 a topic beyond it is THROTTLING_QUOTA_EXCEEDED,
// before v6 it is created and the client throttled (quota/enforcer.ts: MutationQuota).
import {
  createTopicsApi, decodeCreateTopicsRequest, encodeCreateTopicsResponse, ErrorCode, KafkaError, type CreateTopicsRequest,
  type CreateTopicsRequestCreatableTopic, type CreateTopicsResponse, type CreateTopicsResponseCreatableTopicResult,
  type MessageInput
} from '../../protocol/index.js'
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler, type RequestContext } from '../handler.js'
import { mutationQuota, type MutationQuota } from '../quota/enforcer.js'
import { describeTopicConfigs } from '../log-config.js'
import type { Topics } from '../topics.js'
import { splitDuplicates } from './duplicates.js'
import { errorAnswer } from './errors.js'

const ZERO_UUID = '00000000-0000-0000-0000-000000000000'
const BROKER_DEFAULT = -1
const REPLICATION_FACTOR = 1
const FIRST_STRICT_QUOTA_VERSION = 6

type TopicAnswer = MessageInput<CreateTopicsResponseCreatableTopicResult>

export const createTopicsHandler = defineHandler<CreateTopicsRequest, CreateTopicsResponse>({
  api: createTopicsApi,
  decode: decodeCreateTopicsRequest,
  encode: encodeCreateTopicsResponse,
  async handle (request, context) {
    const { unique, repeated } = splitDuplicates(request.topics, t => t.name)
    const quota = mutationQuota(context, FIRST_STRICT_QUOTA_VERSION)
    const answers = await Promise.all(unique.map(t => createTopic(t, request.validateOnly, quota, context)))
    return {
      throttleTimeMs: quota?.throttleMs() ?? 0,
      topics: [...answers, ...repeated.map(t => failed(t.name, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'))]
    }
  }
})

async function createTopic (t: CreateTopicsRequestCreatableTopic, validateOnly: boolean, quota: MutationQuota | null, context: RequestContext): Promise<TopicAnswer> {
  const { broker } = context
  if (!allowed(context, AclOperation.CREATE, ResourceType.CLUSTER, CLUSTER_NAME) && !allowed(context, AclOperation.CREATE, ResourceType.TOPIC, t.name)) {
    return failed(t.name, ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.')
  }
  try {
    const configs = requestedConfigs(t)
    const manual = t.assignments.length > 0
    if (manual && (t.numPartitions !== BROKER_DEFAULT || t.replicationFactor !== BROKER_DEFAULT)) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, 'A manual partition assignment was given, so numPartitions and replicationFactor must be -1.')
    }
    // Validation and creation start in the same turn, so no other request can take the name in between.
    const partitions = broker.topics.validateCreate(t.name, manual ? t.assignments.length : t.numPartitions, t.replicationFactor, configs)
    if (manual) checkAssignments(t, broker.topics)
    if (!validateOnly) quota?.record(partitions)
    const topicId = validateOnly ? ZERO_UUID : (await broker.topics.create(t.name, partitions, configs)).id
    // As Kafka: the configs are answered only to a client that may DESCRIBE_CONFIGS the topic.
    const describable = allowed(context, AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, t.name)
    return {
      name: t.name,
      topicId,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      topicConfigErrorCode: describable ? ErrorCode.NONE : ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      numPartitions: partitions,
      replicationFactor: REPLICATION_FACTOR,
      configs: describable
        ? describeTopicConfigs(broker.config, configs, broker.dynamicConfigs.layers).map(c => ({ name: c.name, value: c.value, readOnly: false, configSource: c.source, isSensitive: false }))
        : []
    }
  } catch (error) {
    const { errorCode, errorMessage } = errorAnswer(error, broker.log, { api: 'CreateTopics', topic: t.name })
    return failed(t.name, errorCode, errorMessage)
  }
}

/** The request's config overrides by name (a repeated name: the last wins, as in Kafka). */
function requestedConfigs (t: CreateTopicsRequestCreatableTopic): Record<string, string> {
  const configs: Record<string, string> = {}
  const nulls: string[] = []
  for (const { name, value } of t.configs) {
    if (value === null) nulls.push(name)
    else configs[name] = value
  }
  if (nulls.length > 0) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${nulls.join(',')}`)
  return configs
}

function checkAssignments (t: CreateTopicsRequestCreatableTopic, topics: Topics): void {
  t.assignments.forEach((a, i) => {
    if (a.partitionIndex !== i) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Partition assignments must list partitions 0 to ${t.assignments.length - 1} in order; found partition ${a.partitionIndex} at position ${i}.`)
    }
  })
  topics.validateReplicaAssignments(t.assignments.map(a => a.brokerIds))
}

function failed (name: string, errorCode: number, errorMessage: string | null): TopicAnswer {
  return { name, topicId: ZERO_UUID, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1, configs: [] }
}
