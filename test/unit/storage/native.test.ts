// The native storage core through its typed wrapper: real files in a temp directory.
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { Worker } from 'node:worker_threads'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_LOG_CONFIG, NativeLog, StoreError, addressOf, crc32c, type LogConfig } from '../../../src/storage/native.js'
import { buildBatch, decodeValues, valuesBatch } from '../../helpers/batch.js'

const NOW = 1_700_000_000_000
const small: LogConfig = { ...DEFAULT_LOG_CONFIG, segmentBytes: 16 * 1024, indexIntervalBytes: 1024, retentionMs: -1 }
const opts = { leaderEpoch: 0, logAppendTimeMs: -1, nowMs: NOW }

let root: string
beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'sluice-native-')) })
afterEach(() => { rmSync(root, { recursive: true, force: true }) })

function codeOf (fn: () => unknown): string | undefined {
  try { fn() } catch (err) { return err instanceof StoreError ? err.code : `not a StoreError: ${String(err)}` }
  return undefined
}

function readAll (log: NativeLog, from = log.logStartOffset()): Array<{ offset: number, value: string }> {
  const out: Array<{ offset: number, value: string }> = []
  for (let offset = from, guard = 0; offset < log.highWatermark() && guard < 10_000; guard++) {
    const got = decodeValues(log.read(offset, 64 * 1024)).filter(r => r.offset >= offset)
    if (got.length === 0) break
    out.push(...got)
    offset = got[got.length - 1]!.offset + 1
  }
  return out
}

function segmentFiles (dir: string): string[] { return readdirSync(dir).filter(f => f.endsWith('.log')).sort() }

/** Appends `batches` batches of `perBatch` records; returns the base offset of each batch. */
function fill (log: NativeLog, batches: number, perBatch = 5, valueBytes = 100): number[] {
  return Array.from({ length: batches }, (_, b) => log.append(valuesBatch(`b${b}`, perBatch, valueBytes), opts).baseOffset)
}

