// Committed offsets: OffsetCommit, OffsetFetch, OffsetDelete and retention (protocol-notes.md §9.6–§9.7).
//
// Commit validation is Kafka's: a commit with generation < 0 into an empty (or unknown) group is a
// "simple" consumer or an admin tool and is accepted, creating the group for its offsets; otherwise the
// member must exist and the generation match; a group between its JoinGroup and SyncGroup answers
// REBALANCE_IN_PROGRESS. An offset is visible to OffsetFetch only once its record is in the log.
//
// Retention (offsets.retention.minutes) is Kafka's too: offsets of a group that has been empty for the
// retention period expire; offsets of a simple group expire that long after their commit; a stable
// consumer group loses only offsets of topics it no longer subscribes to. A group left empty without
// offsets is deleted (tombstones for both).
import type { Logger } from 'pino'
import { ErrorCode } from '../protocol/index.js'
import { CONSUMER_PROTOCOL_TYPE } from './consumer-protocol.js'
import { GroupState, type Group } from './group.js'
import type { CommittedOffset, TopicPartition } from './group-offsets.js'
import type { GroupSettings } from './group-settings.js'
import type { GroupStore, OffsetWrite } from './group-store.js'
import type { Rebalancer } from './rebalance.js'

export interface CommitRequest {
  generationId: number
  memberId: string
  groupInstanceId: string | null
  offsets: ReadonlyArray<TopicPartition & { offset: number, leaderEpoch: number, metadata: string | null }>
}

export interface FetchedOffset extends TopicPartition { offset: number, leaderEpoch: number, metadata: string, errorCode: number }

/** Where groups live; the coordinator owns the map. */
export interface GroupDirectory {
  get: (groupId: string) => Group | undefined
  getOrCreate: (groupId: string) => Group
  /** Forgets a group that just became Dead. */
  forget: (group: Group) => void
  all: () => Iterable<Group>
}

const NO_OFFSET = -1

export class Offsets {
  constructor (
    private readonly groups: GroupDirectory,
    private readonly deps: { settings: GroupSettings, store: GroupStore, rebalancer: Rebalancer, log: Logger }
  ) {}

  /** One error code per entry of `request.offsets`, in order; resolves after the append. */
  async commit (groupId: string, request: CommitRequest): Promise<number[]> {
    const all = (code: number): number[] => request.offsets.map(() => code)
    let group = this.groups.get(groupId)
    if (group === undefined) {
      // Without a group, only a commit outside group management may create one; else it is stale.
      if (request.generationId >= 0) return all(ErrorCode.ILLEGAL_GENERATION)
      group = this.groups.getOrCreate(groupId)
    }
    const error = validateCommit(group, request)
    if (error !== ErrorCode.NONE) return all(error)
    if (group.is(GroupState.CompletingRebalance)) return all(ErrorCode.REBALANCE_IN_PROGRESS)
    // A commit counts as a sign of life (Stable or PreparingRebalance; an Empty group has no members).
    const member = group.members.get(request.memberId)
    if (member !== undefined) this.deps.rebalancer.scheduleHeartbeat(group, member)
    return await this.store(group, request)
  }

  fetch (groupId: string, wanted: readonly TopicPartition[] | null, requireStable: boolean): FetchedOffset[] {
    const group = this.groups.get(groupId)
    const live = group !== undefined && !group.is(GroupState.Dead)
    if (wanted === null) {
      if (!live) return []
      return [...group.offsets.entries()].map(([tp, o]) => ({ ...tp, offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: ErrorCode.NONE }))
    }
    return wanted.map(tp => {
      if (live && requireStable && group.offsets.isPending(tp.topic, tp.partition)) {
        return { ...tp, offset: NO_OFFSET, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT }
      }
      const o = live ? group.offsets.get(tp.topic, tp.partition) : undefined
      return { ...tp, offset: o?.offset ?? NO_OFFSET, leaderEpoch: o?.leaderEpoch ?? -1, metadata: o?.metadata ?? '', errorCode: ErrorCode.NONE }
    })
  }

