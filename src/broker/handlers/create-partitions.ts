// CreatePartitions: grows topics to a new partition count; the new partitions are empty and take
// records as soon as the answer leaves.
//   v0–v3 (v2 flexible) the same semantics throughout; validateOnly checks and changes nothing
// Per topic, as in Kafka: a name given twice gets one INVALID_REQUEST answer (duplicates.ts); an
// unknown topic is UNKNOWN_TOPIC_OR_PARTITION; a count that does not grow the topic is
// INVALID_PARTITIONS with the reason; assignments, when given, need one replica list per new
// partition, each exactly [this node] (INVALID_REPLICA_ASSIGNMENT). With an authorizer, a topic the
// client may not ALTER is TOPIC_AUTHORIZATION_FAILED (before whether it exists). A
// controller_mutation_rate quota (KIP-599) counts the partitions added: from v3 a topic beyond it is
// THROTTLING_QUOTA_EXCEEDED, before v3 it grows and the client is throttled.
import {
  createPartitionsApi, decodeCreatePartitionsRequest, encodeCreatePartitionsResponse, ErrorCode, KafkaError,
  type CreatePartitionsRequest, type CreatePartitionsRequestCreatePartitionsTopic, type CreatePartitionsResponse,
  type CreatePartitionsResponseCreatePartitionsTopicResult, type MessageInput
} from '../../protocol/index.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler, type RequestContext } from '../handler.js'
import { mutationQuota, type MutationQuota } from '../quota/enforcer.js'
import { splitDuplicates } from './duplicates.js'
import { errorAnswer } from './errors.js'

type TopicAnswer = MessageInput<CreatePartitionsResponseCreatePartitionsTopicResult>
const FIRST_STRICT_QUOTA_VERSION = 3

export const createPartitionsHandler = defineHandler<CreatePartitionsRequest, CreatePartitionsResponse>({
  api: createPartitionsApi,
  decode: decodeCreatePartitionsRequest,
  encode: encodeCreatePartitionsResponse,
  async handle (request, context) {
    const { unique, repeated } = splitDuplicates(request.topics, t => t.name)
    const quota = mutationQuota(context, FIRST_STRICT_QUOTA_VERSION)
    const results = await Promise.all(unique.map(t => growTopic(t, request.validateOnly, quota, context)))
    return {
      throttleTimeMs: quota?.throttleMs() ?? 0,
      results: [...results, ...repeated.map(t => reply(t.name, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'))]
    }
  }
})

async function growTopic (t: CreatePartitionsRequestCreatePartitionsTopic, validateOnly: boolean, quota: MutationQuota | null, context: RequestContext): Promise<TopicAnswer> {
  const { broker } = context
  if (!allowed(context, AclOperation.ALTER, ResourceType.TOPIC, t.name)) return reply(t.name, ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.')
  try {
    const topic = broker.topics.get(t.name)
    if (topic === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${t.name}' does not exist.`)
    broker.topics.validateAddPartitions(topic, t.count)
    if (t.assignments !== null) {
      const added = t.count - topic.partitions
      if (t.assignments.length !== added) {
        throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Increasing the number of partitions by ${added} but ${t.assignments.length} assignments provided.`)
      }
      broker.topics.validateReplicaAssignments(t.assignments.map(a => a.brokerIds))
    }
    if (!validateOnly) {
      quota?.record(t.count - topic.partitions)
      await broker.topics.addPartitions(topic, t.count)
    }
    return reply(t.name, ErrorCode.NONE, null)
  } catch (error) {
    const { errorCode, errorMessage } = errorAnswer(error, broker.log, { api: 'CreatePartitions', topic: t.name })
    return reply(t.name, errorCode, errorMessage)
  }
}

function reply (name: string, errorCode: number, errorMessage: string | null): TopicAnswer {
  return { name, errorCode, errorMessage }
}
