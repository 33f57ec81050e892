// OffsetForLeaderEpoch: for a leader epoch, the end offset of that epoch in this partition's log, with
// which consumers validate their position after a leader change (KIP-320) and detect truncation.
//   v1+ the answer carries the epoch found (the largest one <= the requested one)
//   v2+ currentLeaderEpoch: -1 does not check; older than ours FENCED_LEADER_EPOCH, newer
//       UNKNOWN_LEADER_EPOCH · throttleTimeMs
//   v3+ replicaId (-1 for consumers): accepted and ignored, there being no followers
//   v4  flexible
// A single node leads every partition in epoch LEADER_EPOCH, recorded at creation and at start-up
// (Topics.lead), so that epoch ends at the log end offset; an epoch newer than it, or a negative one,
// answers leaderEpoch and endOffset -1 with no error, as Kafka does. An unknown partition is
// UNKNOWN_TOPIC_OR_PARTITION; one the client may not DESCRIBE (with an authorizer) TOPIC_AUTHORIZATION_FAILED.
import {
  decodeOffsetForLeaderEpochRequest, encodeOffsetForLeaderEpochResponse, ErrorCode, offsetForLeaderEpochApi,
  type MessageInput, type OffsetForLeaderEpochRequest, type OffsetForLeaderEpochRequestOffsetForLeaderPartition,
  type OffsetForLeaderEpochResponse, type OffsetForLeaderEpochResponseEpochEndOffset
} from '../../protocol/index.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler, type RequestContext } from '../handler.js'
import type { TopicInfo } from '../topic-registry.js'
import { LEADER_EPOCH } from '../topics.js'
import { errorAnswer } from './errors.js'

type PartitionAnswer = MessageInput<OffsetForLeaderEpochResponseEpochEndOffset>

export const offsetForLeaderEpochHandler = defineHandler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>({
  api: offsetForLeaderEpochApi,
  decode: decodeOffsetForLeaderEpochRequest,
  encode: encodeOffsetForLeaderEpochResponse,
  handle (request, context) {
    return {
      topics: request.topics.map(t => {
        const topic = context.broker.topics.get(t.topic)
        if (!allowed(context, AclOperation.DESCRIBE, ResourceType.TOPIC, t.topic)) {
          return { topic: t.topic, partitions: t.partitions.map(p => ({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, partition: p.partition, leaderEpoch: -1, endOffset: -1 })) }
        }
        return { topic: t.topic, partitions: t.partitions.map(p => answer(topic, p, context)) }
      })
    }
  }
})

function answer (topic: TopicInfo | undefined, p: OffsetForLeaderEpochRequestOffsetForLeaderPartition, { broker }: RequestContext): PartitionAnswer {
  const reply = (errorCode: number, leaderEpoch = -1, endOffset = -1): PartitionAnswer => ({ errorCode, partition: p.partition, leaderEpoch, endOffset })
  if (topic === undefined || p.partition < 0 || p.partition >= topic.partitions) return reply(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch < LEADER_EPOCH) return reply(ErrorCode.FENCED_LEADER_EPOCH)
  if (p.currentLeaderEpoch > LEADER_EPOCH) return reply(ErrorCode.UNKNOWN_LEADER_EPOCH)
  if (p.leaderEpoch < 0) return reply(ErrorCode.NONE)
  try {
    const found = broker.store.endOffsetForEpoch(topic.name, p.partition, p.leaderEpoch)
    return reply(ErrorCode.NONE, found.leaderEpoch, found.endOffset)
  } catch (error) {
    return reply(errorAnswer(error, broker.log, { api: 'OffsetForLeaderEpoch', topic: topic.name, partition: p.partition }).errorCode)
  }
}