  /**
   * OffsetDelete: an empty group loses any offsets; a live consumer group only those of topics it does
   * not subscribe to (GROUP_SUBSCRIBED_TO_TOPIC for the others). Per-partition codes, in order.
   */
  async delete (groupId: string, partitions: readonly TopicPartition[]): Promise<{ errorCode: number, partitions: number[] }> {
    const group = this.groups.get(groupId)
    if (group === undefined || group.is(GroupState.Dead)) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, partitions: [] }
    if (!group.is(GroupState.Empty) && group.protocolType !== CONSUMER_PROTOCOL_TYPE) return { errorCode: ErrorCode.NON_EMPTY_GROUP, partitions: [] }
    const codes = partitions.map(tp => group.is(GroupState.Empty) || !group.isSubscribedToTopic(tp.topic) ? ErrorCode.NONE : ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC)
    const removed = partitions.filter((tp, i) => codes[i] === ErrorCode.NONE && group.offsets.delete(tp.topic, tp.partition))
    const code = await this.cleanup(group, removed)
    return { errorCode: code, partitions: codes }
  }

  /** One retention pass over every group; writes tombstones for what expired. */
  async expire (now = Date.now()): Promise<number> {
    let expired = 0
    const writes: Array<Promise<number>> = []
    for (const group of [...this.groups.all()]) {
      const removed = expiredOffsets(group, now, this.deps.settings.offsetsRetentionMs)
      for (const tp of removed) group.offsets.delete(tp.topic, tp.partition)
      expired += removed.length
      if (removed.length > 0 || group.isDisposable) writes.push(this.cleanup(group, removed))
    }
    await Promise.all(writes)
    if (expired > 0) this.deps.log.info({ offsets: expired }, 'expired committed offsets')
    return expired
  }

  /** DeleteGroups of an empty group: every offset and the group itself get tombstones. */
  async deleteGroup (group: Group): Promise<number> {
    const removed = [...group.offsets.entries()].map(([tp]) => tp)
    for (const tp of removed) group.offsets.delete(tp.topic, tp.partition)
    return await this.cleanup(group, removed, true)
  }

  /**
   * Writes tombstones for `removed` offsets; an empty group left without offsets dies (or any group,
   * with `kill`), and gets a tombstone too if it ever stored metadata (generation > 0).
   */
  private async cleanup (group: Group, removed: readonly TopicPartition[], kill = false): Promise<number> {
    const dies = kill || group.isDisposable
    if (dies) {
      group.transitionTo(GroupState.Dead)
      group.stopTimers()
      this.groups.forget(group)
    }
    try {
      await this.deps.store.writeTombstones(group.groupId, removed, dies && group.generationId > 0)
      return ErrorCode.NONE
    } catch (error) {
      return this.deps.store.commitErrorCode(error, { group: group.groupId, tombstones: removed.length })
    }
  }

  private async store (group: Group, request: CommitRequest): Promise<number[]> {
    const now = Date.now()
    const maxMetadata = this.deps.settings.offsetMetadataMaxBytes
    const codes: number[] = []
    const writes: OffsetWrite[] = []
    for (const o of request.offsets) {
      if (o.metadata !== null && o.metadata.length > maxMetadata) {
        codes.push(ErrorCode.OFFSET_METADATA_TOO_LARGE)
        continue
      }
      const value: CommittedOffset = { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata ?? '', commitTimestamp: now, expireTimestamp: -1 }
      codes.push(ErrorCode.NONE)
      writes.push({ topic: o.topic, partition: o.partition, value })
      group.offsets.stage(o.topic, o.partition, value)
    }
    if (writes.length === 0) return codes
    try {
      await this.deps.store.writeOffsets(group.groupId, writes)
      for (const w of writes) group.offsets.complete(w.topic, w.partition, w.value)
      return codes
    } catch (error) {
      for (const w of writes) group.offsets.fail(w.topic, w.partition, w.value)
      const code = this.deps.store.commitErrorCode(error, { group: group.groupId })
      return codes.map(c => c === ErrorCode.NONE ? code : c)
    }
  }
}

/** Kafka's validateOffsetCommit (non-transactional). */
function validateCommit (group: Group, request: CommitRequest): number {
  if (group.is(GroupState.Dead)) return ErrorCode.COORDINATOR_NOT_AVAILABLE
  if (request.generationId < 0 && group.is(GroupState.Empty)) return ErrorCode.NONE
  if (request.generationId >= 0 || request.memberId !== '' || request.groupInstanceId !== null) {
    const error = group.memberError(request.memberId, request.groupInstanceId)
    if (error !== ErrorCode.NONE) return error
    return request.generationId === group.generationId ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION
  }
  // Only members may commit into a group that has them.
  return group.is(GroupState.Empty) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID
}

/** Kafka's GroupMetadata.removeExpiredOffsets, without removing: which offsets have expired at `now`. */
function expiredOffsets (group: Group, now: number, retentionMs: number): TopicPartition[] {
  let since: ((o: CommittedOffset) => number) | null = null
  let keep: ReadonlySet<string> = new Set()
  if (group.protocolType !== null && group.is(GroupState.Empty)) {
    since = o => group.stateTimestamp >= 0 ? group.stateTimestamp : o.commitTimestamp
  } else if (group.protocolType === CONSUMER_PROTOCOL_TYPE && group.subscribedTopics !== null && group.is(GroupState.Stable)) {
    since = o => o.commitTimestamp
    keep = group.subscribedTopics
  } else if (group.protocolType === null) {
    since = o => o.commitTimestamp
  }
  if (since === null) return []
  const expired: TopicPartition[] = []
  for (const [tp, o] of group.offsets.entries()) {
    if (keep.has(tp.topic) || group.offsets.isPending(tp.topic, tp.partition)) continue
    const expiredAt = o.expireTimestamp >= 0 ? now >= o.expireTimestamp : now - since(o) >= retentionMs
    if (expiredAt) expired.push(tp)
  }
  return expired
}
