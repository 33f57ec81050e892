import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanLog, readCheckpoint } from '../../../src/storage/cleaner.js'
import { NativeLog, DEFAULT_LOG_CONFIG } from '../../../src/storage/native.js'
import { decodeBatch, encodeBatch, encodeTxnMarker, iterateBatches } from '../../../src/protocol/codec/record-batch.js'
import { replayProducers } from '../../../src/storage/producer-replay.js'
import type { LogTxns } from '../../../src/storage/cleaner-txn.js'

const NOW = 1_800_000_000_000
const COMPACT = { deleteRetentionMs: 60_000, minCompactionLagMs: 0, maxCompactionLagMs: Number.MAX_SAFE_INTEGER, minCleanableDirtyRatio: 0 }

let dir: string
let log: NativeLog

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-cleaner-'))
  log = NativeLog.open(join(dir, 't-0'), { ...DEFAULT_LOG_CONFIG, retentionMs: -1 })
})
afterEach(() => {
  try { log.close() } catch {}
  rmSync(dir, { recursive: true, force: true })
})

function put (records: Array<[string, string | null]>, compression = 0, timestamp = NOW - 120_000): void {
  const batch = encodeBatch({ compression, records: records.map(([k, v]) => ({ key: Buffer.from(k), value: v === null ? null : Buffer.from(v), timestamp })) })
  log.append(batch, { leaderEpoch: 0, logAppendTimeMs: -1, nowMs: NOW })
}

/** Every data record of the log as [offset, key, value]. */
function contents (from = log.logStartOffset()): Array<[number, string, string | null]> {
  const out: Array<[number, string, string | null]> = []
  // One read covers a bounded number of segments: read on from where the last one ended.
  for (let next = from; next < log.highWatermark();) {
    for (const view of log.read(next, 1 << 26)) {
      for (const b of iterateBatches(view)) {
        next = Number(b.header.baseOffset) + b.header.lastOffsetDelta + 1
        if (b.header.control) continue
        for (const r of decodeBatch(b.bytes).records) out.push([Number(r.offset), r.key?.toString() ?? '', r.value?.toString() ?? null])
      }
    }
  }
  return out
}

function putTxn (producerId: number, baseSequence: number, records: Array<[string, string]>): void {
  const batch = encodeBatch({
    records: records.map(([k, v]) => ({ key: Buffer.from(k), value: Buffer.from(v), timestamp: NOW - 120_000 })),
    producerId: BigInt(producerId), producerEpoch: 0, baseSequence, transactional: true
  })
  log.append(batch, { leaderEpoch: 0, logAppendTimeMs: -1, nowMs: NOW })
}

function putMarker (producerId: number, type: 'COMMIT' | 'ABORT'): void {
  const marker = encodeTxnMarker({ type: type === 'COMMIT' ? 1 : 0, producerId: BigInt(producerId), producerEpoch: 0, coordinatorEpoch: 0, timestamp: BigInt(NOW - 120_000) })
  log.append(marker, { leaderEpoch: 0, logAppendTimeMs: -1, nowMs: NOW, allowControl: true })
}

/** The transaction markers left, as [offset, type, has a delete horizon]. */
function markers (): Array<[number, string, boolean]> {
  const out: Array<[number, string, boolean]> = []
  for (const view of log.read(log.logStartOffset(), 1 << 26)) {
    for (const b of iterateBatches(view)) {
      const type = b.header.control ? decodeBatch(b.bytes).records[0]?.control?.type : undefined
      if (type !== undefined) out.push([Number(b.header.baseOffset), type === 1 ? 'COMMIT' : 'ABORT', b.header.hasDeleteHorizon])
    }
  }
  return out
}

/** The transaction state the shard would hand a pass, rebuilt from the log as on open. */
function txns (): LogTxns {
  const { producers, aborted } = replayProducers(log, join(dir, 't-0'))
  return { aborted, firstUnstableOffset: producers.firstUnstableOffset(), lastDataOffset: (pid) => producers.lastDataOffset(pid) }
}

