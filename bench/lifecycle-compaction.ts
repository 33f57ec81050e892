// Compaction: how fast the cleaner rewrites a log (MB/s of log cleaned), and what a pass does to the
// append latency of other partitions on the same shard while it runs (the cleaner runs on the shard's
// thread). One shard, in process: a compacted partition filled with keyed records (a few codecs), and
// a second partition receiving one append at a time throughout.
// Run: npm run bench:lifecycle (or npx tsx bench/lifecycle-compaction.ts)
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeBatch } from '../src/protocol/codec/record-batch.js'
import { DEFAULT_LOG_CONFIG } from '../src/storage/native.js'
import { PartitionStore } from '../src/storage/partition-store.js'
import { latencyHistogram, nowNs, percentileUs, printMachine, printTable, round, type Row } from './storage-report.js'

const RECORDS = 400_000
const KEYS = 20_000
const PER_BATCH = 100
const VALUE = Buffer.alloc(200, 'c')
const CODECS = [0, 1, 3, 4] // none, gzip, lz4, zstd

const lifecycle = {
  cleanupPolicy: 'compact' as const, deleteRetentionMs: 0, minCompactionLagMs: 0, maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
  minCleanableDirtyRatio: 0, flushMessages: Number.MAX_SAFE_INTEGER, flushMs: Number.MAX_SAFE_INTEGER
}

const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-compact-'))
const store = await PartitionStore.open({ dataDir: dir, shards: 1, defaults: { ...DEFAULT_LOG_CONFIG, retentionMs: -1 } })
try {
  await store.createPartition('compacted', 0, { segmentBytes: 8 << 20, lifecycle })
  await store.createPartition('live', 0)
  const nowMs = Date.now()
  for (let i = 0; i < RECORDS; i += PER_BATCH) {
    const records = Array.from({ length: PER_BATCH }, (_, j) => ({ key: Buffer.from(`key-${(i + j) % KEYS}`), value: VALUE, timestamp: nowMs }))
    await store.append('compacted', 0, encodeBatch({ records, compression: CODECS[(i / PER_BATCH) % CODECS.length] }), { leaderEpoch: 0, logAppendTimeMs: -1, nowMs })
  }
  await store.flush()
  const sizeBefore = store.sizeBytes('compacted', 0)
  const one = encodeBatch({ records: [{ value: VALUE }] })
  const appendOnce = async (): Promise<number> => {
    const start = nowNs()
    await store.append('live', 0, one, { leaderEpoch: 0, logAppendTimeMs: -1, nowMs: Date.now() })
    return nowNs() - start
  }
  const idle = latencyHistogram()
  for (let i = 0; i < 2_000; i++) idle.recordValue(await appendOnce())

  const during = latencyHistogram()
  let cleaning = true
  const t0 = nowNs()
  const pass = store.compact('compacted', 0).finally(() => { cleaning = false })
  while (cleaning) during.recordValue(await appendOnce())
  const result = await pass
  const seconds = (nowNs() - t0) / 1e9

  printMachine(`compaction of ${RECORDS} records (${KEYS} keys, 200 B values, codecs none/gzip/lz4/zstd) on one shard`)
  const rows: Row[] = [{
    'log MB': round(sizeBefore / 1e6),
    'rewritten MB': round((result?.bytesBefore ?? 0) / 1e6),
    'after MB': round((result?.bytesAfter ?? 0) / 1e6),
    'records removed': result?.recordsRemoved ?? 0,
    seconds: round(seconds, 2),
    'MB/s cleaned': round((result?.bytesBefore ?? 0) / 1e6 / seconds)
  }]
  printTable(rows)
  printTable([
    { 'append to another partition of the shard': 'idle', p50: percentileUs(idle, 50), 'p99 µs': percentileUs(idle, 99), 'max µs': percentileUs(idle, 100), samples: idle.totalCount },
    { 'append to another partition of the shard': 'during the pass', p50: percentileUs(during, 50), 'p99 µs': percentileUs(during, 99), 'max µs': percentileUs(during, 100), samples: during.totalCount }
  ])
} finally {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
}
