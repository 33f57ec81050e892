// Log compaction (cleanup.policy=compact), after Kafka's LogCleaner, run by the partition's shard.
//
// One pass over a log:
//   1. The cleanable range is the sealed segments, oldest first, up to the first one holding a record
//      younger than min.compaction.lag.ms or an offset at or past the first unstable offset (an open
//      transaction's batches are never cleaned). The active segment is never touched.
//   2. The dirty part is what lies at or after the checkpoint (`cleaner-offset-checkpoint`, the first
//      offset no pass has mapped yet). The pass runs when dirty bytes / cleanable bytes reaches
//      min.cleanable.dirty.ratio, or when the first dirty record is older than max.compaction.lag.ms.
//   3. The newest offset of every key in the dirty part goes into a map (bounded: the pass stops
//      mapping at the segment where the map fills up, as Kafka's OffsetMap does). Committed
//      transactional records count like any other; aborted ones and markers do not.
//   4. Every cleanable segment up to the end of the mapped part is rewritten without the records a
//      newer one of the same key supersedes, and without tombstones older than delete.retention.ms.
//      Offsets are kept: batches keep their base offset and lastOffsetDelta, records their deltas, so
//      compaction leaves gaps. A batch is copied byte for byte when it loses nothing, re-encoded with
//      its own codec otherwise. A batch that loses every record is dropped, except an idempotent
//      producer's (kept empty, so its sequence state survives a restart) and the segment's last
//      (kept empty, so the segment still ends where the next begins; see native/log/log_clean.cc).
//      Batches of aborted transactions lose all their records, and are dropped unless they are their
//      producer's newest or the segment's last; transaction markers go once no batch of their
//      transaction is left and their delete horizon has passed (cleaner-txn.ts).
//      Consecutive segments whose cleaned sizes add up to at most segment.bytes are written as one
//      (as Kafka's cleaner groups them), so that a compacted log does not keep a small file per roll.
//   5. The checkpoint moves to the end of the mapped part.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { batchHeader, decodeBatch, encodeBatch, iterateBatches, TimestampType, type BatchHeader, type BatchView, type Record } from '../protocol/codec/record-batch.js'
import { DEFAULT_LOG_CONFIG, type LifecycleConfig, type NativeLog, type SegmentInfo } from './native.js'
import { NO_TXNS, TxnCleaning, type LogTxns } from './cleaner-txn.js'

export const CLEANER_CHECKPOINT = 'cleaner-offset-checkpoint'
/** Keys one pass may map (Kafka sizes its map in bytes, log.cleaner.dedupe.buffer.size). */
export const DEFAULT_MAX_KEYS = 1_000_000

export interface CleanResult {
  /** Segments rewritten; `mergedSegments` of them were merged into the one before them. */
  cleanedSegments: number
  mergedSegments: number
  bytesBefore: number // of the segments rewritten
  bytesAfter: number
  recordsRemoved: number
  /** The new checkpoint: the first offset the next pass treats as dirty. */
  firstDirtyOffset: number
  /** Aborted transactions (by ABORT marker offset) the pass found no batch of: the partition's
   *  aborted-transaction lists drop them, before a later pass removes the marker. */
  emptiedAborts: number[]
  /** The earliest delete horizon of a marker the pass kept, Infinity when none: a pass is due then. */
  nextHorizonMs: number
}

/** The topic configs a pass follows; `maxKeys` bounds its offset map (default DEFAULT_MAX_KEYS);
 *  `txns` is the partition's transaction state (default: none); `horizonDueMs` is the last pass's
 *  nextHorizonMs: from then on a pass runs even without dirty data, to remove markers;
 *  `maxSegmentBytes` (segment.bytes) bounds a segment that merges cleaned ones (default Kafka's). */
export type Compaction = Pick<LifecycleConfig, 'deleteRetentionMs' | 'minCompactionLagMs' | 'maxCompactionLagMs' | 'minCleanableDirtyRatio'> & {
  maxKeys?: number, txns?: LogTxns, horizonDueMs?: number, maxSegmentBytes?: number
}

/** Bytes of log a pass reads between two yields of cleanSteps. */
export const STEP_BYTES = 256 * 1024

/** One whole pass of the cleaner over `log` (its writer), whose directory is `dir`. Null when nothing was due. */
export function cleanLog (log: NativeLog, dir: string, cfg: Compaction, nowMs: number): CleanResult | null {
  const steps = cleanSteps(log, dir, cfg, nowMs)
  for (;;) {
    const step = steps.next()
    if (step.done === true) return step.value
  }
}