describe('cleanLog', () => {
  it('keeps only the newest record of each key in sealed segments, at its original offset', () => {
    put([['a', '1'], ['b', '1']])
    put([['a', '2']], 1)
    put([['c', '1'], ['b', '2']], 4)
    log.roll(NOW)
    put([['a', '3']]) // the active segment is never cleaned
    const result = cleanLog(log, join(dir, 't-0'), COMPACT, NOW)
    expect(result?.recordsRemoved).toBe(2)
    expect(contents()).toEqual([[2, 'a', '2'], [3, 'c', '1'], [4, 'b', '2'], [5, 'a', '3']])
    expect(readCheckpoint(join(dir, 't-0'))).toBe(5)
  })

  it('keeps the compacted log readable after a reopen, with the same high watermark', () => {
    put([['a', '1']]); log.roll(NOW)
    put([['a', '2']]); log.roll(NOW)
    put([['b', '1']])
    cleanLog(log, join(dir, 't-0'), COMPACT, NOW)
    log.close()
    log = NativeLog.open(join(dir, 't-0'), { ...DEFAULT_LOG_CONFIG, retentionMs: -1 })
    expect(log.highWatermark()).toBe(3)
    expect(contents()).toEqual([[1, 'a', '2'], [2, 'b', '1']])
  })

  it('removes tombstones older than delete.retention.ms and keeps younger ones', () => {
    put([['old', 'v'], ['old', null]], 0, NOW - 120_000)
    put([['young', 'v'], ['young', null]], 0, NOW - 1_000)
    log.roll(NOW)
    put([['z', 'z']])
    cleanLog(log, join(dir, 't-0'), COMPACT, NOW)
    expect(contents()).toEqual([[3, 'young', null], [4, 'z', 'z']])
  })

  it('does nothing while the dirty share is under min.cleanable.dirty.ratio', () => {
    put([['a', '1']]); put([['a', '2']]); log.roll(NOW)
    expect(cleanLog(log, join(dir, 't-0'), COMPACT, NOW)?.recordsRemoved).toBe(1)
    put([['b', '1']]); log.roll(NOW) // dirty: one small segment of two
    put([['c', '1']])
    expect(cleanLog(log, join(dir, 't-0'), { ...COMPACT, minCleanableDirtyRatio: 0.9 }, NOW)).toBeNull()
  })

  it('cleans below min.cleanable.dirty.ratio once the first dirty record is older than max.compaction.lag.ms', () => {
    put([['a', '1'], ['a', '2']], 0, NOW - 120_000)
    log.roll(NOW)
    put([['b', '1']])
    const lazy = { ...COMPACT, minCleanableDirtyRatio: 1.01 }
    expect(cleanLog(log, join(dir, 't-0'), { ...lazy, maxCompactionLagMs: 600_000 }, NOW)).toBeNull()
    expect(cleanLog(log, join(dir, 't-0'), { ...lazy, maxCompactionLagMs: 60_000 }, NOW)?.recordsRemoved).toBe(1)
  })

  it('removes aborted records, compacts committed transactional ones like any other, and keeps every marker in that pass', () => {
    put([['a', '1'], ['b', '1']])
    putTxn(1, 0, [['a', 'committed'], ['c', 'committed']])
    putMarker(1, 'COMMIT')
    putTxn(2, 0, [['a', 'aborted'], ['d', 'aborted']])
    putTxn(2, 2, [['b', 'aborted']])
    putMarker(2, 'ABORT')
    put([['c', '2']])
    log.roll(NOW)
    put([['z', 'z']])
    const result = cleanLog(log, join(dir, 't-0'), { ...COMPACT, txns: txns() }, NOW)
    expect(contents()).toEqual([[1, 'b', '1'], [2, 'a', 'committed'], [9, 'c', '2'], [10, 'z', 'z']])
    // The pass that removes a transaction's data keeps its marker: a reader that fetched the data
    // before the pass still finds it.
    expect(markers()).toEqual([[4, 'COMMIT', false], [8, 'ABORT', false]])
    expect(result).toMatchObject({ recordsRemoved: 5, emptiedAborts: [] })
    // Producer 2's newest batch keeps its header (its sequence), emptied; the older one is gone.
    const batches = log.read(0, 1 << 20).flatMap((v) => [...iterateBatches(v)]).map((b) => [Number(b.header.baseOffset), b.header.recordsCount])
    expect(batches).toEqual([[0, 1], [2, 1], [4, 1], [7, 0], [8, 1], [9, 1], [10, 1]])
  })

  it('stamps a marker whose transaction has no data left with a delete horizon and removes it once that has passed', () => {
    putTxn(1, 0, [['a', 'committed']])
    putMarker(1, 'COMMIT')
    putTxn(2, 0, [['b', 'aborted']])
    putMarker(2, 'ABORT')
    put([['a', 'newer']])
    log.roll(NOW)
    put([['z', 'z']])
    // As in the shard, the aborted list is the one from the open; both producers have expired, so
    // none of their batches needs to keep its header.
    const state = { ...txns(), lastDataOffset: () => -1 }
    const clean = (nowMs: number, horizonDueMs?: number): ReturnType<typeof cleanLog> =>
      cleanLog(log, join(dir, 't-0'), { ...COMPACT, txns: state, horizonDueMs }, nowMs)
    expect(clean(NOW)?.emptiedAborts).toEqual([])
    expect(markers()).toEqual([[1, 'COMMIT', false], [3, 'ABORT', false]])
    // Nothing dirty, but the horizon is due: the second pass finds neither transaction's data.
    const second = clean(NOW + 1, NOW)
    expect(second?.emptiedAborts).toEqual([3])
    expect(second?.nextHorizonMs).toBe(NOW + 1 + COMPACT.deleteRetentionMs)
    expect(markers()).toEqual([[1, 'COMMIT', true], [3, 'ABORT', true]])
    expect(clean(NOW + 2, second?.nextHorizonMs)).toBeNull() // not due yet
    const third = clean(second!.nextHorizonMs, second?.nextHorizonMs)
    expect(third?.nextHorizonMs).toBe(Infinity)
    expect(markers()).toEqual([])
    expect(contents()).toEqual([[4, 'a', 'newer'], [5, 'z', 'z']])
    // The log reopens with the producers' state intact and no aborted transaction left to list.
    log.close()
    log = NativeLog.open(join(dir, 't-0'), { ...DEFAULT_LOG_CONFIG, retentionMs: -1 })
    expect(txns().aborted).toEqual([])
    expect(log.highWatermark()).toBe(6)
  })

  it('never cleans a segment at or past the first unstable offset', () => {
    put([['x', '1'], ['x', '2']])
    log.roll(NOW)
    putTxn(3, 0, [['t', 'open']])
    put([['x', '3'], ['x', '4']])
    log.roll(NOW)
    put([['x', '5']])
    const state = txns()
    expect(state.firstUnstableOffset).toBe(2)
    cleanLog(log, join(dir, 't-0'), { ...COMPACT, txns: state }, NOW)
    expect(contents()).toEqual([[1, 'x', '2'], [2, 't', 'open'], [3, 'x', '3'], [4, 'x', '4'], [5, 'x', '5']])
  })

  it('leaves segments younger than min.compaction.lag.ms alone', () => {
    put([['a', '1'], ['a', '2']], 0, NOW - 1_000)
    log.roll(NOW)
    put([['b', '1']])
    expect(cleanLog(log, join(dir, 't-0'), { ...COMPACT, minCompactionLagMs: 60_000 }, NOW)).toBeNull()
    expect(contents()).toHaveLength(3)
  })

  it('keeps views of a replaced segment readable with their old bytes', () => {
    put([['a', '1']]); put([['a', '2']]); log.roll(NOW)
    put([['b', '1']])
    const before = log.read(0, 1 << 20)
    const copy = Buffer.concat(before.map((b) => Buffer.from(b)))
    cleanLog(log, join(dir, 't-0'), COMPACT, NOW)
    expect(Buffer.concat(before)).toEqual(copy)
    expect(contents()).toEqual([[1, 'a', '2'], [2, 'b', '1']])
  })

  it('leaves a log whose reads pass over segments emptied to one empty batch, up to the next record', () => {
    for (let i = 0; i < 6; i++) { put([['k', `${i}`]]); log.roll(NOW) }
    put([['k', 'last']]); log.roll(NOW)
    put([['z', 'z']])
    cleanLog(log, join(dir, 't-0'), COMPACT, NOW)
    // One read: six segments hold only an emptied batch each, and do not use up the read's segments.
    const records = log.read(0, 1 << 20).flatMap((v) => [...iterateBatches(v)]).flatMap((b) => decodeBatch(b.bytes).records)
    expect(records.map((r) => [Number(r.offset), r.value?.toString()])).toEqual([[6, 'last'], [7, 'z']])
  })

  it('keeps an emptied last batch so that the segment still ends where the next begins', () => {
    put([['a', '1']]); put([['a', '2']])
    log.roll(NOW)
    put([['a', '3']]); log.roll(NOW)
    put([['z', 'z']])
    cleanLog(log, join(dir, 't-0'), { ...COMPACT, maxSegmentBytes: 1 }, NOW) // no merging
    const segs = log.segments()
    expect(segs.map((s) => [s.baseOffset, s.nextOffset])).toEqual([[0, 2], [2, 3], [3, 4]])
    const first = log.read(0, 1 << 20, 2).flatMap((v) => [...iterateBatches(v)])
    expect(first.map((b) => [Number(b.header.baseOffset), b.header.recordsCount])).toEqual([[1, 0]])
  })

  it('merges consecutive cleaned segments into one while they fit in segment.bytes, and keeps their offsets', () => {
    for (let i = 0; i < 12; i++) { put([[`k${i % 4}`, `v${i}`], [`u${i}`, 'x'.repeat(200)]]); log.roll(NOW) }
    put([['z', 'z']])
    const sizes = log.segments().slice(0, -1).map((s) => s.sizeBytes)
    const expected = contents().filter(([offset, key]) => !key.startsWith('k') || offset >= 16)
    const result = cleanLog(log, join(dir, 't-0'), { ...COMPACT, maxSegmentBytes: 4 * Math.max(...sizes) }, NOW)
    const segs = log.segments()
    expect(segs.length).toBeLessThan(13 / 2)
    expect(result?.mergedSegments).toBe(12 - (segs.length - 1))
    for (const seg of segs.slice(0, -1)) expect(seg.sizeBytes).toBeLessThanOrEqual(4 * Math.max(...sizes))
    // Each segment still ends where the next begins, and every record kept its offset.
    for (let i = 1; i < segs.length; i++) expect(segs[i]!.baseOffset).toBe(segs[i - 1]!.nextOffset)
    expect(contents()).toEqual(expected)
    log.close()
    log = NativeLog.open(join(dir, 't-0'), { ...DEFAULT_LOG_CONFIG, retentionMs: -1 })
    expect(log.segments().map((s) => [s.baseOffset, s.nextOffset])).toEqual(segs.map((s) => [s.baseOffset, s.nextOffset]))
    expect(contents()).toEqual(expected)
    expect(log.recovery.truncatedBytes).toBe(0)
  })

  it('keeps views of merged segments readable with their old bytes', () => {
    for (let i = 0; i < 4; i++) { put([['a', `${i}`], [`b${i}`, 'x']]); log.roll(NOW) }
    put([['z', 'z']])
    const before = log.read(0, 1 << 20)
    const copy = Buffer.concat(before.map((b) => Buffer.from(b)))
    cleanLog(log, join(dir, 't-0'), COMPACT, NOW)
    expect(log.segments()).toHaveLength(2)
    expect(Buffer.concat(before)).toEqual(copy)
    expect(contents().map(([, key, value]) => `${key}=${value ?? ''}`)).toEqual(['b0=x', 'b1=x', 'b2=x', 'a=3', 'b3=x', 'z=z'])
  })

  it('completes a merge that a crash interrupted: the swap file replaces every segment it covers', () => {
    for (let i = 0; i < 4; i++) { put([[`k${i}`, `${i}`]]); log.roll(NOW) }
    put([['z', 'z']])
    const expected = contents()
    const segs = log.segments()
    // The merged copy of segments 1 to 3, as log_clean.cc renames it before removing them.
    const merged = Buffer.concat(log.read(segs[1]!.baseOffset, 1 << 20, segs[3]!.nextOffset).map((v) => Buffer.from(v)))
    log.close()
    const logDir = join(dir, 't-0')
    const name = (base: number, ext: string): string => join(logDir, `${String(base).padStart(20, '0')}${ext}`)
    writeFileSync(join(logDir, `${String(segs[1]!.baseOffset).padStart(20, '0')}.${String(segs[3]!.nextOffset).padStart(20, '0')}.swap`), merged)
    rmSync(name(segs[2]!.baseOffset, '.log')) // the crash came after the first removal
    writeFileSync(join(logDir, '0.cleaned'), 'a cleaned copy never renamed')
    log = NativeLog.open(logDir, { ...DEFAULT_LOG_CONFIG, retentionMs: -1 })
    expect(log.segments().map((s) => [s.baseOffset, s.nextOffset])).toEqual([[0, 1], [1, 4], [4, 5]])
    expect(contents()).toEqual(expected)
    expect(readdirSync(logDir).filter((f) => f.endsWith('.swap') || f.endsWith('.cleaned') || f.startsWith(String(segs[2]!.baseOffset).padStart(20, '0')))).toEqual([])
  })
})
