// TxnOffsetCommit: offsets committed inside a transaction, held until it ends (src/groups/txn-offsets.ts).
// The transaction coordinator first checks the producer (id, epoch, an open transaction); partitions
// of unknown topics answer UNKNOWN_TOPIC_OR_PARTITION. v3+ carry the member and generation, checked
// like an OffsetCommit's when given.
import {
  decodeTxnOffsetCommitRequest, encodeTxnOffsetCommitResponse, ErrorCode, txnOffsetCommitApi,
  type TxnOffsetCommitRequest, type TxnOffsetCommitResponse
} from '../../protocol/index.js'
import type { CommitRequest } from '../../groups/offsets.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'
import { fencedFor } from './txn-errors.js'

const FIRST_VERSION_WITH_FENCED = 2

export const txnOffsetCommitHandler = defineHandler<TxnOffsetCommitRequest, TxnOffsetCommitResponse>({
  api: txnOffsetCommitApi,
  decode: decodeTxnOffsetCommitRequest,
  encode: encodeTxnOffsetCommitResponse,
  async handle (request, context) {
    const { broker, apiVersion } = context
    // With an authorizer: WRITE on the transactional id and READ on the group (else every partition
    // fails alike), then READ on each topic.
    const refused = !allowed(context, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId) ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
      : !allowed(context, AclOperation.READ, ResourceType.GROUP, request.groupId) ? ErrorCode.GROUP_AUTHORIZATION_FAILED
        : fencedFor(broker.txn.verifyProducer(request), apiVersion, FIRST_VERSION_WITH_FENCED)
    const codes: number[][] = request.topics.map(t => t.partitions.map(() => refused !== ErrorCode.NONE ? refused
      : allowed(context, AclOperation.READ, ResourceType.TOPIC, t.name) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.TOPIC_AUTHORIZATION_FAILED))
    const offsets: Array<CommitRequest['offsets'][number]> = []
    const slots: Array<[number, number]> = []
    for (const [ti, t] of request.topics.entries()) {
      const topic = broker.topics.get(t.name)
      for (const [pi, p] of t.partitions.entries()) {
        if (codes[ti]![pi] !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || topic === undefined || p.partitionIndex < 0 || p.partitionIndex >= topic.partitions) continue
        offsets.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata })
        slots.push([ti, pi])
      }
    }
    if (offsets.length > 0) {
      const results = await broker.groups.commitTxnOffsets(request.groupId, request, {
        generationId: request.generationId, memberId: request.memberId, groupInstanceId: request.groupInstanceId, offsets
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
