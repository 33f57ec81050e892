// DeleteTopics: removes topics and their data; each answer is given once the removal is durable.
//   v0–v5 by name (`topicNames`): an unknown name is UNKNOWN_TOPIC_OR_PARTITION
//   v1+   throttleTimeMs · v5+ errorMessage
//   v6    by name or by id (`topics[{name, topicId}]`, name null = by id): an unknown id is
//         UNKNOWN_TOPIC_ID, both or neither given is INVALID_REQUEST; answers carry the id and the name
// As in Kafka: a name or id given twice gets one INVALID_REQUEST answer and is not deleted; with
// delete.topic.enable=false the answer is TOPIC_DELETION_DISABLED, INVALID_REQUEST before v3 (which
// lacks that code). Unlike Kafka's broker (only its CLI refuses), the internal topics cannot be
// deleted: INVALID_REQUEST (see Topics.delete). With an authorizer, a topic the client may not DELETE
// is TOPIC_AUTHORIZATION_FAILED (by id, with a null name unless it may DESCRIBE the topic). A
// controller_mutation_rate quota (KIP-599) counts each deleted topic's partitions: from v5 a topic
// beyond it is THROTTLING_QUOTA_EXCEEDED, before v5 it is deleted and the client throttled.
import {
  decodeDeleteTopicsRequest, deleteTopicsApi, encodeDeleteTopicsResponse, ErrorCode, KafkaError, type DeleteTopicsRequest,
  type DeleteTopicsResponse, type DeleteTopicsResponseDeletableTopicResult, type MessageInput
} from '../../protocol/index.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler, type RequestContext } from '../handler.js'
import { mutationQuota, type MutationQuota } from '../quota/enforcer.js'
import { splitDuplicates } from './duplicates.js'
import { errorAnswer } from './errors.js'

const ZERO_UUID = '00000000-0000-0000-0000-000000000000'
const FIRST_VERSION_BY_ID = 6
const FIRST_VERSION_WITH_DELETION_DISABLED = 3
const FIRST_STRICT_QUOTA_VERSION = 5

type TopicAnswer = MessageInput<DeleteTopicsResponseDeletableTopicResult>
interface Target { name: string | null; topicId: string }

export const deleteTopicsHandler = defineHandler<DeleteTopicsRequest, DeleteTopicsResponse>({
  api: deleteTopicsApi,
  decode: decodeDeleteTopicsRequest,
  encode: encodeDeleteTopicsResponse,
  async handle (request, context) {
    const targets: Target[] = context.apiVersion >= FIRST_VERSION_BY_ID
      ? request.topics.map(t => ({ name: t.name, topicId: t.topicId }))
      : request.topicNames.map(name => ({ name, topicId: ZERO_UUID }))
    const { unique, repeated } = splitDuplicates(targets, t => t.name !== null ? `name:${t.name}` : `id:${t.topicId}`)
    const quota = mutationQuota(context, FIRST_STRICT_QUOTA_VERSION)
    const responses = await Promise.all(unique.map(t => deleteTopic(t, quota, context)))
    const duplicates = repeated.map(t => reply(t, ErrorCode.INVALID_REQUEST, t.name !== null ? 'Duplicate topic name.' : 'Duplicate topic id.'))
    return { throttleTimeMs: quota?.throttleMs() ?? 0, responses: [...responses, ...duplicates] }
  }
})

async function deleteTopic (target: Target, quota: MutationQuota | null, context: RequestContext): Promise<TopicAnswer> {
  const { broker, apiVersion } = context
  const byId = target.name === null
  const topic = byId ? broker.topics.getById(target.topicId) : broker.topics.get(target.name ?? '')
  const answered: Target = { name: topic?.name ?? target.name, topicId: topic?.id ?? target.topicId }
  try {
    if (!byId && target.topicId !== ZERO_UUID) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.')
    if (byId && target.topicId === ZERO_UUID) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.')
    if (byId && topic === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_ID, `No topic has the id ${target.topicId}.`)
    const name = answered.name ?? ''
    if (!allowed(context, AclOperation.DELETE, ResourceType.TOPIC, name)) {
      if (byId && !allowed(context, AclOperation.DESCRIBE, ResourceType.TOPIC, name)) answered.name = null
      throw new KafkaError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.')
    }
    if (topic !== undefined) quota?.record(topic.partitions)
    await broker.topics.delete(answered.name ?? '')
    return reply(answered, ErrorCode.NONE, null)
  } catch (error) {
    const { errorCode, errorMessage } = errorAnswer(error, broker.log, { api: 'DeleteTopics', topic: target.name, topicId: target.topicId })
    const code = errorCode === ErrorCode.TOPIC_DELETION_DISABLED && apiVersion < FIRST_VERSION_WITH_DELETION_DISABLED ? ErrorCode.INVALID_REQUEST : errorCode
    return reply(answered, code, errorMessage)
  }
}

function reply (target: Target, errorCode: number, errorMessage: string | null): TopicAnswer {
  return { name: target.name, topicId: target.topicId, errorCode, errorMessage }
}
