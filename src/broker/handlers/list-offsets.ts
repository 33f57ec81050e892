// ListOffsets: an offset per partition for a timestamp. Special timestamps (protocol-notes.md §8):
// -1 latest (the high watermark, or the last stable offset under read_committed), -2 earliest,
// -3 the record with the largest timestamp (v7+), -4 earliest local (= earliest without tiered
// storage), -5 latest tiered (none: offset -1). A timestamp >= 0 finds the first offset whose
// timestamp is at least it, or -1 when there is none. A topic the client may not DESCRIBE (with an
// authorizer) is TOPIC_AUTHORIZATION_FAILED.
import {
  decodeListOffsetsRequest, encodeListOffsetsResponse, ErrorCode, listOffsetsApi, type ListOffsetsRequest,
  type ListOffsetsRequestListOffsetsPartition, type ListOffsetsResponse, type MessageInput,
  type ListOffsetsResponseListOffsetsPartitionResponse
} from '../../protocol/index.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler, type RequestContext } from '../handler.js'
import type { TopicInfo } from '../topic-registry.js'
import { LEADER_EPOCH } from '../topics.js'
import { errorAnswer } from './errors.js'

const LATEST = -1
const EARLIEST = -2
const MAX_TIMESTAMP = -3
const EARLIEST_LOCAL = -4
const LATEST_TIERED = -5
const READ_COMMITTED = 1

type PartitionAnswer = MessageInput<ListOffsetsResponseListOffsetsPartitionResponse>

export const listOffsetsHandler = defineHandler<ListOffsetsRequest, ListOffsetsResponse>({
  api: listOffsetsApi,
  decode: decodeListOffsetsRequest,
  encode: encodeListOffsetsResponse,
  handle (request, context) {
    return {
      topics: request.topics.map(t => {
        const topic = context.broker.topics.get(t.name)
        if (!allowed(context, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name)) {
          return { name: t.name, partitions: t.partitions.map(p => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, timestamp: -1, offset: -1, leaderEpoch: -1 })) }
        }
        return { name: t.name, partitions: t.partitions.map(p => answer(topic, p, request.isolationLevel, context)) }
      })
    }
  }
})

function answer (topic: TopicInfo | undefined, p: ListOffsetsRequestListOffsetsPartition, isolationLevel: number, { broker }: RequestContext): PartitionAnswer {
  const reply = (errorCode: number, offset = -1, timestamp = -1): PartitionAnswer =>
    ({ partitionIndex: p.partitionIndex, errorCode, timestamp, offset, leaderEpoch: offset >= 0 ? LEADER_EPOCH : -1 })
  if (topic === undefined || p.partitionIndex < 0 || p.partitionIndex >= topic.partitions) return reply(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch < LEADER_EPOCH) return reply(ErrorCode.FENCED_LEADER_EPOCH)
  if (p.currentLeaderEpoch > LEADER_EPOCH) return reply(ErrorCode.UNKNOWN_LEADER_EPOCH)
  const store = broker.store
  const name = topic.name
  try {
    switch (p.timestamp) {
      case LATEST:
        return reply(ErrorCode.NONE, isolationLevel === READ_COMMITTED ? store.lastStableOffset(name, p.partitionIndex) : store.highWatermark(name, p.partitionIndex))
      case EARLIEST:
      case EARLIEST_LOCAL:
        return reply(ErrorCode.NONE, store.logStartOffset(name, p.partitionIndex))
      case LATEST_TIERED:
        return reply(ErrorCode.NONE)
      case MAX_TIMESTAMP: {
        const found = store.maxTimestamp(name, p.partitionIndex)
        return reply(ErrorCode.NONE, found.offset, found.timestamp)
      }
      default: {
        if (p.timestamp < 0) return reply(ErrorCode.INVALID_REQUEST)
        const found = store.offsetForTimestamp(name, p.partitionIndex, p.timestamp)
        return reply(ErrorCode.NONE, found.offset, found.offset >= 0 ? found.timestamp : -1)
      }
    }
  } catch (error) {
    return reply(errorAnswer(error, broker.log, { api: 'ListOffsets', topic: name, partition: p.partitionIndex }).errorCode)
  }
}
