// DeleteRecords: raises partitions' log start offsets, so the records below can no longer be read
// (Fetch below it is OFFSET_OUT_OF_RANGE, ListOffsets earliest answers it); segments wholly below it
// are removed at once.
//   v0–v2 (v2 flexible) the same semantics throughout
// Per partition: offset -1 means the high watermark; an offset below -1 or above the high watermark
// is OFFSET_OUT_OF_RANGE; one below the current log start changes nothing. lowWatermark answers the
// log start offset afterwards. timeoutMs needs no waiting: a single node answers when it is done.
// A topic the client may not DELETE (with an authorizer) is TOPIC_AUTHORIZATION_FAILED.
import {
  decodeDeleteRecordsRequest, deleteRecordsApi, encodeDeleteRecordsResponse, ErrorCode, type DeleteRecordsRequest,
  type DeleteRecordsRequestDeleteRecordsPartition, type DeleteRecordsResponse,
  type DeleteRecordsResponseDeleteRecordsPartitionResult, type MessageInput
} from '../../protocol/index.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler, type RequestContext } from '../handler.js'
import type { TopicInfo } from '../topic-registry.js'
import { errorAnswer } from './errors.js'

const HIGH_WATERMARK = -1

type PartitionAnswer = MessageInput<DeleteRecordsResponseDeleteRecordsPartitionResult>

export const deleteRecordsHandler = defineHandler<DeleteRecordsRequest, DeleteRecordsResponse>({
  api: deleteRecordsApi,
  decode: decodeDeleteRecordsRequest,
  encode: encodeDeleteRecordsResponse,
  async handle (request, context) {
    const topics = await Promise.all(request.topics.map(async t => {
      const topic = context.broker.topics.get(t.name)
      if (!allowed(context, AclOperation.DELETE, ResourceType.TOPIC, t.name)) {
        return { name: t.name, partitions: t.partitions.map(p => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, lowWatermark: -1 })) }
      }
      return { name: t.name, partitions: await Promise.all(t.partitions.map(p => deleteBelow(topic, p, context))) }
    }))
    return { topics }
  }
})

async function deleteBelow (topic: TopicInfo | undefined, p: DeleteRecordsRequestDeleteRecordsPartition, { broker }: RequestContext): Promise<PartitionAnswer> {
  const reply = (errorCode: number, lowWatermark = -1): PartitionAnswer => ({ partitionIndex: p.partitionIndex, errorCode, lowWatermark })
  if (topic === undefined || p.partitionIndex < 0 || p.partitionIndex >= topic.partitions) return reply(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  try {
    const highWatermark = broker.store.highWatermark(topic.name, p.partitionIndex)
    const offset = p.offset === HIGH_WATERMARK ? highWatermark : p.offset
    if (offset < 0 || offset > highWatermark) return reply(ErrorCode.OFFSET_OUT_OF_RANGE)
    return reply(ErrorCode.NONE, await broker.store.advanceLogStart(topic.name, p.partitionIndex, offset))
  } catch (error) {
    return reply(errorAnswer(error, broker.log, { api: 'DeleteRecords', topic: topic.name, partition: p.partitionIndex }).errorCode)
  }
}
