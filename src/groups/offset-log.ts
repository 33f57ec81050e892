// Writes coordinator records to __consumer_offsets through the same partition log as user data.
//
// Coalescing: every record written during one event-loop turn for one partition goes out as one
// append (setImmediate runs after the poll phase, so the commits of every socket that was readable in
// that turn share it). The thread hop to the shard is then paid per partition per turn, not per
// commit, which is what lets OffsetCommit reach tens of thousands of commits a second.
//
// Ordering: appends of one partition resolve in the order they were issued (each waits for the one
// before it), so callers that update their caches when a write resolves apply them in log order.
import type { Logger } from 'pino'
import { encodeBatch, type RecordInput } from '../protocol/codec/record-batch.js'
import type { PartitionStore } from '../storage/partition-store.js'
import { OFFSETS_TOPIC } from './offsets-topic.js'

/** Stay well inside message.max.bytes (1 MiB by default) with each batch of an append. */
const MAX_BATCH_BYTES = 512 * 1024
/** Key and value framing of one record beyond its key and value bytes, for the size estimate. */
const RECORD_OVERHEAD_BYTES = 24

interface Waiter { resolve: () => void, reject: (error: unknown) => void }
interface Pending { records: RecordInput[], waiters: Waiter[] }

export class OffsetLog {
  private queued = new Map<number, Pending>()
  private scheduled = false
  private readonly tails = new Map<number, Promise<void>>()
  private appends = 0
  private recordsWritten = 0

  /** `topicReady` resolves once the topic exists; it is created on first need (coordinator.ts). */
  constructor (
    private readonly store: PartitionStore,
    private readonly log: Logger,
    readonly topic = OFFSETS_TOPIC,
    private readonly topicReady: () => Promise<void> = async () => {}
  ) {}

  /** Resolves once the records are appended to the partition's log; rejects with the store's error. */
  write (partition: number, records: readonly RecordInput[]): Promise<void> {
    return new Promise((resolve, reject) => {
      let pending = this.queued.get(partition)
      if (pending === undefined) this.queued.set(partition, pending = { records: [], waiters: [] })
      for (const record of records) pending.records.push(record)
      pending.waiters.push({ resolve, reject })
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => this.flush())
      }
    })
  }

  /**
   * Appends `records` at once as one transactional batch of `producerId` (TxnOffsetCommit): not
   * coalesced with other writes, because a batch belongs to one producer. baseSequence is -1: the
   * coordinator's own batches carry no sequence, so the partition's sequence checks skip them.
   */
  async writeTransactional (partition: number, records: readonly RecordInput[], producer: { producerId: number, producerEpoch: number }): Promise<void> {
    const nowMs = Date.now()
    const batch = encodeBatch({ records: [...records], now: BigInt(nowMs), producerId: BigInt(producer.producerId), producerEpoch: producer.producerEpoch, baseSequence: -1, transactional: true })
    this.appends++
    this.recordsWritten += records.length
    await this.topicReady()
    await this.store.append(this.topic, partition, batch, { leaderEpoch: 0, logAppendTimeMs: -1, nowMs, allowControl: true })
  }

  /** Resolves when every write issued so far has settled. */
  async drain (): Promise<void> {
    while (this.scheduled || this.tails.size > 0) {
      if (this.scheduled) await new Promise(resolve => setImmediate(resolve))
      else await Promise.allSettled([...this.tails.values()])
    }
  }

  get stats (): { appends: number, records: number } { return { appends: this.appends, records: this.recordsWritten } }

  private flush (): void {
    this.scheduled = false
    const queued = this.queued
    this.queued = new Map()
    for (const [partition, pending] of queued) this.append(partition, pending)
  }

  private append (partition: number, pending: Pending): void {
    const nowMs = Date.now()
    let done: Promise<unknown>
    try {
      const batches = encodeBatches(pending.records, BigInt(nowMs))
      done = this.topicReady().then(async () => await this.store.append(this.topic, partition, batches, { leaderEpoch: 0, logAppendTimeMs: -1, nowMs }))
    } catch (error) {
      done = Promise.reject(error)
    }
    done.catch(() => {}) // observed below, possibly only after the previous append settles
    this.appends++
    this.recordsWritten += pending.records.length
    const previous = this.tails.get(partition) ?? Promise.resolve()
    const settled = previous.then(async () => { await done })
    const tail = settled.then(() => {}, () => {})
    this.tails.set(partition, tail)
    void tail.then(() => { if (this.tails.get(partition) === tail) this.tails.delete(partition) })
    settled.then(
      () => { for (const w of pending.waiters) w.resolve() },
      (error: unknown) => {
        this.log.warn({ err: error, topic: this.topic, partition, records: pending.records.length }, 'append to the offsets topic failed')
        for (const w of pending.waiters) w.reject(error)
      }
    )
  }
}

/** One or more uncompressed batches, back to back, none larger than MAX_BATCH_BYTES. */
function encodeBatches (records: readonly RecordInput[], now: bigint): Buffer {
  const batches: Buffer[] = []
  let start = 0
  let bytes = 0
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!
    const size = (record.key?.length ?? 0) + (record.value?.length ?? 0) + RECORD_OVERHEAD_BYTES
    if (i > start && bytes + size > MAX_BATCH_BYTES) {
      batches.push(encodeBatch({ records: records.slice(start, i), now }))
      start = i
      bytes = 0
    }
    bytes += size
  }
  batches.push(encodeBatch({ records: records.slice(start), now }))
  return batches.length === 1 ? batches[0]! : Buffer.concat(batches)
}