describe('NativeLog', () => {
  it('crc32c matches the RFC 3720 vectors', () => {
    expect(crc32c(Buffer.alloc(32))).toBe(0x8a9136aa)
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43)
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283)
    expect(crc32c(Buffer.from('56789'), crc32c(Buffer.from('1234')))).toBe(0xe3069283)
  })

  it('round-trips records across segment rolls with offsets assigned in order', () => {
    const dir = join(root, 't-0')
    const log = NativeLog.open(dir, small)
    const input = valuesBatch('first', 3, 10)
    const copy = Buffer.from(input)
    expect(log.append(input, opts)).toEqual({ baseOffset: 0, lastOffset: 2, logAppendTimeMs: -1, logStartOffset: 0 })
    expect(input.equals(copy)).toBe(true) // the caller's buffer is not modified
    const bases = fill(log, 60)
    expect(bases[0]).toBe(3)
    expect(bases[59]).toBe(3 + 59 * 5)
    expect(log.highWatermark()).toBe(303)
    expect(segmentFiles(dir).length).toBeGreaterThanOrEqual(3)
    const records = readAll(log)
    expect(records.map(r => r.offset)).toEqual(Array.from({ length: 303 }, (_, i) => i))
    expect(records[3]!.value.startsWith('b0-0')).toBe(true)
    expect(records[302]!.value.startsWith('b59-4')).toBe(true)
    log.close()
  })

  it('an append rolls the active segment once it is older than segment.ms; roll() forces one', () => {
    const dir = join(root, 't-16')
    const log = NativeLog.open(dir, { ...small, segmentBytes: 1 << 20, segmentMs: 60_000 })
    log.append(valuesBatch('a', 1), opts)
    log.append(valuesBatch('b', 1), { ...opts, nowMs: NOW + 60_000 })
    expect(segmentFiles(dir).length).toBe(1)
    log.append(valuesBatch('c', 1), { ...opts, nowMs: NOW + 60_001 })
    expect(segmentFiles(dir)).toEqual(['00000000000000000000.log', '00000000000000000002.log'])
    log.roll(NOW)
    log.roll(NOW) // the new active segment is empty: nothing to roll
    expect(segmentFiles(dir)).toEqual(['00000000000000000000.log', '00000000000000000002.log', '00000000000000000003.log'])
    log.close()
  })

  it('read starts at the batch containing the offset, stops on batch boundaries and at upTo', () => {
    const log = NativeLog.open(join(root, 't-0'), small)
    fill(log, 10)
    const [view] = log.read(7, 1) // maxBytes smaller than a batch: still one whole batch
    expect(Number(view!.readBigInt64BE(0))).toBe(5)
    expect(view!.length).toBe(view!.readInt32BE(8) + 12)
    const upTo = log.read(0, 1 << 20, 12).flatMap(v => decodeValues([v]))
    expect(upTo[upTo.length - 1]!.offset).toBe(14) // the batch 10..14 starts below 12: whole
    expect(log.read(50, 1024)).toEqual([])
    expect(codeOf(() => log.read(51, 1024))).toBe('OFFSET_OUT_OF_RANGE')
    log.close()
  })

  it('reopening after close keeps every record and scans only the tail', () => {
    const dir = join(root, 't-1')
    let log = NativeLog.open(dir, small)
    expect(log.recovery.unclean).toBe(false) // a new log has nothing to recover
    fill(log, 40)
    const before = readAll(log)
    log.close()
    log = NativeLog.open(dir, small)
    expect(log.recovery.unclean).toBe(false)
    expect(log.recovery.truncatedAtOffset).toBe(-1)
    expect(log.recovery.truncatedBytes).toBe(0)
    expect(log.recovery.scannedBytes).toBeLessThan(small.segmentBytes)
    expect(log.highWatermark()).toBe(200)
    expect(readAll(log)).toEqual(before)
    expect(log.append(valuesBatch('after', 2), opts).baseOffset).toBe(200)
    log.close()
  })

  it('reopening a segment drops a torn final batch and nothing before it', () => {
    const dir = join(root, 't-2')
    let log = NativeLog.open(dir, { ...small, segmentBytes: 1 << 20 })
    const bases = fill(log, 20)
    log.close()
    const file = join(dir, segmentFiles(dir).at(-1)!)
    const size = statSync(file).size
    truncateSync(file, size - 50) // the middle of the last batch
    log = NativeLog.open(dir, { ...small, segmentBytes: 1 << 20 })
    expect(log.recovery.truncatedAtOffset).toBe(bases[19])
    expect(log.recovery.truncatedBytes).toBe(size - 50 - (statSync(file).size))
    expect(log.highWatermark()).toBe(bases[19])
    expect(readAll(log).length).toBe(95)
    expect(log.append(valuesBatch('again', 5), opts).baseOffset).toBe(95)
    log.close()
  })

  for (const crashed of [false, true]) {
    // A clean close lets reopen scan only from the last index entry, so the flip is placed there;
    // after a crash (no clean-shutdown marker) the whole active segment is scanned.
    const where = crashed ? 10 : 29
    it(`a flipped byte inside batch ${where} truncates exactly there${crashed ? ' after a crash' : ''}`, () => {
      const dir = join(root, 't-3')
      const config = { ...small, segmentBytes: 1 << 20 }
      let log = NativeLog.open(dir, config)
      fill(log, 30)
      const batchSize = log.sizeBytes() / 30 // the batches are all the same size
      expect(log.read(5 * where, 1)[0]!.length).toBe(batchSize)
      log.close()
      if (crashed) rmSync(join(dir, '.clean-shutdown'))
      const file = join(dir, segmentFiles(dir)[0]!)
      const bytes = readFileSync(file)
      bytes[batchSize * where + 100]! ^= 0xff
      writeFileSync(file, bytes)
      log = NativeLog.open(dir, config)
      expect(log.recovery.unclean).toBe(crashed)
      expect(log.recovery.truncatedAtOffset).toBe(5 * where)
      expect(log.recovery.truncatedBytes).toBe((30 - where) * batchSize)
      expect(log.highWatermark()).toBe(5 * where)
      expect(readAll(log).map(r => r.offset)).toEqual(Array.from({ length: 5 * where }, (_, i) => i))
      log.close()
    })
  }

  it('a missing index is rebuilt on open', () => {
    const dir = join(root, 't-4')
    let log = NativeLog.open(dir, small)
    fill(log, 40)
    const before = readAll(log)
    log.close()
    const first = segmentFiles(dir)[0]!.replace('.log', '.index')
    rmSync(join(dir, first))
    log = NativeLog.open(dir, small)
    expect(log.recovery.rebuiltIndexes).toBe(1)
    expect(readAll(log)).toEqual(before)
    log.close()
  })

  it('rejects a corrupt or invalid batch with a clear error and writes nothing', () => {
    const log = NativeLog.open(join(root, 't-5'), small)
    fill(log, 2)
    const good = valuesBatch('ok', 2)
    const bad = Buffer.from(good)
    bad[70]! ^= 1
    expect(codeOf(() => log.append(Buffer.concat([good, bad]), opts))).toBe('CORRUPT_MESSAGE')
    try { log.append(bad, opts) } catch (err) { expect((err as Error).message).toMatch(/CRC mismatch/) }
    const wrongCount = buildBatch({ records: [{ value: 'a' }, { value: 'b' }] })
    wrongCount.writeInt32BE(0, 23) // lastOffsetDelta 0 with two records
    wrongCount.writeUInt32BE(crc32c(wrongCount.subarray(21)), 17)
    expect(codeOf(() => log.append(wrongCount, opts))).toBe('INVALID_RECORD')
    const control = buildBatch({ records: [{ value: 'marker' }], attributes: 0x30 })
    expect(codeOf(() => log.append(control, opts))).toBe('INVALID_RECORD')
    expect(codeOf(() => log.append(Buffer.alloc(0), opts))).toBe('CORRUPT_MESSAGE')
    expect(log.highWatermark()).toBe(10)
    expect(readAll(log).length).toBe(10)
    expect(log.append(control, { ...opts, allowControl: true }).baseOffset).toBe(10)
    log.close()
  })

  it('appendMany writes several record sets in one call as if appended in turn, leaving out a refused one', () => {
    const log = NativeLog.open(join(root, 't-many'), small)
    fill(log, 1)
    const bad = valuesBatch('bad', 2)
    bad[70]! ^= 1
    const sets = [valuesBatch('a', 3), Buffer.concat([valuesBatch('b', 1), valuesBatch('c', 2)]), bad, valuesBatch('d', 4)]
    const outcomes = log.appendMany(sets, opts)
    expect(outcomes.map((o) => o instanceof StoreError ? o.code : [o.baseOffset, o.lastOffset])).toEqual([[5, 7], [8, 10], 'CORRUPT_MESSAGE', [11, 14]])
    expect(readAll(log).map((r) => `${r.offset}:${r.value}`).slice(5)).toEqual(
      ['5:a-0', '6:a-1', '7:a-2', '8:b-0', '9:c-0', '10:c-1', '11:d-0', '12:d-1', '13:d-2', '14:d-3'])
    // A group that does not fit the active segment rolls first, as a single append would.
    const big = Array.from({ length: 4 }, (_, i) => valuesBatch(`big${i}`, 4, 1000))
    const before = segmentFiles(join(root, 't-many')).length
    expect(log.appendMany(big, opts).every((o) => !(o instanceof Error))).toBe(true)
    expect(segmentFiles(join(root, 't-many')).length).toBe(before + 1)
    expect(readAll(log)).toHaveLength(31)
    log.close()
  })

  it('appendManyAt writes record sets handed over by address, in place, and refuses a short span table', () => {
    const log = NativeLog.open(join(root, 't-many-at'), small)
    const socketChunk = Buffer.concat([Buffer.from('head'), valuesBatch('a', 2), valuesBatch('b', 3)])
    const a = socketChunk.subarray(4, 4 + valuesBatch('a', 2).length)
    const b = socketChunk.subarray(4 + a.length)
    const spans = Float64Array.from([addressOf(a), a.length, addressOf(b), b.length])
    const outcomes = log.appendManyAt(spans, 2, opts)
    expect(outcomes.map((o) => o instanceof StoreError ? o.code : [o.baseOffset, o.lastOffset])).toEqual([[0, 1], [2, 4]])
    expect(readAll(log).map((r) => `${r.offset}:${r.value}`)).toEqual(['0:a-0', '1:a-1', '2:b-0', '3:b-1', '4:b-2'])
    expect(codeOf(() => log.appendManyAt(spans, 3, opts))).toBe('INVALID_ARGUMENT')
    log.close()
  })

  it('LogAppendTime rewrites maxTimestamp and keeps the stored CRC valid', () => {
    const log = NativeLog.open(join(root, 't-6'), small)
    log.append(valuesBatch('x', 2), { ...opts, leaderEpoch: 3, logAppendTimeMs: NOW + 5 })
    const [view] = log.read(0, 1024)
    expect(view!.readInt32BE(12)).toBe(3) // partitionLeaderEpoch
    expect(view!.readInt16BE(21) & 0x8).toBe(0x8)
    expect(Number(view!.readBigInt64BE(35))).toBe(NOW + 5)
    expect(view!.readUInt32BE(17)).toBe(crc32c(view!.subarray(21)))
    log.close()
  })

  it('retention deletes whole old segments by time and by size, never the active one', () => {
    const dir = join(root, 't-7')
    const log = NativeLog.open(dir, small)
    for (let b = 0; b < 40; b++) log.append(valuesBatch(`b${b}`, 5, 100, NOW + b * 1000), opts)
    const segments = segmentFiles(dir).length
    expect(log.applyRetention(NOW)).toEqual({ deletedSegments: 0, deletedBytes: 0, logStartOffset: 0 })
    log.setConfig({ ...small, retentionMs: 60_000 })
    const byTime = log.applyRetention(NOW + 40_000 + 60_000 + 15_000)
    expect(byTime.deletedSegments).toBeGreaterThan(0)
    expect(byTime.logStartOffset).toBe(log.logStartOffset())
    expect(segmentFiles(dir).length).toBe(segments - byTime.deletedSegments)
    expect(readAll(log)[0]!.offset).toBe(byTime.logStartOffset)
    expect(codeOf(() => log.read(0, 1024))).toBe('OFFSET_OUT_OF_RANGE')
    log.setConfig({ ...small, retentionBytes: 1 })
    const bySize = log.applyRetention(NOW)
    expect(bySize.deletedSegments).toBe(segments - byTime.deletedSegments - 1)
    expect(segmentFiles(dir).length).toBe(1) // the active segment stays, even over retention.bytes
    expect(log.sizeBytes()).toBeGreaterThan(0)
    log.close()
  })

  it('a view stays valid after its segment is deleted and the log is closed', () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const dir = join(root, 't-8')
    const log = NativeLog.open(dir, small)
    fill(log, 40)
    const views = log.read(0, 4096)
    const copy = Buffer.concat(views.map(v => Buffer.from(v)))
    log.advanceLogStart(150)
    expect(existsLog(dir, 0)).toBe(false)
    log.delete()
    gc()
    expect(Buffer.concat(views).equals(copy)).toBe(true)
    expect(decodeValues(views)[0]!.offset).toBe(0)
  })

  it('views of one segment share one buffer over its mapping, and keep their content once the cache lets it go', () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const dir = join(root, 't-8b')
    const log = NativeLog.open(dir, small)
    fill(log, 40)
    const first = log.read(0, 1024)[0]!
    const again = log.read(5, 1024)[0]!
    // One ArrayBuffer per mapping: reads allocate no new external memory for V8 to count.
    expect(again.buffer).toBe(first.buffer)
    expect(again.byteOffset).toBeGreaterThan(first.byteOffset)
    const copy = Buffer.from(first)
    log.advanceLogStart(150)
    // Enough reads of the live segments for the cache to drop the deleted segment's mapping.
    for (let i = 0; i < 200; i++) log.read(150 + (i % 40), 1024)
    gc()
    expect(first.equals(copy)).toBe(true)
    expect(decodeValues([first])[0]!.offset).toBe(0)
    log.close()
  })

  it('a deleted segment that was read is unmapped (its disk space freed) without any later read', async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const dir = join(root, 't-8c')
    const log = NativeLog.open(dir, small)
    fill(log, 40)
    const firstSegment = join(dir, segmentFiles(dir)[0]!)
    expect(log.read(0, 1024).length).toBe(1) // maps segment 0 for reads; the view is dropped at once
    log.advanceLogStart(150)
    expect(existsLog(dir, 0)).toBe(false)
    const mapped = (): boolean => readFileSync('/proc/self/maps', 'utf8').includes(firstSegment)
    const deadline = Date.now() + 15_000
    while (mapped() && Date.now() < deadline) {
      gc()
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    expect(mapped()).toBe(false)
    log.close()
  })

  it('truncateTo drops whole batches; views of the dropped bytes keep their content', () => {
    const dir = join(root, 't-9')
    const log = NativeLog.open(dir, small)
    fill(log, 40)
    log.assignEpoch(1, 100)
    const tail = log.read(180, 1 << 20)
    const copy = Buffer.concat(tail.map(v => Buffer.from(v)))
    log.truncateTo(102) // inside batch 100..104
    expect(log.highWatermark()).toBe(100)
    expect(log.latestEpoch()).toBe(0)
    expect(Buffer.concat(tail).equals(copy)).toBe(true)
    expect(log.append(valuesBatch('new', 5), opts).baseOffset).toBe(100)
    expect(readAll(log).map(r => r.offset)).toEqual(Array.from({ length: 105 }, (_, i) => i))
    log.close()
  })

  it('offsetForTimestamp finds the first record at or after a time; maxTimestamp the newest', () => {
    const log = NativeLog.open(join(root, 't-10'), small)
    for (let b = 0; b < 30; b++) {
      log.append(buildBatch({ baseTimestamp: NOW + b * 100, records: [0, 10, 20, 30].map(d => ({ value: 'v'.repeat(200), timestampDelta: d })) }), opts)
    }
    expect(log.offsetForTimestamp(NOW)).toEqual({ offset: 0, timestamp: NOW })
    expect(log.offsetForTimestamp(NOW + 1215)).toEqual({ offset: 12 * 4 + 2, timestamp: NOW + 1220 })
    expect(log.offsetForTimestamp(NOW + 2931)).toEqual({ offset: -1, timestamp: -1 })
    expect(log.maxTimestamp()).toEqual({ offset: 119, timestamp: NOW + 2930 })
    log.close()
  })

  it('leader epochs answer OffsetForLeaderEpoch and survive a reopen', () => {
    const dir = join(root, 't-11')
    let log = NativeLog.open(dir, small)
    fill(log, 2)
    log.append(valuesBatch('e2', 5), { ...opts, leaderEpoch: 2 })
    log.assignEpoch(5, 15)
    log.append(valuesBatch('e5', 5), { ...opts, leaderEpoch: 5 })
    expect(log.endOffsetForEpoch(0)).toEqual({ leaderEpoch: 0, endOffset: 10 })
    expect(log.endOffsetForEpoch(3)).toEqual({ leaderEpoch: 2, endOffset: 15 })
    expect(log.endOffsetForEpoch(5)).toEqual({ leaderEpoch: 5, endOffset: 20 })
    expect(log.endOffsetForEpoch(6)).toEqual({ leaderEpoch: -1, endOffset: -1 })
    log.close()
    expect(readFileSync(join(dir, 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n3\n0 0\n2 10\n5 15\n')
    log = NativeLog.open(dir, small)
    expect(log.latestEpoch()).toBe(5)
    log.close()
  })

  it('advancing the log start is durable and hides older records', () => {
    const dir = join(root, 't-12')
    let log = NativeLog.open(dir, small)
    fill(log, 40)
    expect(log.advanceLogStart(123)).toBe(123)
    expect(log.advanceLogStart(50)).toBe(123)
    expect(codeOf(() => log.advanceLogStart(201))).toBe('OFFSET_OUT_OF_RANGE')
    log.close()
    log = NativeLog.open(dir, small)
    expect(log.logStartOffset()).toBe(123)
    expect(codeOf(() => log.read(122, 100))).toBe('OFFSET_OUT_OF_RANGE')
    expect(decodeValues(log.read(123, 100)).some(r => r.offset === 123)).toBe(true)
    log.close()
  })

  it('one opener per directory; attached handles read but cannot write; closed logs refuse calls', () => {
    const dir = join(root, 't-13')
    const log = NativeLog.open(dir, small)
    expect(codeOf(() => NativeLog.open(dir, small))).toBe('ALREADY_OPEN')
    expect(codeOf(() => NativeLog.attach(join(root, 'nope')))).toBe('NOT_OPEN')
    const reader = NativeLog.attach(dir)
    expect(reader.recovery.segments).toBe(0)
    fill(log, 1)
    expect(decodeValues(reader.read(0, 1024)).length).toBe(5)
    expect(codeOf(() => reader.append(valuesBatch('x', 1), opts))).toBe('NOT_WRITER')
    expect(codeOf(() => reader.truncateTo(0))).toBe('NOT_WRITER')
    log.close()
    expect(codeOf(() => reader.read(0, 1024))).toBe('CLOSED')
    expect(codeOf(() => log.append(valuesBatch('x', 1), opts))).toBe('CLOSED')
    expect(codeOf(() => log.read(-1, 10))).toBe('INVALID_ARGUMENT')
    NativeLog.open(dir, small).close() // the directory can be opened again
  })

  it('a worker thread attached to the log reads every record while the main thread appends', async () => {
    const dir = join(root, 't-15')
    const log = NativeLog.open(dir, { ...small, segmentBytes: 64 * 1024 })
    const batches = 2000
    const progress = new Int32Array(new SharedArrayBuffer(4))
    // The worker runs TypeScript through tsx's loader, so it imports the same native.ts.
    const script = fileURLToPath(new URL('../../helpers/native-reader-worker.ts', import.meta.url))
    const boot = `import('tsx/esm/api').then(api => api.tsImport(${JSON.stringify(script)}, ${JSON.stringify(import.meta.url)}))`
    const worker = new Worker(boot, { eval: true, workerData: { dir, expected: batches * 5, progress } })
    try {
      const [attached] = await once(worker, 'message') as [{ type: string }]
      expect(attached.type).toBe('attached')
      const done = once(worker, 'message')
      for (let b = 0; b < batches; b++) {
        log.append(valuesBatch(`b${b}`, 5, 100), opts)
        // Halfway, wait (bounded) until the reader has caught up, so reads provably overlap appends.
        for (let i = 0; b === batches / 2 && Atomics.load(progress, 0) < b * 5 && i < 200; i++) {
          Atomics.wait(progress, 0, Atomics.load(progress, 0), 100)
        }
      }
      const [result] = await done as [{ next: number, readsBehindWriter: number, errors: string[] }]
      expect(result.errors).toEqual([])
      expect(result.next).toBe(batches * 5)
      expect(result.readsBehindWriter).toBeGreaterThan(0)
    } finally {
      await worker.terminate()
      log.close()
    }
  })

  it('disk use follows the data: the active segment is reserved in steps and trimmed on close', () => {
    const dir = join(root, 't-14')
    const log = NativeLog.open(dir, { ...DEFAULT_LOG_CONFIG }) // 1 GiB segments
    fill(log, 10)
    const file = join(dir, segmentFiles(dir)[0]!)
    expect(statSync(file).size).toBeLessThanOrEqual(4 << 20)
    log.close()
    expect(statSync(file).size).toBe(10 * valuesBatch('b0', 5, 100).length)
  })
})

function existsLog (dir: string, base: number): boolean {
  return segmentFiles(dir).includes(`${String(base).padStart(20, '0')}.log`)
}
