// Compaction and retention through the store's shards, and the produce rule for compacted topics
// through a real broker (issue #9).
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Admin, KafkaClient, Producer } from '../../src/client/index.js'
import { decodeBatch, encodeBatch, iterateBatches } from '../../src/protocol/codec/record-batch.js'
import { ErrorCode, KafkaError } from '../../src/protocol/index.js'
import { DEFAULT_LOG_CONFIG, type LifecycleConfig } from '../../src/storage/native.js'
import { PartitionStore, type RetentionEvent } from '../../src/storage/partition-store.js'
import { startBroker } from '../helpers/broker.js'

const COMPACT: LifecycleConfig = {
  cleanupPolicy: 'compact', deleteRetentionMs: 0, minCompactionLagMs: 0, maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
  minCleanableDirtyRatio: 0, flushMessages: Number.MAX_SAFE_INTEGER, flushMs: Number.MAX_SAFE_INTEGER
}
const dirs: string[] = []
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }) })

async function openStore (retentionCheckIntervalMs = 300_000): Promise<PartitionStore> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-lifecycle-'))
  dirs.push(dir)
  return await PartitionStore.open({ dataDir: dir, shards: 1, retentionCheckIntervalMs, defaults: { ...DEFAULT_LOG_CONFIG, segmentBytes: 4096 } })
}

function keyed (pairs: Array<[string, string | null]>, compression = 0, timestamp = Date.now()): Buffer {
  return encodeBatch({ compression, records: pairs.map(([k, v]) => ({ key: Buffer.from(k), value: v === null ? null : Buffer.from(v), timestamp })) })
}

function contents (store: PartitionStore, topic: string): Array<[number, string, string | null]> {
  const out: Array<[number, string, string | null]> = []
  for (const view of store.read(topic, 0, store.logStartOffset(topic, 0), 1 << 24)) {
    for (const b of iterateBatches(view)) {
      for (const r of decodeBatch(b.bytes).records) out.push([Number(r.offset), r.key?.toString() ?? '', r.value?.toString() ?? null])
    }
  }
  return out
}

describe('compaction in the shards', () => {
  it('keeps the newest value of every key across codecs, at its offsets, while appends to the log go on', async () => {
    const store = await openStore()
    try {
      await store.createPartition('kv', 0, { lifecycle: COMPACT })
      const opts = { leaderEpoch: 0, logAppendTimeMs: -1, nowMs: Date.now() }
      const value = 'v'.repeat(300)
      for (let round = 0; round < 20; round++) {
        await store.append('kv', 0, keyed([['a', `${value}${round}`], ['b', `${value}${round}`]], round % 5), opts)
      }
      await store.append('kv', 0, keyed([['a', null]], 0, Date.now() - 10), opts) // a tombstone past delete.retention.ms=0
      await store.append('kv', 0, keyed([['z', 'z'.repeat(4000)]]), opts) // too big for the active segment: rolls it
      const hw = store.highWatermark('kv', 0)
      const segmentFiles = (): number[] => readdirSync(join(dirs.at(-1)!, 'kv-0')).filter((f) => f.endsWith('.log')).map((f) => statSync(join(dirs.at(-1)!, 'kv-0', f)).size)
      const before = segmentFiles()
      const [result] = await Promise.all([store.compact('kv', 0), store.append('kv', 0, keyed([['c', 'live']]), opts)])
      const left = contents(store, 'kv')
      expect(result?.recordsRemoved).toBeGreaterThan(30)
      // The cleaned segments were merged, each within the topic's segment.bytes (4096).
      expect(result?.mergedSegments).toBeGreaterThan(0)
      expect(segmentFiles().length).toBe(before.length - result!.mergedSegments + 1) // 'c' rolled the segment of 'z'
      expect(segmentFiles().slice(0, -2).every((size) => size <= 4096)).toBe(true)
      const keys = left.map(([, k]) => k)
      expect(keys).toEqual(['b', 'z', 'c']) // 'a' ended with a tombstone, itself removed
      expect(left[0]).toEqual([39, 'b', `${value}19`])
      expect(left.at(-1)).toEqual([hw, 'c', 'live'])
      expect(store.highWatermark('kv', 0)).toBe(hw + 1)
    } finally {
      await store.close()
    }
  })

  it('applies time retention to a delete topic and not to a compact-only one in the same check', async () => {
    const store = await openStore(20)
    try {
      const old = Date.now() - 3_600_000
      const event = new Promise<RetentionEvent>((resolve) => { store.onRetention((e) => { if (e.topic === 'deleting') resolve(e) }) })
      await store.createPartition('deleting', 0, { retentionMs: 1000 })
      await store.createPartition('compacted', 0, { retentionMs: 1000, lifecycle: COMPACT })
      for (const topic of ['deleting', 'compacted']) {
        for (let i = 0; i < 30; i++) await store.append(topic, 0, keyed([[`k${i}`, 'x'.repeat(300)]], 0, old), { leaderEpoch: 0, logAppendTimeMs: -1, nowMs: old })
      }
      expect((await event).deletedSegments).toBeGreaterThan(0)
      expect(store.logStartOffset('compacted', 0)).toBe(0)
    } finally {
      await store.close()
    }
  })
})

describe('produce to a compacted topic', () => {
  it('refuses records without a key with INVALID_RECORD and accepts keyed ones', async () => {
    const broker = await startBroker()
    const client = new KafkaClient({ bootstrap: broker.bootstrap })
    try {
      await new Admin(client).createTopics([{ name: 'table', partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } }])
      const producer = new Producer(client, { acks: -1, retries: 0, lingerMs: 0 })
      const refused = await producer.send({ topic: 'table', partition: 0, value: 'no key' }).catch((e: unknown) => e)
      expect(refused).toBeInstanceOf(KafkaError)
      expect((refused as KafkaError).code).toBe(ErrorCode.INVALID_RECORD)
      expect((await producer.send({ topic: 'table', partition: 0, key: 'k', value: 'v' })).offset).toBe(0)
    } finally {
      await client.close()
      await broker.stop()
    }
  })
})
