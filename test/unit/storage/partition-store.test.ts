// PartitionStore end to end: real shard worker threads, the real native core, real files in a tmp dir.
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StoreError, type LogConfig } from '../../../src/storage/native.js'
import { PartitionStore, type PartitionStoreOptions, type RetentionEvent } from '../../../src/storage/partition-store.js'
import { shardOf } from '../../../src/storage/shard-routing.js'
import { decodeValues, valuesBatch } from '../../helpers/batch.js'

const DEFAULTS: LogConfig = {
  segmentBytes: 64 * 1024,
  segmentMs: 7 * 24 * 3600_000,
  indexIntervalBytes: 4096,
  retentionMs: -1,
  retentionBytes: -1
}
const now = (): { leaderEpoch: number, logAppendTimeMs: number, nowMs: number } => ({ leaderEpoch: 0, logAppendTimeMs: -1, nowMs: Date.now() })

const batch = (records = 1, valueBytes = 16, baseTimestamp?: number): Buffer => valuesBatch('v', records, valueBytes, baseTimestamp)
const baseOffsetOf = (view: Buffer): number => Number(view.readBigInt64BE(0))

let dataDir: string
const stores: PartitionStore[] = []

async function openStore (opts: Partial<PartitionStoreOptions> = {}): Promise<PartitionStore> {
  const store = await PartitionStore.open({ dataDir, shards: 2, defaults: DEFAULTS, ...opts })
  stores.push(store)
  return store
}

async function storeErrorOf (work: Promise<unknown> | (() => unknown)): Promise<StoreError> {
  try {
    await (typeof work === 'function' ? work() : work)
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError)
    return err as StoreError
  }
  throw new Error('expected a StoreError')
}

/** The batches in `views`: a view may hold several consecutive batches of one segment. */
function batchesOf (views: Buffer[]): Buffer[] {
  const out: Buffer[] = []
  for (const view of views) {
    for (let pos = 0; pos < view.length; pos += view.readInt32BE(pos + 8) + 12) {
      out.push(view.subarray(pos, pos + view.readInt32BE(pos + 8) + 12))
    }
  }
  return out
}

/** Every batch of the partition from its log start, read in chunks of at most `maxBytes`. */
function readAll (store: PartitionStore, topic: string, partition: number, maxBytes = 8192): Buffer[] {
  const out: Buffer[] = []
  let next = store.logStartOffset(topic, partition)
  for (let guard = 0; guard < 10_000; guard++) {
    const batches = batchesOf(store.read(topic, partition, next, maxBytes))
    if (batches.length === 0) return out
    for (const b of batches) {
      out.push(b)
      next = baseOffsetOf(b) + b.readInt32BE(23) + 1
    }
  }
  throw new Error('readAll did not reach the end of the log')
}

beforeEach(async () => { dataDir = await mkdtemp(join(tmpdir(), 'sluice-store-')) })
afterEach(async () => {
  await Promise.all(stores.splice(0).map(async (s) => { await s.close() }))
  await rm(dataDir, { recursive: true, force: true })
})

