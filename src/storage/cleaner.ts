// Log compaction (cleanup.policy=compact), after Kafka's LogCleaner, run by the partition's shard.
//
// One pass over a log:
//   1. The cleanable range is the sealed segments, oldest first, up to the first one holding a record
//      younger than min.compaction.lag.ms. The active segment is never touched.
//   2. The dirty part is what lies at or after the checkpoint (`cleaner-offset-checkpoint`, the first
//      offset no pass has mapped yet). The pass runs when dirty bytes / cleanable bytes reaches
//      min.cleanable.dirty.ratio, or when the first dirty record is older than max.compaction.lag.ms.
//   3. The newest offset of every key in the dirty part goes into a map (bounded: the pass stops
//      mapping at the segment where the map fills up, as Kafka's OffsetMap does).
//   4. Every cleanable segment up to the end of the mapped part is rewritten without the records a
//      newer one of the same key supersedes, and without tombstones older than delete.retention.ms.
//      Offsets are kept: batches keep their base offset and lastOffsetDelta, records their deltas, so
//      compaction leaves gaps. A batch is copied byte for byte when it loses nothing, re-encoded with
//      its own codec otherwise. A batch that loses every record is dropped, except an idempotent
//      producer's (kept empty, so its sequence state survives a restart) and the segment's last
//      (kept empty, so the segment still ends where the next begins; see native/log/log_clean.cc).
//   5. The checkpoint moves to the end of the mapped part.
//
// Transactions: control batches (markers) and transactional batches are copied unchanged and never
// enter the map. A committed transactional record therefore never removes an older value of its key,
// and an aborted one can never make the cleaner drop a committed value: compaction of transactional
// data is incomplete but never wrong. Kafka removes aborted data and old markers; we do not yet.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { decodeBatch, encodeBatch, iterateBatches, TimestampType, type BatchView, type Record } from '../protocol/codec/record-batch.js'
import type { LifecycleConfig, NativeLog, SegmentInfo } from './native.js'

export const CLEANER_CHECKPOINT = 'cleaner-offset-checkpoint'
/** Keys one pass may map (Kafka sizes its map in bytes, log.cleaner.dedupe.buffer.size). */
export const DEFAULT_MAX_KEYS = 1_000_000

export interface CleanResult {
  cleanedSegments: number
  bytesBefore: number // of the segments rewritten
  bytesAfter: number
  recordsRemoved: number
  /** The new checkpoint: the first offset the next pass treats as dirty. */
  firstDirtyOffset: number
}

/** The topic configs a pass follows; `maxKeys` bounds its offset map (default DEFAULT_MAX_KEYS). */
export type Compaction = Pick<LifecycleConfig, 'deleteRetentionMs' | 'minCompactionLagMs' | 'maxCompactionLagMs' | 'minCleanableDirtyRatio'> & { maxKeys?: number }

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

/**
 * The same pass, yielding after about every STEP_BYTES of log read, so that the shard can run other
 * partitions' appends in between (shard-lifecycle.ts). Between two steps the log may change: appends
 * only touch the active segment; a segment deleted meanwhile (retention, DeleteRecords) makes
 * replaceSegment throw, which ends the pass with that error and leaves the checkpoint where it was.
 */
export function * cleanSteps (log: NativeLog, dir: string, cfg: Compaction, nowMs: number): Generator<void, CleanResult | null> {
  const plan = planPass(log, dir, cfg, nowMs)
  if (plan === null) return null
  const { newest, mappedEnd } = yield * mapNewestOffsets(log, plan, cfg.maxKeys ?? DEFAULT_MAX_KEYS)
  const result: CleanResult = { cleanedSegments: 0, bytesBefore: 0, bytesAfter: 0, recordsRemoved: 0, firstDirtyOffset: mappedEnd }
  const survives = (r: Record, timestamp: number): boolean => {
    if (r.key === null) return true
    const latest = newest.get(r.key.toString('latin1'))
    if (latest !== undefined && latest > Number(r.offset)) return false
    return r.value !== null || timestamp + cfg.deleteRetentionMs >= nowMs
  }
  for (const seg of plan.cleanable) {
    if (seg.baseOffset >= mappedEnd) break
    yield
    const views = segmentBatches(log, seg, plan.start)
    const last = views[views.length - 1]?.header
    // Only a whole segment is rewritten: the copy must end with the batch the segment ends with.
    if (last === undefined || Number(last.baseOffset) + last.lastOffsetDelta + 1 !== seg.nextOffset) continue
    const rewritten = yield * cleanSegment(views, seg.baseOffset < plan.start, survives)
    if (rewritten === null) continue
    const path = join(dir, `${seg.baseOffset}.cleaned`)
    writeDurably(path, rewritten.batches)
    log.replaceSegment(seg.baseOffset, path)
    result.cleanedSegments++
    result.bytesBefore += seg.sizeBytes
    result.bytesAfter += rewritten.batches.reduce((n, b) => n + b.length, 0)
    result.recordsRemoved += rewritten.removed
  }
  writeCheckpoint(dir, mappedEnd)
  return result
}