interface Plan { start: number, cleanable: SegmentInfo[], dirty: SegmentInfo[], firstDirty: number }

/** What decides the fate of each batch in step 4. */
interface Rules {
  survives: (r: Record, timestamp: number) => boolean
  txns: TxnCleaning
  lastDataOffset: LogTxns['lastDataOffset']
  nowMs: number
  deleteRetentionMs: number
  /** The earliest delete horizon still ahead among the markers the pass kept (Infinity: none). */
  nextHorizonMs: number
}

/**
 * The same pass, yielding after about every STEP_BYTES of log read, so that the shard can run other
 * partitions' appends in between (shard-lifecycle.ts). Between two steps the log may change: appends
 * only touch the active segment; a segment deleted meanwhile (retention, DeleteRecords) makes
 * replaceSegments throw, which ends the pass with that error and leaves the checkpoint where it was.
 */
export function * cleanSteps (log: NativeLog, dir: string, cfg: Compaction, nowMs: number): Generator<void, CleanResult | null> {
  const txns = cfg.txns ?? NO_TXNS
  const plan = planPass(log, dir, cfg, nowMs)
  if (plan === null) return null
  const { newest, mappedEnd } = yield * mapNewestOffsets(log, plan, cfg.maxKeys ?? DEFAULT_MAX_KEYS, txns)
  const rules: Rules = {
    survives: (r: Record, timestamp: number): boolean => {
      if (r.key === null) return true
      const latest = newest.get(r.key.toString('latin1'))
      if (latest !== undefined && latest > Number(r.offset)) return false
      return r.value !== null || timestamp + cfg.deleteRetentionMs >= nowMs
    },
    txns: new TxnCleaning(txns.aborted),
    lastDataOffset: txns.lastDataOffset,
    nowMs,
    deleteRetentionMs: cfg.deleteRetentionMs,
    nextHorizonMs: Infinity
  }
  const result: CleanResult = {
    cleanedSegments: 0, mergedSegments: 0, bytesBefore: 0, bytesAfter: 0, recordsRemoved: 0, firstDirtyOffset: mappedEnd, emptiedAborts: rules.txns.emptiedAborts, nextHorizonMs: Infinity
  }
  let group: Group | null = null
  const finish = (): void => {
    if (group !== null && (group.segments.length > 1 || group.changed)) replaceGroup(log, dir, group, result)
    group = null
  }
  for (const seg of plan.cleanable) {
    if (seg.baseOffset >= mappedEnd) break
    yield
    const views = segmentBatches(log, seg, plan.start)
    const last = views[views.length - 1]?.header
    // Every segment goes through cleanSegment, so that the transaction state follows the whole log;
    // only a whole one is rewritten: the copy must end with the batch the segment ends with.
    const rewritten = yield * cleanSegment(views, seg.baseOffset < plan.start, rules)
    if (last === undefined || Number(last.baseOffset) + last.lastOffsetDelta + 1 !== seg.nextOffset) {
      finish()
      continue
    }
    const batches = rewritten?.batches ?? views.map((v) => v.bytes)
    const bytes = batches.reduce((n, b) => n + b.length, 0)
    if (group === null || !fits(group, seg, bytes, cfg.maxSegmentBytes ?? DEFAULT_LOG_CONFIG.segmentBytes)) {
      finish()
      group = { segments: [], batches: [], bytes: 0, changed: false, removed: 0 }
    }
    group.segments.push(seg)
    group.batches.push(...batches)
    group.bytes += bytes
    group.changed ||= rewritten !== null
    group.removed += rewritten?.removed ?? 0
  }
  finish()
  result.nextHorizonMs = rules.nextHorizonMs
  writeCheckpoint(dir, mappedEnd)
  return result
}

/** Consecutive cleaned segments that become one (Kafka's cleaner groups segments by size too). */
interface Group { segments: SegmentInfo[], batches: Buffer[], bytes: number, changed: boolean, removed: number }

/** Whether `seg`, `bytes` once cleaned, may join `group`: the merged segment stays within
 *  segment.bytes, and its offsets within what an index entry (32 bits relative to the base) holds. */
function fits (group: Group, seg: SegmentInfo, bytes: number, maxBytes: number): boolean {
  return group.bytes + bytes <= maxBytes && seg.nextOffset - 1 - group.segments[0]!.baseOffset <= 0x7fffffff
}

