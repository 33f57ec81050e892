// Transactional offset commits (TxnOffsetCommit, protocol-notes.md §11 step 7). The records go to the
// group's __consumer_offsets partition at once, in a transactional batch of the producer; they stay
// pending (invisible to OffsetFetch, UNSTABLE_OFFSET_COMMIT with requireStable) until the transaction
// coordinator ends the transaction: completeTxn() applies them on commit and drops them on abort, right
// after the marker is in the log, except over a plain commit appended after them (group-offsets.ts).
// Replay (loader.ts) applies the same rule to the log.
import type { Logger } from 'pino'
import { ErrorCode } from '../protocol/index.js'
import type { Group } from './group.js'
import { nextLogOrder, type CommittedOffset, type LogOrder } from './group-offsets.js'
import type { GroupStore } from './group-store.js'
import type { OpenTxnOffset } from './loader.js'
import type { OffsetLog } from './offset-log.js'
import { offsetCommitRecord } from './records.js'
import type { CommitRequest, GroupDirectory } from './offsets.js'

interface Held { groupId: string, topic: string, partition: number, value: CommittedOffset, order: LogOrder }

export interface TxnCommitProducer { producerId: number, producerEpoch: number }

export class TxnOffsets {
  /** producer id -> its pending offsets, latest per (group, partition) */
  private readonly held = new Map<number, Map<string, Held>>()

  constructor (
    private readonly groups: GroupDirectory,
    private readonly deps: { offsetLog: OffsetLog, store: GroupStore, maxMetadataBytes: number, log: Logger }
  ) {}

  /** One code per entry of `request.offsets`, in order. */
  async commit (groupId: string, producer: TxnCommitProducer, request: CommitRequest): Promise<number[]> {
    const group = this.groups.get(groupId) ?? this.groups.getOrCreate(groupId)
    const error = validateTxnCommit(group, request)
    if (error !== ErrorCode.NONE) return request.offsets.map(() => error)
    const now = Date.now()
    const codes = request.offsets.map(o => o.metadata !== null && o.metadata.length > this.deps.maxMetadataBytes ? ErrorCode.OFFSET_METADATA_TOO_LARGE : ErrorCode.NONE)
    const writes: Array<Omit<Held, 'order'>> = []
    request.offsets.forEach((o, i) => {
      if (codes[i] !== ErrorCode.NONE) return
      writes.push({ groupId, topic: o.topic, partition: o.partition, value: { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata ?? '', commitTimestamp: now, expireTimestamp: -1 } })
    })
    if (writes.length === 0) return codes
    try {
      const records = writes.map(w => offsetCommitRecord(groupId, w.topic, w.partition, w.value))
      await this.deps.offsetLog.writeTransactional(this.deps.store.partitionFor(groupId), records, producer)
    } catch (err) {
      const code = this.deps.store.commitErrorCode(err, { group: groupId, producerId: producer.producerId })
      return codes.map(c => c === ErrorCode.NONE ? code : c)
    }
    const order = nextLogOrder()
    for (const w of writes) this.hold(group, producer.producerId, { ...w, order })
    return codes
  }

  private hold (group: Group, producerId: number, offset: Held): void {
    let mine = this.held.get(producerId)
    if (mine === undefined) this.held.set(producerId, mine = new Map())
    const key = `${offset.groupId}\u0000${offset.topic}\u0000${offset.partition}`
    if (!mine.has(key)) group.offsets.holdForTxn(offset.topic, offset.partition, 1)
    mine.set(key, offset)
  }

  /** An offset of a transaction that was open when the broker stopped (loader.ts). */
  restore (open: OpenTxnOffset): void {
    this.hold(this.groups.getOrCreate(open.group), open.producerId, { groupId: open.group, topic: open.topic, partition: open.partition, value: open.value, order: open.order })
  }

  /** Called after the transaction's marker is in the group's offsets partition. */
  complete (producerId: number, commit: boolean): void {
    const mine = this.held.get(producerId)
    if (mine === undefined) return
    this.held.delete(producerId)
    for (const w of mine.values()) {
      const group = this.groups.get(w.groupId)
      if (group === undefined) continue
      group.offsets.holdForTxn(w.topic, w.partition, -1)
      if (commit) group.offsets.applyTxn(w.topic, w.partition, w.value, w.order)
    }
  }
}

/** Kafka's validateTxnOffsetCommit: a commit that names a generation must match the group's member and generation. */
function validateTxnCommit (group: Group, request: CommitRequest): number {
  if (request.generationId < 0 && request.memberId === '') return ErrorCode.NONE
  const error = group.memberError(request.memberId, request.groupInstanceId)
  if (error !== ErrorCode.NONE) return error
  return request.generationId === group.generationId ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION
}