/** Steps 1 and 2: what is cleanable and dirty, and whether a pass is due at all. */
function planPass (log: NativeLog, dir: string, cfg: Compaction, nowMs: number): Plan | null {
  const start = log.logStartOffset()
  const sealed = log.segments().slice(0, -1)
  let end = 0
  while (end < sealed.length && nowMs - sealed[end]!.maxTimestamp >= cfg.minCompactionLagMs) end++
  const cleanable = sealed.slice(0, end).filter((s) => s.nextOffset > start)
  const firstDirty = Math.max(readCheckpoint(dir), start)
  const dirty = cleanable.filter((s) => s.nextOffset > firstDirty)
  const first = dirty[0]
  if (first === undefined) return null
  const dirtyBytes = dirty.reduce((n, s) => n + s.sizeBytes, 0)
  const totalBytes = cleanable.reduce((n, s) => n + s.sizeBytes, 0)
  const overdue = nowMs - firstTimestamp(log, first, Math.max(firstDirty, first.baseOffset)) > cfg.maxCompactionLagMs
  return dirtyBytes < cfg.minCleanableDirtyRatio * totalBytes && !overdue ? null : { start, cleanable, dirty, firstDirty }
}

/** Step 3: the newest offset of each key of the dirty segments, up to a segment boundary past maxKeys. */
function * mapNewestOffsets (log: NativeLog, plan: Plan, maxKeys: number): Generator<void, { newest: Map<string, number>, mappedEnd: number }> {
  const newest = new Map<string, number>()
  let mappedEnd = plan.firstDirty
  let read = 0
  for (const seg of plan.dirty) {
    for (const view of segmentBatches(log, seg, plan.start)) {
      read += view.bytes.length
      if (read >= STEP_BYTES) {
        read = 0
        yield
      }
      if (view.header.control || view.header.transactional) continue
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

/** The segment's batches without superseded records; null when it would not change. Yields as cleanSteps. */
function * cleanSegment (views: BatchView[], lostPrefix: boolean, survives: (r: Record, timestamp: number) => boolean): Generator<void, { batches: Buffer[], removed: number } | null> {
  const batches: Buffer[] = []
  let removed = 0
  let read = 0
  for (const [i, view] of views.entries()) {
    read += view.bytes.length
    if (read >= STEP_BYTES) {
      read = 0
      yield
    }
    const h = view.header
    if (h.control || h.transactional) {
      batches.push(view.bytes)
      continue
    }
    const records = decodeBatch(view.bytes, { verifyCrc: false }).records
    const appendTime = h.timestampType === TimestampType.LOG_APPEND_TIME ? Number(h.maxTimestamp) : null
    const kept = records.filter((r) => survives(r, appendTime ?? Number(r.timestamp)))
    removed += records.length - kept.length
    if (kept.length === records.length) {
      batches.push(view.bytes)
      continue
    }
    if (kept.length === 0 && h.producerId < 0n && i < views.length - 1) continue
    batches.push(encodeBatch({
      records: kept.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp, offsetDelta: r.offsetDelta })),
      compression: h.compression,
      baseOffset: h.baseOffset,
      partitionLeaderEpoch: h.partitionLeaderEpoch,
      producerId: h.producerId,
      producerEpoch: h.producerEpoch,
      baseSequence: h.baseSequence,
      timestampType: h.timestampType,
      maxTimestamp: h.maxTimestamp,
      lastOffsetDelta: h.lastOffsetDelta
    }))
  }
  return removed === 0 && !lostPrefix ? null : { batches, removed }
}
