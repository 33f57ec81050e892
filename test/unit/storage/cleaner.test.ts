import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanLog, readCheckpoint } from '../../../src/storage/cleaner.js'
import { NativeLog, DEFAULT_LOG_CONFIG } from '../../../src/storage/native.js'
import { decodeBatch, encodeBatch, iterateBatches } from '../../../src/protocol/codec/record-batch.js'

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

/** Every record of the log as [offset, key, value]. */
function contents (from = log.logStartOffset()): Array<[number, string, string | null]> {
  const out: Array<[number, string, string | null]> = []
  for (const view of log.read(from, 1 << 26)) {
    for (const b of iterateBatches(view)) {
      for (const r of decodeBatch(b.bytes).records) out.push([Number(r.offset), r.key?.toString() ?? '', r.value?.toString() ?? null])
    }
  }
  return out
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

  it('keeps transactional batches whole and never lets them supersede other records', () => {
    put([['a', 'plain']])
    const txn = encodeBatch({ records: [{ key: Buffer.from('a'), value: Buffer.from('txn'), timestamp: NOW - 120_000 }], producerId: 7n, producerEpoch: 0, baseSequence: 0, transactional: true })
    log.append(txn, { leaderEpoch: 0, logAppendTimeMs: -1, nowMs: NOW })
    log.roll(NOW)
    put([['z', 'z']])
    expect(cleanLog(log, join(dir, 't-0'), COMPACT, NOW)).toMatchObject({ recordsRemoved: 0 })
    expect(contents()).toEqual([[0, 'a', 'plain'], [1, 'a', 'txn'], [2, 'z', 'z']])
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

  it('keeps an emptied last batch so that the segment still ends where the next begins', () => {
    put([['a', '1']]); put([['a', '2']])
    log.roll(NOW)
    put([['a', '3']]); log.roll(NOW)
    put([['z', 'z']])
    cleanLog(log, join(dir, 't-0'), COMPACT, NOW)
    const segs = log.segments()
    expect(segs.map((s) => [s.baseOffset, s.nextOffset])).toEqual([[0, 2], [2, 3], [3, 4]])
    const first = log.read(0, 1 << 20, 2).flatMap((v) => [...iterateBatches(v)])
    expect(first.map((b) => [Number(b.header.baseOffset), b.header.recordsCount])).toEqual([[1, 0]])
  })
})
