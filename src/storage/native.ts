// The typed face of the native storage core (native/, built to build/Release/sluice_native.node).
// This is the only module that loads the addon. Arguments are validated here; the C++ side only
// asserts them. Every native failure arrives as a StoreError with a stable `code`.
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

export interface LogConfig {
  segmentBytes: number // segment.bytes: roll when the active segment would exceed it
  segmentMs: number // segment.ms: roll when the active segment's first append is older
  indexIntervalBytes: number // index.interval.bytes
  retentionMs: number // retention.ms, -1 = unlimited
  retentionBytes: number // retention.bytes, -1 = unlimited
  /** The data lifecycle above the native core (shard-worker.ts, cleaner.ts, flush-policy.ts). */
  lifecycle?: LifecycleConfig
}

/** Topic configs the shard applies; absent: Kafka's defaults (delete, never flush explicitly). */
export interface LifecycleConfig {
  cleanupPolicy: 'delete' | 'compact' | 'compact,delete'
  deleteRetentionMs: number // delete.retention.ms: tombstones are kept at least this long
  minCompactionLagMs: number // min.compaction.lag.ms
  maxCompactionLagMs: number // max.compaction.lag.ms
  minCleanableDirtyRatio: number // min.cleanable.dirty.ratio
  flushMessages: number // flush.messages: fsync once this many records are unsynced
  flushMs: number // flush.ms: fsync once the oldest unsynced record is this old
}

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  indexIntervalBytes: 4096,
  retentionMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1
})

export interface RecoveryReport {
  segments: number
  scannedBytes: number
  truncatedBytes: number
  truncatedAtOffset: number // -1 when nothing was truncated
  rebuiltIndexes: number
  durationMs: number
  /** Segments were found without the marker a clean close leaves: the last run crashed. */
  unclean: boolean
}
export interface AppendOptions {
  leaderEpoch: number // stamped into partitionLeaderEpoch of every batch
  logAppendTimeMs: number // -1: keep CreateTime; else timestampType=1, maxTimestamp=this, CRC recomputed
  nowMs: number // for segment.ms rolls
}
export interface AppendResult { baseOffset: number, lastOffset: number, logAppendTimeMs: number, logStartOffset: number }
export interface TimestampLookup { offset: number, timestamp: number } // offset -1 when none
export interface RetentionResult { deletedSegments: number, deletedBytes: number, logStartOffset: number }
export interface EpochEndOffset { leaderEpoch: number, endOffset: number }
/** One segment; the last of a log is the active one. maxTimestamp -1: no timestamps. */
export interface SegmentInfo { baseOffset: number, sizeBytes: number, nextOffset: number, maxTimestamp: number }

/** The codes the native core throws; the storage layer above adds codes of its own. */
export type NativeErrorCode =
  | 'CORRUPT_MESSAGE' | 'INVALID_RECORD' | 'OFFSET_OUT_OF_RANGE' | 'NOT_OPEN' | 'ALREADY_OPEN'
  | 'NOT_WRITER' | 'CLOSED' | 'IO' | 'NO_SPACE' | 'INVALID_ARGUMENT'

export class StoreError extends Error {
  readonly code: string
  errno?: number
  constructor (code: string, message: string, errno?: number) {
    super(message)
    this.name = 'StoreError'
    this.code = code
    if (errno !== undefined) this.errno = errno
  }
}

interface NativeHandle {
  /** Writes [baseOffset, lastOffset, logAppendTimeMs, logStartOffset] into `out`. */
  append: (batches: Buffer, leaderEpoch: number, logAppendTimeMs: number, nowMs: number, allowControl: boolean, out: Float64Array) => void
  /** `spans`: `count` (address, length) pairs (addressOf). Writes 4 numbers per set into `out` (as
   *  append); null when all succeeded, else their errors. */
  appendManyAt: (spans: Float64Array, count: number, leaderEpoch: number, logAppendTimeMs: number, nowMs: number, allowControl: boolean, out: Float64Array) => Array<StoreError | null> | null
  /** Per view: the ArrayBuffer over its segment's mapping, the view's offset in it and its length. */
  read: (offset: number, maxBytes: number, upTo: number) => Array<ArrayBuffer | number>
  flush: () => void
  roll: () => void
  truncateTo: (offset: number) => void
  advanceLogStart: (offset: number) => number
  applyRetention: (nowMs: number) => RetentionResult
  assignEpoch: (epoch: number, startOffset: number) => void
  setConfig: (config: LogConfig) => void
  close: () => void
  delete: () => void
  highWatermark: () => number
  logStartOffset: () => number
  sizeBytes: () => number
  offsetForTimestamp: (timestampMs: number) => TimestampLookup
  maxTimestamp: () => TimestampLookup
  endOffsetForEpoch: (epoch: number) => EpochEndOffset
  latestEpoch: () => number
  recovery: () => RecoveryReport
  segments: () => SegmentInfo[]
  replaceSegments: (firstBaseOffset: number, lastBaseOffset: number, cleanedPath: string) => void
}
interface NativeAddon {
  open: (dir: string, config: LogConfig) => NativeHandle
  attach: (dir: string) => NativeHandle
  addressOf: (buf: Buffer) => number
  viewAt: (address: number, length: number) => Buffer
  flushAsync: (handles: NativeHandle[], done: (errors: Array<StoreError | null>) => void) => void
  crc32c: (data: Buffer, seed: number) => number
  crc32cHardware: boolean
  setErrorClass: (cls: typeof StoreError) => void
  batchScheduling: () => number
  /** Lets go of the buffers over mappings that no segment uses any more (see addon.cc). */
  releaseUnusedViews: () => void
  sendAnswer: (fd: number, chunks: Buffer[], done: (errno: number) => void, fromMemory: boolean) => number
  cancelSend: (id: number) => void
  recordCount: (view: Buffer) => number
}

