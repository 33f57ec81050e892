// OffsetCommit: the coordinator validates the member and generation (src/groups/offsets.ts) and
// answers each partition once its record is appended to __consumer_offsets. Partitions of topics this
// broker does not have answer UNKNOWN_TOPIC_OR_PARTITION, as in Kafka. Version differences:
//   v2–v4 retentionTimeMs is ignored (offsets.retention.minutes governs); v6+ committedLeaderEpoch;
//   v7+ groupInstanceId.
import {
  decodeOffsetCommitRequest, encodeOffsetCommitResponse, ErrorCode, offsetCommitApi, type OffsetCommitRequest,
  type OffsetCommitResponse
} from '../../protocol/index.js'
import type { CommitRequest } from '../../groups/offsets.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'

export const offsetCommitHandler = defineHandler<OffsetCommitRequest, OffsetCommitResponse>({
  api: offsetCommitApi,
  decode: decodeOffsetCommitRequest,
  encode: encodeOffsetCommitResponse,
  async handle (request, context) {
    const { broker } = context
    // With an authorizer: READ on the group (else every partition fails alike), then on each topic.
    const groupDenied = !allowed(context, AclOperation.READ, ResourceType.GROUP, request.groupId)
    const codes: number[][] = request.topics.map(t => t.partitions.map(() =>
      groupDenied ? ErrorCode.GROUP_AUTHORIZATION_FAILED
        : allowed(context, AclOperation.READ, ResourceType.TOPIC, t.name) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.TOPIC_AUTHORIZATION_FAILED))
    const offsets: Array<CommitRequest['offsets'][number]> = []
    const slots: Array<[number, number]> = []
    for (const [ti, t] of request.topics.entries()) {
      if (codes[ti]![0] !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) continue
      const topic = broker.topics.get(t.name)
      for (const [pi, p] of t.partitions.entries()) {
        if (topic === undefined || p.partitionIndex < 0 || p.partitionIndex >= topic.partitions) continue
        offsets.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata })
        slots.push([ti, pi])
      }
    }
    if (offsets.length > 0) {
      const results = await broker.groups.commitOffsets(request.groupId, {
        generationId: request.generationIdOrMemberEpoch, memberId: request.memberId, groupInstanceId: request.groupInstanceId, offsets
      })
      for (const [i, [ti, pi]] of slots.entries()) codes[ti]![pi] = results[i]!
    }
    return {
      topics: request.topics.map((t, ti) => ({
        name: t.name,
        partitions: t.partitions.map((p, pi) => ({ partitionIndex: p.partitionIndex, errorCode: codes[ti]![pi]! }))
      }))
    }
  }
})