function replaceGroup (log: NativeLog, dir: string, group: Group, result: CleanResult): void {
  const first = group.segments[0]!
  const path = join(dir, `${first.baseOffset}.cleaned`)
  writeDurably(path, group.batches)
  log.replaceSegments(first.baseOffset, group.segments[group.segments.length - 1]!.baseOffset, path)
  result.cleanedSegments += group.segments.length
  result.mergedSegments += group.segments.length - 1
  result.bytesBefore += group.segments.reduce((n, s) => n + s.sizeBytes, 0)
  result.bytesAfter += group.bytes
  result.recordsRemoved += group.removed
}

/** Steps 1 and 2: what is cleanable and dirty, and whether a pass is due at all. */
function planPass (log: NativeLog, dir: string, cfg: Compaction, nowMs: number): Plan | null {
  const start = log.logStartOffset()
  const unstable = cfg.txns?.firstUnstableOffset ?? -1
  const sealed = log.segments().slice(0, -1)
  let end = 0
  while (end < sealed.length && nowMs - sealed[end]!.maxTimestamp >= cfg.minCompactionLagMs && (unstable < 0 || sealed[end]!.nextOffset <= unstable)) end++
  const cleanable = sealed.slice(0, end).filter((s) => s.nextOffset > start)
  const firstDirty = Math.max(readCheckpoint(dir), start)
  const dirty = cleanable.filter((s) => s.nextOffset > firstDirty)
  // A marker whose delete horizon has passed is reason enough for a pass, dirty data or not.
  const horizonDue = (cfg.horizonDueMs ?? Infinity) <= nowMs && cleanable.length > 0
  const first = dirty[0]
  if (first === undefined) return horizonDue ? { start, cleanable, dirty, firstDirty } : null
  const dirtyBytes = dirty.reduce((n, s) => n + s.sizeBytes, 0)
  const totalBytes = cleanable.reduce((n, s) => n + s.sizeBytes, 0)
  const overdue = nowMs - firstTimestamp(log, first, Math.max(firstDirty, first.baseOffset)) > cfg.maxCompactionLagMs
  return dirtyBytes < cfg.minCleanableDirtyRatio * totalBytes && !overdue && !horizonDue ? null : { start, cleanable, dirty, firstDirty }
}

/** Step 3: the newest offset of each key of the dirty segments, up to a segment boundary past maxKeys. */
function * mapNewestOffsets (log: NativeLog, plan: Plan, maxKeys: number, txns: LogTxns): Generator<void, { newest: Map<string, number>, mappedEnd: number }> {
  const newest = new Map<string, number>()
  const cleaning = new TxnCleaning(txns.aborted)
  let mappedEnd = plan.firstDirty
  let read = 0
  for (const seg of plan.dirty) {
    for (const view of segmentBatches(log, seg, plan.start)) {
      read += view.bytes.length
      if (read >= STEP_BYTES) {
        read = 0
        yield
      }
      const h = view.header
      const lastOffset = Number(h.baseOffset) + h.lastOffsetDelta
      if (h.control) {
        cleaning.onMarker(Number(h.producerId), markerType(decodeBatch(view.bytes, { verifyCrc: false }).records), lastOffset)
        continue
      }
      if (cleaning.onData(Number(h.producerId), h.transactional, lastOffset)) continue
      for (const r of decodeBatch(view.bytes, { verifyCrc: false }).records) {
        if (r.key !== null) newest.set(r.key.toString('latin1'), Number(r.offset))
      }
    }
    mappedEnd = seg.nextOffset
    if (newest.size >= maxKeys) break
  }
  return { newest, mappedEnd }
}

/** The checkpoint, or 0 when no pass has run. */
export function readCheckpoint (dir: string): number {
  try {
    const value = Number(readFileSync(join(dir, CLEANER_CHECKPOINT), 'utf8').trim())
    return Number.isSafeInteger(value) && value >= 0 ? value : 0
  } catch {
    return 0
  }
}

function writeCheckpoint (dir: string, offset: number): void {
  const tmp = join(dir, `${CLEANER_CHECKPOINT}.tmp`)
  writeDurably(tmp, [Buffer.from(`${offset}\n`)])
  renameSync(tmp, join(dir, CLEANER_CHECKPOINT))
}