// src/storage/native.ts and dist/storage/native.js both sit two levels below the package root.
const packageRoot = fileURLToPath(new URL('../../', import.meta.url))
const addon = createRequire(import.meta.url)(`${packageRoot}build/Release/sluice_native.node`) as NativeAddon
addon.setErrorClass(StoreError)

/**
 * Zero-copy hand-over of bytes to another thread of this process (append-rows.ts): the address of
 * `buf`'s bytes. The sender must keep `buf` referenced, and unmodified, until the receiver is done
 * with them; then viewAt(address, length) on the receiving thread reads them in place.
 */
export function addressOf (buf: Buffer): number { return addon.addressOf(buf) }

/** A Buffer over bytes another thread handed over with addressOf (see there for the lifetime): it
 *  must not be kept past the point where the sender may let them go. */
export function viewAt (address: number, length: number): Buffer { return addon.viewAt(address, length) }

/** How often an idle thread lets go of the mappings of sealed or deleted segments it read (reads
 *  also do it, every 64): a deleted file stays on disk while mapped. */
const RELEASE_VIEWS_MS = 1000
let releasing: NodeJS.Timeout | null = null

/**
 * Writes `chunks` to the socket whose descriptor is `fd`, in order; the ones that are read views are
 * read from their segment's file, not through the mapping (native/net/send.h), unless `fromMemory`.
 * Returns null when everything went out at once, or a Send still in flight: `done(errno)` is called
 * once it is all written (0) or failed; nothing else may be written to the socket until then. Throws
 * a StoreError when a write fails at once. The chunks must not change until done.
 */
export function sendAnswer (fd: number, chunks: Buffer[], done: (errno: number) => void, fromMemory = false): Send | null {
  const id = addon.sendAnswer(fd, chunks, done, fromMemory)
  if (id < 0) throw new StoreError('IO', `send to socket ${fd} failed: errno ${-id}`, -id)
  return id === 0 ? null : { cancel: () => { addon.cancelSend(id) } }
}

/** The records in a read view's batches, counted from their headers in the segment file (so that
 *  counting does not fault in pages the send never touches); -1 when `view` is not a read view. */
export function viewRecordCount (view: Buffer): number { return addon.recordCount(view) }

/** A sendAnswer in flight. cancel() stops it; its done is then called with ECANCELED. */
export interface Send { cancel: () => void }

/**
 * Puts every thread of this process, and those it starts later, under Linux's SCHED_BATCH policy:
 * a woken thread then waits for the running one to block or use up its slice instead of preempting
 * it. The broker's threads mostly wake each other (a Produce hops from the network thread to the
 * shards and back), and each preemption is a context switch, which these VMs make dear: with the
 * policy, the network thread posts to both shards and finishes its turn before they run. Measured
 * with bench/clients.ts (@platformatic/kafka, 8 partitions): see README "Performance". Returns 0, or
 * an errno (ENOSYS off Linux).
 */
export function batchScheduling (): number { return addon.batchScheduling() }

/** True when crc32c() uses the CPU's CRC32 instruction (SSE4.2) rather than the table. */
export const crc32cHardware: boolean = addon.crc32cHardware

/** CRC-32C (Castagnoli) of `data`; pass a previous result as `seed` to continue it. */
export function crc32c (data: Buffer, seed = 0): number {
  checkInt('seed', seed, 0, 0xffffffff)
  return addon.crc32c(data, seed)
}

function checkInt (name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new StoreError('INVALID_ARGUMENT', `${name} must be an integer in [${min}, ${max}], got ${value}`)
  }
}

