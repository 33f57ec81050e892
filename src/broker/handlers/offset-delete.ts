// OffsetDelete: removes committed offsets of an empty group, or of topics a live consumer group does
// not subscribe to (GROUP_SUBSCRIBED_TO_TOPIC for the others). Unknown topics or partitions answer
// UNKNOWN_TOPIC_OR_PARTITION; a group-level error (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP) replaces
// the per-partition answers, as in Kafka.
import {
  decodeOffsetDeleteRequest, encodeOffsetDeleteResponse, ErrorCode, offsetDeleteApi, type OffsetDeleteRequest,
  type OffsetDeleteResponse
} from '../../protocol/index.js'
import type { TopicPartition } from '../../groups/group-offsets.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'

export const offsetDeleteHandler = defineHandler<OffsetDeleteRequest, OffsetDeleteResponse>({
  api: offsetDeleteApi,
  decode: decodeOffsetDeleteRequest,
  encode: encodeOffsetDeleteResponse,
  async handle (request, context) {
    const { broker } = context
    // With an authorizer: DELETE on the group, then READ on each topic.
    if (!allowed(context, AclOperation.DELETE, ResourceType.GROUP, request.groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] }
    const codes: number[][] = request.topics.map(t => t.partitions.map(() =>
      allowed(context, AclOperation.READ, ResourceType.TOPIC, t.name) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.TOPIC_AUTHORIZATION_FAILED))
    const known: TopicPartition[] = []
    const slots: Array<[number, number]> = []
    for (const [ti, t] of request.topics.entries()) {
      if (codes[ti]![0] === ErrorCode.TOPIC_AUTHORIZATION_FAILED) continue
      const topic = broker.topics.get(t.name)
      for (const [pi, p] of t.partitions.entries()) {
        if (topic === undefined || p.partitionIndex < 0 || p.partitionIndex >= topic.partitions) continue
        known.push({ topic: t.name, partition: p.partitionIndex })
        slots.push([ti, pi])
      }
    }
    const result = await broker.groups.deleteOffsets(request.groupId, known)
    if (result.errorCode !== ErrorCode.NONE) return { errorCode: result.errorCode, topics: [] }
    for (const [i, [ti, pi]] of slots.entries()) codes[ti]![pi] = result.partitions[i]!
    return {
      errorCode: ErrorCode.NONE,
      topics: request.topics.map((t, ti) => ({
        name: t.name,
        partitions: t.partitions.map((p, pi) => ({ partitionIndex: p.partitionIndex, errorCode: codes[ti]![pi]! }))
      }))
    }
  }
})