function writeDurably (path: string, chunks: Buffer[]): void {
  const fd = openSync(path, 'w')
  try {
    for (const chunk of chunks) writeSync(fd, chunk)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** The batches of one segment at or after the log start. */
function segmentBatches (log: NativeLog, seg: SegmentInfo, start: number): BatchView[] {
  const from = Math.max(seg.baseOffset, start)
  return log.read(from, Math.max(seg.sizeBytes, 1), seg.nextOffset).flatMap((view) => [...iterateBatches(view)])
}

function firstTimestamp (log: NativeLog, seg: SegmentInfo, from: number): number {
  const first = segmentBatches(log, seg, from)[0]
  return first === undefined ? seg.maxTimestamp : Number(first.header.baseTimestamp)
}

/** The segment's batches after step 4; null when it would not change. Yields as cleanSteps. */
function * cleanSegment (views: BatchView[], lostPrefix: boolean, rules: Rules): Generator<void, { batches: Buffer[], removed: number } | null> {
  const batches: Buffer[] = []
  let removed = 0
  let changed = lostPrefix
  let read = 0
  for (const [i, view] of views.entries()) {
    read += view.bytes.length
    if (read >= STEP_BYTES) {
      read = 0
      yield
    }
    const h = view.header
    const lastOffset = Number(h.baseOffset) + h.lastOffsetDelta
    const isLast = i === views.length - 1
    const records = decodeBatch(view.bytes, { verifyCrc: false }).records
    if (h.control) {
      const out = cleanMarker(view, records, isLast, rules)
      if (out !== view.bytes) changed = true
      removed += records.length - (out === null ? 0 : batchHeader(out).recordsCount)
      if (out !== null) batches.push(out)
      continue
    }
    const aborted = rules.txns.onData(Number(h.producerId), h.transactional, lastOffset)
    const appendTime = h.timestampType === TimestampType.LOG_APPEND_TIME ? Number(h.maxTimestamp) : null
    const kept = aborted ? [] : records.filter((r) => rules.survives(r, appendTime ?? Number(r.timestamp)))
    removed += records.length - kept.length
    // An emptied batch keeps its header when it carries an idempotent producer's sequence; of a
    // transactional producer, only the newest batch does (Kafka's rule): an empty transactional batch
    // counts as data left, and would hold its transaction's marker. The segment's last batch stays,
    // emptied and without a producer, so that the segment still ends where the next begins.
    const keepsSequence = h.transactional ? rules.lastDataOffset(Number(h.producerId)) === lastOffset : h.producerId >= 0n
    if (kept.length === 0 && !keepsSequence) {
      const neutral = records.length === 0 && h.producerId < 0n
      if (isLast) batches.push(neutral ? view.bytes : reencode({ ...h, producerId: -1n, producerEpoch: -1, baseSequence: -1, transactional: false }, []))
      changed ||= !(isLast && neutral)
      continue
    }
    if (kept.length === records.length) {
      batches.push(view.bytes)
      continue
    }
    changed = true
    batches.push(reencode(h, kept))
  }
  return changed ? { batches, removed } : null
}

/**
 * A marker's bytes after step 4 (the same Buffer when unchanged, null when it goes): kept while a
 * batch of its transaction is left; else stamped with a delete horizon, and removed once a later
 * pass finds the horizon passed. The segment's last batch stays as an empty control batch.
 */
function cleanMarker (view: BatchView, records: Record[], isLast: boolean, rules: Rules): Buffer | null {
  const h = view.header
  if (!rules.txns.onMarker(Number(h.producerId), markerType(records), Number(h.baseOffset) + h.lastOffsetDelta)) return view.bytes
  if (!h.hasDeleteHorizon) {
    const horizon = rules.nowMs + rules.deleteRetentionMs
    rules.nextHorizonMs = Math.min(rules.nextHorizonMs, horizon)
    return reencode(h, records, BigInt(horizon))
  }
  if (Number(h.baseTimestamp) > rules.nowMs) {
    rules.nextHorizonMs = Math.min(rules.nextHorizonMs, Number(h.baseTimestamp))
    return view.bytes
  }
  if (!isLast) return null
  return records.length === 0 ? view.bytes : reencode(h, [], h.baseTimestamp)
}

/** The control record type of a control batch's records, -1 when it has none (an emptied marker). */
function markerType (records: Record[]): number {
  return records[0]?.control?.type ?? -1
}

/** The batch with only `records`, its header fields kept (and a delete horizon when given). */
function reencode (h: BatchHeader, records: Record[], deleteHorizonMs?: bigint): Buffer {
  return encodeBatch({
    records: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp, offsetDelta: r.offsetDelta })),
    compression: h.compression,
    baseOffset: h.baseOffset,
    partitionLeaderEpoch: h.partitionLeaderEpoch,
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
    transactional: h.transactional,
    control: h.control,
    timestampType: h.timestampType,
    maxTimestamp: h.maxTimestamp,
    lastOffsetDelta: h.lastOffsetDelta,
    deleteHorizonMs
  })
}