function checkConfig (config: LogConfig): LogConfig {
  checkInt('segmentBytes', config.segmentBytes, 64, 2 ** 31 - 1) // positions in the index are int32
  checkInt('segmentMs', config.segmentMs, 1)
  checkInt('indexIntervalBytes', config.indexIntervalBytes, 0, 2 ** 31 - 1)
  checkInt('retentionMs', config.retentionMs, -1)
  checkInt('retentionBytes', config.retentionBytes, -1)
  const { segmentBytes, segmentMs, indexIntervalBytes, retentionMs, retentionBytes } = config
  return { segmentBytes, segmentMs, indexIntervalBytes, retentionMs, retentionBytes }
}

const NOW_MIN = -1 // timestamps are epoch milliseconds; -1 means "none" where Kafka allows it

export class NativeLog {
  readonly recovery: RecoveryReport
  private readonly handle: NativeHandle
  private readonly appendOut = new Float64Array(4)

  private constructor (handle: NativeHandle) {
    this.handle = handle
    this.recovery = handle.recovery()
  }

  /** Opens (creating the directory if absent) and recovers a partition log; this handle is its
   *  writer. Throws StoreError 'ALREADY_OPEN' if it is open anywhere in the process. */
  static open (dir: string, config: LogConfig = DEFAULT_LOG_CONFIG): NativeLog {
    return new NativeLog(addon.open(dir, checkConfig(config)))
  }

  /** A read-only handle, in any thread, to a log that some thread has opened. Throws 'NOT_OPEN'. */
  static attach (dir: string): NativeLog {
    return new NativeLog(addon.attach(dir))
  }

  /** Appends one or more concatenated RecordBatch v2 after validating all of them (nothing is
   *  written if one is bad: 'CORRUPT_MESSAGE' / 'INVALID_RECORD'). Offsets are assigned in the
   *  stored copy; the caller's buffer is not modified. */
  append (batches: Buffer, opts: AppendOptions & { allowControl?: boolean }): AppendResult {
    checkInt('leaderEpoch', opts.leaderEpoch, -1, 2 ** 31 - 1)
    checkInt('logAppendTimeMs', opts.logAppendTimeMs, NOW_MIN)
    checkInt('nowMs', opts.nowMs, 0)
    const out = this.appendOut
    this.handle.append(batches, opts.leaderEpoch, opts.logAppendTimeMs, opts.nowMs, opts.allowControl === true, out)
    return { baseOffset: out[0]!, lastOffset: out[1]!, logAppendTimeMs: out[2]!, logStartOffset: out[3]! }
  }

  /** Appends several record sets with the same options in one write (one system call), as if each
   *  were appended in turn: one entry per set, its result or the StoreError that refused it (a set
   *  that fails validation is left out; a failed write fails them all). */
  appendMany (sets: Buffer[], opts: AppendOptions & { allowControl?: boolean }): Array<AppendResult | StoreError> {
    const spans = new Float64Array(2 * sets.length)
    sets.forEach((set, i) => {
      spans[2 * i] = set.length === 0 ? 0 : addon.addressOf(set)
      spans[2 * i + 1] = set.length
    })
    return this.appendManyAt(spans, sets.length, opts)
  }

  /** appendMany of record sets handed over by address (addressOf): `spans` holds `count` (address,
   *  length) pairs, whose bytes the caller keeps alive and unmodified during the call. No Buffer is
   *  made per set (the shard's path: a Buffer per append was new external memory to V8 each time). */
  appendManyAt (spans: Float64Array, count: number, opts: AppendOptions & { allowControl?: boolean }): Array<AppendResult | StoreError> {
    checkInt('leaderEpoch', opts.leaderEpoch, -1, 2 ** 31 - 1)
    checkInt('logAppendTimeMs', opts.logAppendTimeMs, NOW_MIN)
    checkInt('nowMs', opts.nowMs, 0)
    checkInt('count', count, 0)
    if (spans.length < 2 * count) throw new StoreError('INVALID_ARGUMENT', `${count} spans need ${2 * count} numbers, got ${spans.length}`)
    const out = new Float64Array(4 * count)
    const errors = this.handle.appendManyAt(spans, count, opts.leaderEpoch, opts.logAppendTimeMs, opts.nowMs, opts.allowControl === true, out)
    const results: Array<AppendResult | StoreError> = []
    for (let i = 0; i < count; i++) results.push(errors?.[i] ?? { baseOffset: out[4 * i]!, lastOffset: out[4 * i + 1]!, logAppendTimeMs: out[4 * i + 2]!, logStartOffset: out[4 * i + 3]! })
    return results
  }

  flush (): void { this.handle.flush() }