describe('PartitionStore', () => {
  it('round-trips appends through the shards across segment rolls', async () => {
    const store = await openStore({ defaults: { ...DEFAULTS, segmentBytes: 16 * 1024 } })
    await store.createPartition('orders', 0)
    const offsets: number[] = []
    for (let i = 0; i < 40; i++) {
      const r = await store.append('orders', 0, valuesBatch(`b${i}`, 2, 500), now())
      offsets.push(r.baseOffset)
      expect(r.lastOffset).toBe(r.baseOffset + 1)
    }
    expect(offsets).toEqual(Array.from({ length: 40 }, (_, i) => i * 2))
    expect(store.highWatermark('orders', 0)).toBe(80)
    const segments = (await readdir(join(dataDir, 'orders-0'))).filter((f) => f.endsWith('.log'))
    expect(segments.length).toBeGreaterThan(2)
    const batches = readAll(store, 'orders', 0)
    expect(batches.map(baseOffsetOf)).toEqual(offsets)
    const values = decodeValues(batches)
    expect(values).toHaveLength(80)
    values.forEach(({ offset, value }, i) => {
      expect(offset).toBe(i)
      expect(value.startsWith(`b${Math.floor(i / 2)}-${i % 2}.`)).toBe(true)
    })
  })

  it('rediscovers partitions and their data when reopened', async () => {
    const first = await openStore()
    await first.createPartition('web-clicks-v2', 3)
    await first.createPartition('audit', 0)
    await first.append('web-clicks-v2', 3, Buffer.concat([batch(4), batch(4), batch(4)]), now())
    await first.close()
    const second = await openStore()
    const found = second.partitions().sort((a, b) => a.topic.localeCompare(b.topic))
    expect(found).toEqual([{ topic: 'audit', partition: 0 }, { topic: 'web-clicks-v2', partition: 3 }])
    expect(second.highWatermark('web-clicks-v2', 3)).toBe(12)
    expect(readAll(second, 'web-clicks-v2', 3).map(baseOffsetOf)).toEqual([0, 4, 8])
    const next = await second.append('web-clicks-v2', 3, batch(), now())
    expect(next.baseOffset).toBe(12)
  })

  it('sends the appends of one event-loop turn to their shard as one message', async () => {
    const store = await openStore()
    const partitions = [0, 1, 2, 3, 4, 5, 6, 7]
    for (const p of partitions) await store.createPartition('turns', p)
    const busy = new Set(partitions.map((p) => shardOf('turns', p, 2)))
    const before = store.stats().shards.map((s) => s.messages)
    const appends = Array.from({ length: 200 }, async (_, i) => await store.append('turns', i % 8, batch(), now()))
    const results = await Promise.all(appends)
    const sent = store.stats().shards.map((s, i) => s.messages - (before[i] ?? 0))
    expect(sent).toEqual([0, 1].map((shard) => busy.has(shard) ? 1 : 0))
    for (const p of partitions) expect(store.highWatermark('turns', p)).toBe(25)
    expect(results.filter((r) => r.baseOffset === 24)).toHaveLength(8)
  })

  it('runs appends and other ops of one turn in the order they were issued', async () => {
    const store = await openStore()
    await store.createPartition('order', 0)
    const first = store.append('order', 0, batch(3), now())
    const dropped = store.append('order', 0, batch(2), now())
    const truncated = store.truncateTo('order', 0, 3)
    const last = store.append('order', 0, batch(2), now())
    expect((await first).baseOffset).toBe(0)
    expect((await dropped).baseOffset).toBe(3)
    await truncated
    expect((await last).baseOffset).toBe(3)
    expect(store.highWatermark('order', 0)).toBe(5)
  })

  it('splits a turn whose appends exceed 4 MiB into several shard messages', async () => {
    const store = await openStore()
    await store.createPartition('large', 0)
    const shard = shardOf('large', 0, 2)
    const before = store.stats().shards[shard]!.messages
    const big = batch(16, 100_000)
    const results = await Promise.all(Array.from({ length: 6 }, async () => await store.append('large', 0, big, now())))
    expect(results.map((r) => r.baseOffset)).toEqual([0, 16, 32, 48, 64, 80])
    expect(store.stats().shards[shard]!.messages - before).toBe(3)
  })

  it('reads on the calling thread see every completed append while more are in flight', async () => {
    const store = await openStore({ defaults: { ...DEFAULTS, segmentBytes: 32 * 1024 } })
    await store.createPartition('live', 0)
    let lastSeen = 0
    const appends: Array<Promise<unknown>> = []
    for (let i = 0; i < 300; i++) {
      appends.push(store.append('live', 0, batch(1, 200), now()).then((r) => {
        const hw = store.highWatermark('live', 0)
        expect(hw).toBeGreaterThan(r.lastOffset)
        const views = store.read('live', 0, r.baseOffset, 1)
        expect(baseOffsetOf(views[0]!)).toBe(r.baseOffset)
        expect(hw).toBeGreaterThanOrEqual(lastSeen)
        lastSeen = hw
      }))
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    await Promise.all(appends)
    expect(readAll(store, 'live', 0, 4096)).toHaveLength(300)
  })

  it('wakes a data wait when an append passes its offset and reports the append to listeners', async () => {
    const store = await openStore()
    await store.createPartition('wait', 0)
    await store.append('wait', 0, batch(), now())
    await store.waitForData('wait', 0, 0, new AbortController().signal)
    const seen: number[] = []
    store.onAppend((topic, partition, hw) => { if (topic === 'wait' && partition === 0) seen.push(hw) })
    const waiting = store.waitForData('wait', 0, 1, new AbortController().signal)
    let woke = false
    void waiting.then(() => { woke = true })
    await new Promise((resolve) => setImmediate(resolve))
    expect(woke).toBe(false)
    await store.append('wait', 0, batch(3), now())
    await waiting
    expect(store.highWatermark('wait', 0)).toBe(4)
    expect(seen).toEqual([4])
  })

  it('settles a data wait when its signal aborts, with no data', async () => {
    const store = await openStore()
    await store.createPartition('idle', 0)
    const abort = new AbortController()
    const waiting = store.waitForData('idle', 0, 0, abort.signal)
    abort.abort()
    await waiting
    expect(store.highWatermark('idle', 0)).toBe(0)
  })

  it('fails appends to a deleted partition with UNKNOWN_PARTITION and removes its directory', async () => {
    const store = await openStore()
    await store.createPartition('gone', 1)
    await store.append('gone', 1, batch(), now())
    await store.deletePartition('gone', 1)
    const err = await storeErrorOf(store.append('gone', 1, batch(), now()))
    expect(err.code).toBe('UNKNOWN_PARTITION')
    expect(err.message).toContain('gone-1')
    expect((await storeErrorOf(() => store.read('gone', 1, 0, 100))).code).toBe('UNKNOWN_PARTITION')
    expect(await readdir(dataDir)).not.toContain('gone-1')
    expect(store.partitions()).toEqual([])
  })

  it('rejects a corrupt batch with the native error code through the shard and writes nothing', async () => {
    const store = await openStore()
    await store.createPartition('bad', 0)
    const corrupt = batch(2)
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 1) ^ 0xff, corrupt.length - 1)
    const err = await storeErrorOf(store.append('bad', 0, Buffer.concat([batch(), corrupt]), now()))
    expect(err.code).toBe('CORRUPT_MESSAGE')
    expect(store.highWatermark('bad', 0)).toBe(0)
    expect((await store.append('bad', 0, batch(), now())).baseOffset).toBe(0)
  })

  it('answers each append of a turn to one partition with its own offsets, failing only a corrupt one', async () => {
    const store = await openStore()
    await store.createPartition('turn', 0)
    const corrupt = batch(2)
    corrupt[corrupt.length - 1]! ^= 0xff
    // One turn: the shard writes the good ones together (one write) around the refused one.
    const outcomes = await Promise.allSettled([batch(3), batch(1), corrupt, batch(2)].map((b) => store.append('turn', 0, b, now())))
    expect(outcomes.map((o) => o.status === 'fulfilled' ? [o.value.baseOffset, o.value.lastOffset] : (o.reason as StoreError).code))
      .toEqual([[0, 2], [3, 3], 'CORRUPT_MESSAGE', [4, 5]])
    expect(store.highWatermark('turn', 0)).toBe(6)
    expect(batchesOf(store.read('turn', 0, 0, 2 ** 20)).map((b) => Number(b.readBigInt64BE(0)))).toEqual([0, 3, 4])
  })

  it('deletes segments older than retention.ms on the shard and reports the new log start', async () => {
    const store = await openStore({ retentionCheckIntervalMs: 20, defaults: { ...DEFAULTS, segmentBytes: 8 * 1024 } })
    await store.createPartition('old', 0)
    const hourAgo = Date.now() - 3600_000
    for (let i = 0; i < 20; i++) await store.append('old', 0, batch(1, 1000, hourAgo), now())
    const retained = new Promise<RetentionEvent>((resolve) => { store.onRetention(resolve) })
    await store.setConfig('old', 0, { retentionMs: 60_000 })
    const event = await retained
    expect(event).toMatchObject({ topic: 'old', partition: 0, error: null })
    expect(event.deletedSegments).toBeGreaterThan(0)
    expect(event.logStartOffset).toBeGreaterThan(0)
    expect(store.logStartOffset('old', 0)).toBe(event.logStartOffset)
    expect((await storeErrorOf(() => store.read('old', 0, 0, 100))).code).toBe('OFFSET_OUT_OF_RANGE')
  })

  it('deletes the oldest segments beyond retention.bytes on the shard', async () => {
    const segmentBytes = 8 * 1024
    const store = await openStore({ retentionCheckIntervalMs: 20, defaults: { ...DEFAULTS, segmentBytes } })
    await store.createPartition('big', 0)
    for (let i = 0; i < 60; i++) await store.append('big', 0, batch(1, 1000, Date.now()), now())
    const before = store.sizeBytes('big', 0)
    const retained = new Promise<RetentionEvent>((resolve) => { store.onRetention(resolve) })
    await store.setConfig('big', 0, { retentionBytes: 3 * segmentBytes })
    const event = await retained
    expect(event.deletedSegments).toBeGreaterThan(0)
    expect(store.sizeBytes('big', 0)).toBe(before - event.deletedBytes)
    expect(store.sizeBytes('big', 0)).toBeLessThanOrEqual(4 * segmentBytes)
    expect(baseOffsetOf(readAll(store, 'big', 0)[0]!)).toBe(event.logStartOffset)
  })

  it('rejects every operation with CLOSED after close, and closing twice is harmless', async () => {
    const store = await openStore()
    await store.createPartition('done', 0)
    await store.close()
    await store.close()
    expect((await storeErrorOf(store.append('done', 0, batch(), now()))).code).toBe('CLOSED')
    expect((await storeErrorOf(() => store.highWatermark('done', 0))).code).toBe('CLOSED')
    expect((await storeErrorOf(store.createPartition('more', 0))).code).toBe('CLOSED')
  })

  it('answers UNKNOWN_PARTITION for a partition it does not hold and refuses to create one twice', async () => {
    const store = await openStore()
    expect((await storeErrorOf(store.append('nope', 0, batch(), now()))).code).toBe('UNKNOWN_PARTITION')
    expect((await storeErrorOf(() => store.highWatermark('nope', 0))).code).toBe('UNKNOWN_PARTITION')
    await store.createPartition('once', 0)
    expect((await storeErrorOf(store.createPartition('once', 0))).code).toBe('PARTITION_EXISTS')
    expect((await storeErrorOf(store.createPartition('../escape', 0))).code).toBe('INVALID_PARTITION')
  })
})
