// A group's committed offsets, as they stand in __consumer_offsets, plus the commits whose append is
// still in flight. A commit becomes visible to OffsetFetch only once its record is in the log.
//
// In-flight bookkeeping follows Kafka: `pending` holds the latest staged commit per partition. When
// an append completes, its offset is applied only if the partition is still pending (an OffsetDelete
// or group deletion in between wins, as its tombstone lies after the commit in the log), and the
// pending entry is cleared only if it is this very commit (a later one may still be in flight).
//
// Each committed offset also remembers where its record lies in the log, as a `LogOrder`: when a
// transaction commits, its offsets replace only those written before them (Kafka's
// completePendingTxnOffsetCommit), so a plain commit appended after the transactional one wins.
import type { OffsetCommitValue } from './records.js'

export type CommittedOffset = OffsetCommitValue

export interface TopicPartition { topic: string, partition: number }

/**
 * Compares two commits of one group as their offsets in __consumer_offsets would (a group lives in one
 * partition). Appends of a partition settle in log order and replay reads in log order, so a counter
 * ticked when a record is read or its append settles orders them the same way.
 */
export type LogOrder = number
let lastLogOrder: LogOrder = 0
export function nextLogOrder (): LogOrder { return ++lastLogOrder }

export class GroupOffsets {
  private readonly byTopic = new Map<string, Map<number, CommittedOffset>>()
  private readonly orders = new Map<string, LogOrder>()
  private readonly pending = new Map<string, CommittedOffset>()
  private readonly inTxn = new Map<string, number>()
  private count = 0

  get size (): number { return this.count }
  /** Committed or in flight: a group with either is not deleted by retention. */
  get isEmpty (): boolean { return this.count === 0 && this.pending.size === 0 && this.inTxn.size === 0 }

  get (topic: string, partition: number): CommittedOffset | undefined {
    return this.byTopic.get(topic)?.get(partition)
  }

  set (topic: string, partition: number, offset: CommittedOffset, order: LogOrder = nextLogOrder()): void {
    this.orders.set(pendingKey(topic, partition), order)
    let partitions = this.byTopic.get(topic)
    if (partitions === undefined) this.byTopic.set(topic, partitions = new Map())
    if (!partitions.has(partition)) this.count++
    partitions.set(partition, offset)
  }

  /** Removes the committed offset and any in-flight commit; true if there was a committed one. */
  delete (topic: string, partition: number): boolean {
    this.pending.delete(pendingKey(topic, partition))
    this.orders.delete(pendingKey(topic, partition))
    const partitions = this.byTopic.get(topic)
    if (partitions?.delete(partition) !== true) return false
    this.count--
    if (partitions.size === 0) this.byTopic.delete(topic)
    return true
  }

  topics (): IterableIterator<string> { return this.byTopic.keys() }

  * entries (): Generator<[TopicPartition, CommittedOffset]> {
    for (const [topic, partitions] of this.byTopic) {
      for (const [partition, offset] of partitions) yield [{ topic, partition }, offset]
    }
  }

  /** A commit in flight, or a transactional commit whose transaction has not ended (requireStable). */
  isPending (topic: string, partition: number): boolean {
    const key = pendingKey(topic, partition)
    return this.pending.has(key) || this.inTxn.has(key)
  }

  /** Counts open transactions holding an offset of the partition. */
  holdForTxn (topic: string, partition: number, delta: 1 | -1): void {
    const key = pendingKey(topic, partition)
    const count = (this.inTxn.get(key) ?? 0) + delta
    if (count > 0) this.inTxn.set(key, count)
    else this.inTxn.delete(key)
  }

  /** A committed transaction's offset: applied unless a commit written after it already is. */
  applyTxn (topic: string, partition: number, offset: CommittedOffset, order: LogOrder): void {
    const current = this.orders.get(pendingKey(topic, partition))
    if (current === undefined || current < order) this.set(topic, partition, offset, order)
  }

  stage (topic: string, partition: number, offset: CommittedOffset): void {
    this.pending.set(pendingKey(topic, partition), offset)
  }

  /** The staged commit is in the log: apply it unless a deletion overtook it. */
  complete (topic: string, partition: number, offset: CommittedOffset): void {
    const key = pendingKey(topic, partition)
    if (!this.pending.has(key)) return
    this.set(topic, partition, offset)
    if (this.pending.get(key) === offset) this.pending.delete(key)
  }

  /** The staged commit's append failed: forget it (a later commit may still be in flight). */
  fail (topic: string, partition: number, offset: CommittedOffset): void {
    const key = pendingKey(topic, partition)
    if (this.pending.get(key) === offset) this.pending.delete(key)
  }
}

function pendingKey (topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}
