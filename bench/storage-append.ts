// How much does the shard hop cost an append? Append throughput and per-append latency for 1 KiB,
// 16 KiB and 1 MiB batches through PartitionStore (one partition, so one shard does all the writing)
// against NativeLog.append called directly on the main thread. Target: the store within 25% of the
// native call for 16 KiB batches with enough appends in flight.
// Each case runs ROUNDS times, interleaved with the others, and the round with the median throughput
// is reported. Every case starts after a `sync`: otherwise the writeback of the previous case's dirty
// pages competes for the 2 cores and penalises whichever case runs next.
// Latency through the store is measured with one append in flight (the hop alone) and with IN_FLIGHT
// appends in flight (what a loaded broker sees: hop + queueing behind the turn's other appends).
// Run: npx tsx bench/storage-append.ts   (npm run bench:storage)
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NativeLog, type LogConfig } from '../src/storage/native.js'
import { PartitionStore } from '../src/storage/partition-store.js'
import { valuesBatch } from '../test/helpers/batch.js'
import { latencyHistogram, nowNs, percentileUs, printMachine, printTable, round, type Row } from './storage-report.js'

const CONFIG: LogConfig = { segmentBytes: 256 * 2 ** 20, segmentMs: 7 * 24 * 3600_000, indexIntervalBytes: 4096, retentionMs: -1, retentionBytes: -1 }
const IN_FLIGHT = 64
const CASE_SECONDS = 2
const ROUNDS = 3
const CASE_BYTES = 1.5 * 2 ** 30

interface Size { label: string; valueBytes: number; records: number }
const ALL_SIZES: Size[] = [
  { label: '1 KiB', valueBytes: 1000, records: 1 },
  { label: '16 KiB', valueBytes: 1000, records: 16 },
  { label: '1 MiB', valueBytes: 64_000, records: 16 }
]
/** BENCH_SIZES='16 KiB' (comma-separated labels) runs only those sizes. */
const SIZES = process.env.BENCH_SIZES === undefined ? ALL_SIZES : ALL_SIZES.filter((s) => process.env.BENCH_SIZES!.split(',').includes(s.label))

interface Result { appends: number; seconds: number; batchBytes: number; p50: number; p99: number }

function row (size: Size, path: string, inFlight: number, r: Result): Row {
  return {
    batch: size.label,
    path,
    inFlight,
    'appends/s': Math.round(r.appends / r.seconds),
    'MiB/s': round(r.appends * r.batchBytes / r.seconds / 2 ** 20),
    'p50 µs': r.p50,
    'p99 µs': r.p99
  }
}

/** Whether a case has run long enough: bounded in time and in bytes written. */
function budget (batchBytes: number): (appends: number, startNs: number) => boolean {
  const maxAppends = Math.max(50, Math.floor(CASE_BYTES / batchBytes))
  return (appends, startNs) => appends < maxAppends && nowNs() - startNs < CASE_SECONDS * 1e9
}

function nativeCase (dir: string, batch: Buffer): Result {
  execFileSync('sync')
  const log = NativeLog.open(dir, CONFIG)
  const h = latencyHistogram()
  const more = budget(batch.length)
  for (let i = 0; i < 200; i++) log.append(batch, { leaderEpoch: 0, logAppendTimeMs: -1, nowMs: Date.now() })
  const start = nowNs()
  let appends = 0
  while (more(appends, start)) {
    const t = nowNs()
    log.append(batch, { leaderEpoch: 0, logAppendTimeMs: -1, nowMs: Date.now() })
    h.recordValue(nowNs() - t)
    appends++
  }
  const seconds = (nowNs() - start) / 1e9
  log.close()
  return { appends, seconds, batchBytes: batch.length, p50: percentileUs(h, 50), p99: percentileUs(h, 99) }
}

async function storeCase (store: PartitionStore, topic: string, batch: Buffer, inFlight: number): Promise<Result> {
  await store.createPartition(topic, 0)
  for (let i = 0; i < 200; i++) await store.append(topic, 0, batch, { leaderEpoch: 0, logAppendTimeMs: -1, nowMs: Date.now() })
  execFileSync('sync')
  const h = latencyHistogram()
  const more = budget(batch.length)
  let appends = 0
  const start = nowNs()
  const lane = async (): Promise<void> => {
    while (more(appends, start)) {
      appends++
      const t = nowNs()
      await store.append(topic, 0, batch, { leaderEpoch: 0, logAppendTimeMs: -1, nowMs: Date.now() })
      h.recordValue(nowNs() - t)
    }
  }
  await Promise.all(Array.from({ length: inFlight }, lane))
  const seconds = (nowNs() - start) / 1e9
  await store.deletePartition(topic, 0)
  return { appends, seconds, batchBytes: batch.length, p50: percentileUs(h, 50), p99: percentileUs(h, 99) }
}

function median (results: Result[]): Result {
  const sorted = [...results].sort((a, b) => a.appends / a.seconds - b.appends / b.seconds)
  const mid = sorted[Math.floor(sorted.length / 2)]
  if (mid === undefined) throw new Error('no rounds ran')
  return mid
}

async function main (): Promise<void> {
  printMachine(`storage-append: PartitionStore (1 partition, 2 shards) vs NativeLog.append on the main thread; median of ${ROUNDS} rounds of ${CASE_SECONDS}s or ${CASE_BYTES / 2 ** 30} GiB`)
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-bench-'))
  const store = await PartitionStore.open({ dataDir, shards: 2, defaults: CONFIG })
  const rows: Row[] = []
  try {
    for (const size of SIZES) {
      const batch = valuesBatch('bench', size.records, size.valueBytes, Date.now())
      const runs = { native: [] as Result[], store1: [] as Result[], storeMany: [] as Result[] }
      for (let round = 0; round < ROUNDS; round++) {
        const dir = join(dataDir, `native-${round}`)
        runs.native.push(nativeCase(dir, batch))
        await rm(dir, { recursive: true })
        runs.store1.push(await storeCase(store, `store-1-${round}`, batch, 1))
        runs.storeMany.push(await storeCase(store, `store-${IN_FLIGHT}-${round}`, batch, IN_FLIGHT))
      }
      rows.push(row(size, 'native', 1, median(runs.native)), row(size, 'store', 1, median(runs.store1)), row(size, 'store', IN_FLIGHT, median(runs.storeMany)))
    }
  } finally {
    await store.close()
    await rm(dataDir, { recursive: true, force: true })
  }
  printTable(rows)
}

await main()