  /** fsyncs `logs` (data, indexes and the directory entries of new segment files) on a pool thread
   *  while this thread goes on appending; `done` then runs on this thread with one entry per log,
   *  null or the StoreError. A null entry means everything appended to that log before this call is
   *  on disk. Writer handles only. */
  static flushAsync (logs: NativeLog[], done: (errors: Array<StoreError | null>) => void): void {
    addon.flushAsync(logs.map((log) => log.handle), done)
  }

  /** Seals the active segment and starts a new one (a no-op while the active one is empty). The
   *  new segment's segment.ms clock starts at its first append, so `nowMs` is only validated. */
  roll (nowMs: number): void {
    checkInt('nowMs', nowMs, 0)
    this.handle.roll()
  }

  /** Drops every batch at or after the one containing `offset`. */
  truncateTo (offset: number): void {
    checkInt('offset', offset, 0)
    this.handle.truncateTo(offset)
  }

  /** DeleteRecords: log start := max(current, offset); deletes segments wholly below it. */
  advanceLogStart (offset: number): number {
    checkInt('offset', offset, 0)
    return this.handle.advanceLogStart(offset)
  }

  applyRetention (nowMs: number): RetentionResult {
    checkInt('nowMs', nowMs, 0)
    return this.handle.applyRetention(nowMs)
  }

  /** Records (durably, in leader-epoch-checkpoint) that `epoch` begins at `startOffset`. */
  assignEpoch (epoch: number, startOffset: number): void {
    checkInt('epoch', epoch, 0, 2 ** 31 - 1)
    checkInt('startOffset', startOffset, 0)
    this.handle.assignEpoch(epoch, startOffset)
  }

  setConfig (config: LogConfig): void { this.handle.setConfig(checkConfig(config)) }

  /** Flushes, trims the preallocation and releases the log. Views already handed out stay valid. */
  close (): void { this.handle.close() }

  /** Closes the log and removes its directory. Views already handed out stay valid. */
  delete (): void { this.handle.delete() }

  /** Zero-copy views (treat them as read-only) of whole batches from the one containing `offset`,
   *  up to maxBytes (the first batch is whole even if larger), stopping before min(HW, upTo).
   *  Empty at the end of the log; 'OFFSET_OUT_OF_RANGE' below the log start or above the HW. */
  read (offset: number, maxBytes: number, upTo?: number): Buffer[] {
    checkInt('offset', offset, 0)
    checkInt('maxBytes', maxBytes, 0)
    if (upTo !== undefined) checkInt('upTo', upTo, 0)
    releasing ??= setInterval(() => { addon.releaseUnusedViews() }, RELEASE_VIEWS_MS).unref()
    const flat = this.handle.read(offset, maxBytes, upTo ?? -1)
    const views: Buffer[] = []
    for (let i = 0; i < flat.length; i += 3) views.push(Buffer.from(flat[i] as ArrayBuffer, flat[i + 1] as number, flat[i + 2] as number))
    return views
  }

  highWatermark (): number { return this.handle.highWatermark() }
  logStartOffset (): number { return this.handle.logStartOffset() }
  sizeBytes (): number { return this.handle.sizeBytes() }

  /** The first offset whose timestamp >= timestampMs ({offset: -1} when none). Exact for
   *  uncompressed CreateTime batches; otherwise the first offset of the batch that holds it. */
  offsetForTimestamp (timestampMs: number): TimestampLookup {
    checkInt('timestampMs', timestampMs, -1)
    return this.handle.offsetForTimestamp(timestampMs)
  }

  /** The record with the largest timestamp (ListOffsets -3), {offset: -1} on an empty log. */
  maxTimestamp (): TimestampLookup { return this.handle.maxTimestamp() }

  /** OffsetForLeaderEpoch: the largest epoch <= `epoch` and the offset where the next one starts. */
  endOffsetForEpoch (epoch: number): EpochEndOffset {
    checkInt('epoch', epoch, -1, 2 ** 31 - 1)
    return this.handle.endOffsetForEpoch(epoch)
  }

  latestEpoch (): number { return this.handle.latestEpoch() }

  /** Every segment, oldest first; the last one is active. */
  segments (): SegmentInfo[] { return this.handle.segments() }

  /** Compaction: swaps the sealed segments from `firstBaseOffset` to `lastBaseOffset` (one, or several
   *  in a row) for the cleaned copy in `cleanedPath` (a file in the log's directory holding a subset of
   *  their batches and ending with the last one's last batch, emptied if need be), which becomes one
   *  segment at `firstBaseOffset`. Views of the old segments stay valid. */
  replaceSegments (firstBaseOffset: number, lastBaseOffset: number, cleanedPath: string): void {
    checkInt('firstBaseOffset', firstBaseOffset, 0)
    checkInt('lastBaseOffset', lastBaseOffset, firstBaseOffset)
    this.handle.replaceSegments(firstBaseOffset, lastBaseOffset, cleanedPath)
  }
}
