// The broker's view of storage: every partition log of the data directory, each written by exactly one
// shard worker and read on the calling thread.
//
// Writes (append, truncate, retention, flush, config) go to the partition's shard, chosen by a stable
// hash, and are coalesced per event-loop turn into one message per shard (see shard-channel.ts).
// Reads are synchronous: the main thread holds an attached handle on each log and reads the mapped
// segments up to the high watermark the shard publishes atomically, with no thread hop.
//
// Per-partition configs given to createPartition/setConfig are not persisted here: on reopen every
// discovered partition starts from `defaults`, and the broker re-applies its topic configs.
import { mkdirSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { NativeLog, StoreError, type AppendResult, type LogConfig, type RecoveryReport, type TimestampLookup } from './native.js'
import type { LogId, RetentionChange } from './messages.js'
import type { CleanResult } from './cleaner.js'
import { CLEANER_BACKOFF_MS } from './shard-lifecycle.js'
import type { AbortedTxn, ProducerView } from './producer-state.js'
import { ShardChannel, type AppendHook, type ShardDepth, type ShardStats } from './shard-channel.js'
import { releaseShardThreads } from './shard-threads.js'
import { shardOf } from './shard-routing.js'
import { discoverPartitions, partitionDirName, type PartitionId } from './partition-dir.js'
import { fromWireError } from './wire-error.js'
import type { ShardAppendOptions } from './append-rows.js'
import { DataWaiters } from './data-waiters.js'

export interface PartitionStoreOptions {
  dataDir: string
  /** Shard worker threads; default: os.availableParallelism(). */
  shards?: number
  defaults: LogConfig
  /** How often each shard applies retention (log.retention.check.interval.ms); default 300000. */
  retentionCheckIntervalMs?: number
  /** How often each shard looks for logs to compact (log.cleaner.backoff.ms); default 15000. */
  cleanerBackoffMs?: number
  /** producer.id.expiration.ms: idle producers' sequence state is dropped after this; default 86400000. */
  producerExpirationMs?: number
}

export type AppendListener = (topic: string, partition: number, highWatermark: number) => void

/** A shard's retention check deleted segments of a partition, or failed on it (`error`). */
export interface RetentionEvent {
  topic: string
  partition: number
  logStartOffset: number
  deletedSegments: number
  deletedBytes: number
  error: Error | null
}

export interface StoreStats { shards: Array<ShardStats & ShardDepth> }

/** What opening the data directory found: `unclean` partitions had crashed and were scanned whole. */
export interface StoreRecovery { partitions: number, unclean: number, scannedBytes: number, truncatedBytes: number, rebuiltIndexes: number }

interface Partition {
  id: PartitionId
  /** The directory name under dataDir, `<topic>-<partition>`. */
  name: string
  log: LogId
  shard: ShardChannel
  reader: NativeLog
  config: LogConfig
  waiters: DataWaiters
  /** First offset of the oldest open transaction (-1: none), as of the last append the shard answered. */
  firstUnstableOffset: number
  /** The log end that firstUnstableOffset describes. The reader sees the shard's appends before their
   *  answers arrive (a turn's answers arrive in turn, and the first wakes Fetches), so past this end
   *  may lie a transaction we do not know is open: the stable offset stays below it. */
  knownEnd: number
  /** Aborted transactions, by marker offset, for read_committed fetches. */
  aborted: AbortedTxn[]
  /** Runs as the shard's answer to a plain append arrives (shard-channel.ts), before its promise
   *  settles: waiting Fetches wake in the same turn, ahead of the Produce's answer. */
  appended: AppendHook
}

const DEFAULT_RETENTION_CHECK_MS = 300_000
const DEFAULT_PRODUCER_EXPIRATION_MS = 86_400_000
const PRODUCER_ID_AT = 43 // in a RecordBatch v2 header
/** Kafka's legal topic names; anything else could also escape the data directory. */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/

export class PartitionStore {
  /** Open partitions by topic and number (lookups on the request paths build no name string). */
  private readonly partitionsByTopic = new Map<string, Map<number, Partition>>()
  /** Every open partition by its log id, in the order they opened: the shards' retention reports name logs. */
  private readonly partitionsByLog = new Map<LogId, Partition>()
  private readonly opening = new Set<string>()
  private nextLogId = 1
  private readonly appendListeners = new Set<AppendListener>()
  private readonly retentionListeners = new Set<(event: RetentionEvent) => void>()
  private shards: ShardChannel[] = []
  private closing: Promise<void> | null = null
  private readonly recovered: StoreRecovery = { partitions: 0, unclean: 0, scannedBytes: 0, truncatedBytes: 0, rebuiltIndexes: 0 }

  private constructor (private readonly dataDir: string, private readonly defaults: LogConfig) {}

  /** Starts the shards, then opens (recovers) every `<topic>-<partition>` directory found in dataDir.
   *  The opens are sent before this returns its promise: the shards work on them while the caller
   *  goes on (sluice start loads the rest of the broker meanwhile). */
  static async open (opts: PartitionStoreOptions): Promise<PartitionStore> {
    const count = opts.shards ?? availableParallelism()
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`shards must be a positive integer, got ${count}`)
    mkdirSync(opts.dataDir, { recursive: true })
    const store = new PartitionStore(opts.dataDir, opts.defaults)
    store.shards = Array.from({ length: count }, (_, shardId) => ShardChannel.start({
      shardId,
      retentionCheckIntervalMs: opts.retentionCheckIntervalMs ?? DEFAULT_RETENTION_CHECK_MS,
      cleanerBackoffMs: opts.cleanerBackoffMs ?? CLEANER_BACKOFF_MS,
      producerExpirationMs: opts.producerExpirationMs ?? DEFAULT_PRODUCER_EXPIRATION_MS,
      onRetention: (changes) => { store.reportRetention(changes) }
    }))
    void releaseShardThreads()
    try {
      const opened = discoverPartitions(opts.dataDir).map(async (id) => { store.countRecovery(await store.openPartition(id, opts.defaults)) })
      for (const shard of store.shards) shard.sendNow()
      await Promise.all(opened)
    } catch (err) {
      await store.close().catch((closeErr: unknown) => { throw new AggregateError([err, closeErr], 'open failed, then close failed') })
      throw err
    }
    return store
  }

  /** What open() found in the data directory. */
  get recovery (): Readonly<StoreRecovery> { return this.recovered }

  partitions (): PartitionId[] {
    return [...this.partitionsByLog.values()].map((p) => ({ ...p.id }))
  }

  async createPartition (topic: string, partition: number, config: Partial<LogConfig> = {}): Promise<void> {
    this.checkOpen()
    if (!TOPIC_NAME.test(topic) || topic === '.' || topic === '..') throw new StoreError('INVALID_PARTITION', `invalid topic name ${JSON.stringify(topic)}`)
    if (!Number.isInteger(partition) || partition < 0 || partition > 0x7fffffff) throw new StoreError('INVALID_PARTITION', `invalid partition ${partition}`)
    const name = partitionDirName(topic, partition)
    if (this.partitionsByTopic.get(topic)?.has(partition) === true || this.opening.has(name)) throw new StoreError('PARTITION_EXISTS', `${name} already exists`)
    await this.openPartition({ topic, partition }, { ...this.defaults, ...config })
  }

  async deletePartition (topic: string, partition: number): Promise<void> {
    const p = this.partition(topic, partition)
    this.forget(p)
    await p.shard.send({ kind: 'delete', log: p.log })
  }

  async setConfig (topic: string, partition: number, config: Partial<LogConfig>): Promise<void> {
    const p = this.partition(topic, partition)
    const merged = { ...p.config, ...config }
    await p.shard.send({ kind: 'setConfig', log: p.log, config: merged })
    p.config = merged
  }

  /** `batches`: one or more RecordBatch v2, as received. The shard reads them in place (no copy), so
   *  they must not be modified until the returned promise settles. */
  append (topic: string, partition: number, batches: Buffer, opts: ShardAppendOptions): Promise<AppendResult> {
    let p: Partition
    try {
      p = this.partition(topic, partition)
    } catch (err) {
      return Promise.reject(err)
    }
    // Not async, and no .then: the partition's hook sees the result first (one promise per append).
    return p.shard.append(p.log, batches, opts, p.appended)
  }

  /** Writes a transaction marker (a control batch from encodeTxnMarker) for the producer it names. */
  async appendMarker (topic: string, partition: number, marker: Buffer, nowMs: number): Promise<AppendResult> {
    const p = this.partition(topic, partition)
    const result = await p.shard.append(p.log, marker, { leaderEpoch: 0, logAppendTimeMs: -1, nowMs, allowControl: true })
    p.firstUnstableOffset = result.firstUnstableOffset
    p.knownEnd = Math.max(p.knownEnd, result.lastOffset + 1)
    if (result.abortedFirstOffset >= 0) {
      p.aborted.push({ producerId: Number(marker.readBigInt64BE(PRODUCER_ID_AT)), firstOffset: result.abortedFirstOffset, lastOffset: result.baseOffset })
    }
    if (this.partitionsByLog.has(p.log)) this.notifyAppend(p, result.lastOffset + 1)
    return result
  }

  /** Below this offset no transaction is open: min(first offset of each open transaction, HW). */
  lastStableOffset (topic: string, partition: number): number {
    const p = this.partition(topic, partition)
    const end = Math.min(p.reader.highWatermark(), p.knownEnd)
    return p.firstUnstableOffset < 0 ? end : Math.min(p.firstUnstableOffset, end)
  }

  /** The aborted transactions that overlap [from, to): begun before `to`, their ABORT marker at or after `from`. */
  abortedTransactions (topic: string, partition: number, from: number, to: number): AbortedTxn[] {
    const p = this.partition(topic, partition)
    // Transactions wholly below the log start (retention, DeleteRecords) can no longer be fetched.
    const logStart = p.reader.logStartOffset()
    let gone = 0
    while (gone < p.aborted.length && p.aborted[gone]!.lastOffset < logStart) gone++
    if (gone > 0) p.aborted.splice(0, gone)
    const { aborted } = p
    const out: AbortedTxn[] = []
    for (let i = aborted.length - 1; i >= 0 && aborted[i]!.lastOffset >= from; i--) {
      if (aborted[i]!.firstOffset < to) out.push(aborted[i]!)
    }
    return out.reverse()
  }

  /** The producers the partition's shard keeps state for (DescribeProducers). */
  async producers (topic: string, partition: number): Promise<ProducerView[]> {
    const p = this.partition(topic, partition)
    return await p.shard.send({ kind: 'producers', log: p.log })
  }

  /** Zero-copy views of whole batches from `offset`; see NativeLog.read for the bounds. */
  read (topic: string, partition: number, offset: number, maxBytes: number, upTo?: number): Buffer[] {
    return this.partition(topic, partition).reader.read(offset, maxBytes, upTo)
  }

  highWatermark (topic: string, partition: number): number {
    return this.partition(topic, partition).reader.highWatermark()
  }

  logStartOffset (topic: string, partition: number): number {
    return this.partition(topic, partition).reader.logStartOffset()
  }

  sizeBytes (topic: string, partition: number): number {
    return this.partition(topic, partition).reader.sizeBytes()
  }

  offsetForTimestamp (topic: string, partition: number, timestampMs: number): TimestampLookup {
    return this.partition(topic, partition).reader.offsetForTimestamp(timestampMs)
  }

  maxTimestamp (topic: string, partition: number): TimestampLookup {
    return this.partition(topic, partition).reader.maxTimestamp()
  }

  endOffsetForEpoch (topic: string, partition: number, epoch: number): { leaderEpoch: number, endOffset: number } {
    return this.partition(topic, partition).reader.endOffsetForEpoch(epoch)
  }

  /** The newest leader epoch in the partition's checkpoint, -1 when none. */
  latestEpoch (topic: string, partition: number): number {
    return this.partition(topic, partition).reader.latestEpoch()
  }

  /**
   * Resolves once the high watermark is above `offset` (at once if it already is), when `signal`
   * aborts, or when the partition is deleted or the store closes. Never rejects once waiting: the
   * caller checks the partition again afterwards (see data-waiters.ts).
   */
  async waitForData (topic: string, partition: number, offset: number, signal: AbortSignal): Promise<void> {
    const p = this.partition(topic, partition)
    if (p.reader.highWatermark() > offset) return
    await p.waiters.wait(offset, signal)
  }

  /** Calls `wake` once the high watermark passes `offset` (at once, synchronously, if it already has),
   *  or when the partition is deleted or the store closes; returns a cancel function. Fetch long polls
   *  use this rather than waitForData: no promise or AbortController per partition per wait. */
  watchData (topic: string, partition: number, offset: number, wake: () => void): () => void {
    const p = this.partition(topic, partition)
    if (p.reader.highWatermark() > offset) {
      wake()
      return () => {}
    }
    return p.waiters.watch(offset, wake)
  }

  /** Called after every append completes, with the partition's new high watermark. Returns an
   *  unsubscribe. Listeners must not throw: the exception would reach that append's caller. */
  onAppend (listener: AppendListener): () => void {
    this.appendListeners.add(listener)
    return () => { this.appendListeners.delete(listener) }
  }

  onRetention (listener: (event: RetentionEvent) => void): () => void {
    this.retentionListeners.add(listener)
    return () => { this.retentionListeners.delete(listener) }
  }

  /** DeleteRecords: raises the log start offset; returns the new one. */
  async advanceLogStart (topic: string, partition: number, offset: number): Promise<number> {
    const p = this.partition(topic, partition)
    return await p.shard.send({ kind: 'advanceLogStart', log: p.log, offset })
  }

  /** Records durably that leader `epoch` starts at `startOffset` (for endOffsetForEpoch). */
  async assignEpoch (topic: string, partition: number, epoch: number, startOffset: number): Promise<void> {
    const p = this.partition(topic, partition)
    await p.shard.send({ kind: 'assignEpoch', log: p.log, epoch, startOffset })
  }

  /** Runs one compaction pass on a partition now, whatever its cleanup.policy (its shard also runs
   *  one every CLEANER_BACKOFF_MS on compacted topics). Null when nothing was due. */
  async compact (topic: string, partition: number, nowMs = Date.now()): Promise<CleanResult | null> {
    const p = this.partition(topic, partition)
    return await p.shard.send({ kind: 'clean', log: p.log, nowMs })
  }

  async truncateTo (topic: string, partition: number, offset: number): Promise<void> {
    const p = this.partition(topic, partition)
    await p.shard.send({ kind: 'truncateTo', log: p.log, offset })
  }

  /** fsyncs one partition, every partition of `topic`, or everything. */
  async flush (topic?: string, partition?: number): Promise<void> {
    this.checkOpen()
    if (topic === undefined) {
      await Promise.all(this.shards.map(async (shard) => { await shard.send({ kind: 'flush', log: null }) }))
      return
    }
    if (partition !== undefined) this.partition(topic, partition)
    const targets = [...this.partitionsByTopic.get(topic)?.values() ?? []].filter((p) => partition === undefined || p.id.partition === partition)
    await Promise.all(targets.map(async (p) => { await p.shard.send({ kind: 'flush', log: p.log }) }))
  }

  /** Flushes and closes every log, then stops the shards. Idempotent. */
  async close (): Promise<void> {
    this.closing ??= this.shutdown()
    await this.closing
  }

  stats (): StoreStats {
    return { shards: this.shards.map((s) => ({ ...s.stats, ...s.depth() })) }
  }

  private async shutdown (): Promise<void> {
    for (const p of [...this.partitionsByLog.values()]) this.forget(p)
    const closed = await Promise.allSettled(this.shards.map(async (shard) => { await shard.send({ kind: 'closeAll' }) }))
    await Promise.all(this.shards.map(async (shard) => { await shard.stop() }))
    for (const c of closed) if (c.status === 'rejected') throw c.reason
  }

  private countRecovery (report: RecoveryReport): void {
    const r = this.recovered
    r.partitions++
    if (report.unclean) r.unclean++
    r.scannedBytes += report.scannedBytes
    r.truncatedBytes += report.truncatedBytes
    r.rebuiltIndexes += report.rebuiltIndexes
  }

  private async openPartition (id: PartitionId, config: LogConfig): Promise<RecoveryReport> {
    const name = partitionDirName(id.topic, id.partition)
    const shard = this.shards[shardOf(id.topic, id.partition, this.shards.length)]
    if (shard === undefined) throw new Error(`no shard for ${name}`)
    const dir = join(this.dataDir, name)
    const log = this.nextLogId++
    this.opening.add(name)
    try {
      const opened = await shard.send({ kind: 'open', log, dir, config })
      this.checkOpen()
      const reader = NativeLog.attach(dir)
      const p: Partition = {
        id, name, log, shard, reader, config, waiters: new DataWaiters(),
        firstUnstableOffset: opened.firstUnstableOffset, knownEnd: reader.highWatermark(), aborted: opened.aborted,
        appended: (result) => {
          p.firstUnstableOffset = result.firstUnstableOffset
          p.knownEnd = Math.max(p.knownEnd, result.lastOffset + 1)
          if (this.partitionsByLog.has(p.log)) this.notifyAppend(p, result.lastOffset + 1)
        }
      }
      const ofTopic = this.partitionsByTopic.get(id.topic)
      if (ofTopic === undefined) this.partitionsByTopic.set(id.topic, new Map([[id.partition, p]]))
      else ofTopic.set(id.partition, p)
      this.partitionsByLog.set(log, p)
      return opened.recovery
    } finally {
      this.opening.delete(name)
    }
  }

  /** Takes a partition out of the store at once; its shard may still be finishing queued ops. */
  private forget (p: Partition): void {
    const ofTopic = this.partitionsByTopic.get(p.id.topic)
    ofTopic?.delete(p.id.partition)
    if (ofTopic?.size === 0) this.partitionsByTopic.delete(p.id.topic)
    this.partitionsByLog.delete(p.log)
    p.waiters.wakeAll()
  }

  private partition (topic: string, partition: number): Partition {
    this.checkOpen()
    const p = this.partitionsByTopic.get(topic)?.get(partition)
    if (p === undefined) throw new StoreError('UNKNOWN_PARTITION', `${topic}-${partition} is not a partition of this store`)
    return p
  }

  private checkOpen (): void {
    if (this.closing !== null) throw new StoreError('CLOSED', 'the partition store is closed')
  }

  private notifyAppend (p: Partition, highWatermark: number): void {
    p.waiters.wake(highWatermark)
    for (const listener of this.appendListeners) listener(p.id.topic, p.id.partition, highWatermark)
  }

  private reportRetention (changes: RetentionChange[]): void {
    for (const change of changes) {
      const p = this.partitionsByLog.get(change.log)
      if (p === undefined) continue // deleted or closed since the shard's check
      if (change.emptiedAborts !== undefined) {
        // Before the pass that removes their markers: with no data left, read_committed needs neither.
        const emptied = new Set(change.emptiedAborts)
        p.aborted = p.aborted.filter((a) => !emptied.has(a.lastOffset))
      }
      if (change.deletedSegments === 0 && change.error === null) continue
      const error = change.error === null ? null : fromWireError(change.error)
      const event: RetentionEvent = { ...p.id, logStartOffset: change.logStartOffset, deletedSegments: change.deletedSegments, deletedBytes: change.deletedBytes, error }
      for (const listener of this.retentionListeners) listener(event)
    }
  }
}
