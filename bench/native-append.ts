// What does the native storage core cost, called directly (no shard hop)?
//   1. append throughput and per-append latency for 1 KiB, 16 KiB and 1 MiB batches into the page
//      cache (target: >= 1.5 GB/s for 16 KiB);
//   2. read-view throughput: sequential read(offset, 1 MiB) over a 1 GiB log of 16 KiB batches;
//   3. offset lookup latency (p50/p99): read(randomOffset, 1) over a 1 GiB log of 1 KiB batches;
//   4. disk and address space held by 1000 partitions with 1 GiB segments and one small batch each;
//   5. reopen time of a large partition (target < 200 ms): BENCH_REOPEN_GIB (default 10) of 256 MiB
//      segments, reopened warm (page cache) and, when /proc/sys/vm/drop_caches is writable, cold.
// Every case warms up first; every loop is bounded by count and time.
// Run: npx tsx bench/native-append.ts   (npm run bench:native)
import { execSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, release, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import * as hdr from 'hdr-histogram-js'
import { Bench } from 'tinybench'
import { DEFAULT_LOG_CONFIG, NativeLog, crc32cHardware, type LogConfig } from '../src/storage/native.js'
import { buildBatch } from '../test/helpers/batch.js'
import { nextOffsetAfter } from './lib/batches.js'

const NOW = Date.now()
const OPTS = { leaderEpoch: 0, logAppendTimeMs: -1, nowMs: NOW }
const GiB = 2 ** 30
const root = mkdtempSync(join(process.env.BENCH_DIR ?? '/work', '.bench-native-'))
const config: LogConfig = { ...DEFAULT_LOG_CONFIG, retentionMs: -1 }

/** One batch of `records` records making about `bytes` bytes in all. */
function batchOf (bytes: number, records = 1): Buffer {
  const value = 'x'.repeat(Math.max(1, Math.floor((bytes - 61) / records) - 8))
  return buildBatch({ records: Array.from({ length: records }, () => ({ value })) })
}

function fillLog (log: NativeLog, batch: Buffer, totalBytes: number): void {
  for (let written = 0; written < totalBytes; written += batch.length) log.append(batch, OPTS)
}

const fmt = (n: number, digits = 1): string => n.toFixed(digits)
const rows: string[][] = []
function row (...cells: string[]): void { rows.push(cells) }

async function appendCase (label: string, bytes: number, records: number): Promise<void> {
  const batch = batchOf(bytes, records)
  const log = NativeLog.open(join(root, `append-${bytes}`), config)
  const bench = new Bench({ time: 1500, warmupTime: 300, iterations: 64 })
  bench.add(label, () => { log.append(batch, OPTS) })
  await bench.run()
  const r = bench.tasks[0]!.result
  if (r.state !== 'completed') throw new Error(`${label}: ${r.state}`)
  const mbs = batch.length / (r.latency.mean / 1000) / 1e6
  row(`append ${label}`, `${fmt(mbs, 0)} MB/s`, `${fmt(r.latency.p50 * 1000, 2)} µs`, `${fmt(r.latency.p99 * 1000, 2)} µs`,
    `${fmt(log.sizeBytes() / GiB, 2)} GiB written`)
  log.delete()
}

async function readCase (): Promise<void> {
  const log = NativeLog.open(join(root, 'read'), config)
  fillLog(log, batchOf(16 * 1024, 16), GiB)
  const hw = log.highWatermark()
  let offset = 0
  let bytes = 0
  let calls = 0
  const bench = new Bench({ time: 1500, warmupTime: 300 })
  bench.add('read view 1 MiB', () => {
    const views = log.read(offset, 1 << 20)
    calls++
    for (const v of views) bytes += v.length
    offset = nextOffsetAfter(views)
    if (offset >= hw) offset = 0
  })
  await bench.run()
  const r = bench.tasks[0]!.result
  if (r.state !== 'completed') throw new Error(r.state)
  const perSecond = (bytes / calls) / (r.latency.mean / 1000)
  row('read views, 1 MiB per call', `${fmt(perSecond / 1e9, 2)} GB/s`, `${fmt(r.latency.p50 * 1000, 2)} µs`, `${fmt(r.latency.p99 * 1000, 2)} µs`,
    'zero-copy: Buffers over the mapping')
  log.delete()
}

function lookupCase (): void {
  const log = NativeLog.open(join(root, 'lookup'), config)
  fillLog(log, batchOf(1024, 1), GiB)
  const hw = log.highWatermark()
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 1e9, numberOfSignificantValueDigits: 3 })
  const samples = 200_000
  for (let i = 0; i < samples + 20_000; i++) {
    const offset = Math.floor(Math.random() * hw)
    const t0 = process.hrtime.bigint()
    log.read(offset, 1)
    const ns = Number(process.hrtime.bigint() - t0)
    if (i >= 20_000) h.recordValue(ns)
  }
  row(`offset lookup: read(random, 1), ${fmt(hw / 1e6, 2)}M batches`, `${fmt(1e9 / h.mean / 1e6, 2)} M/s`,
    `${fmt(h.getValueAtPercentile(50) / 1000, 2)} µs`, `${fmt(h.getValueAtPercentile(99) / 1000, 2)} µs`, `${samples} samples`)
  log.delete()
}

function statusKiB (field: string): number {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find(l => l.startsWith(`${field}:`)) ?? ''
  return Number(/(\d+)/.exec(line)?.[1] ?? 0)
}

function partitionsCase (count: number): void {
  const vmBefore = statusKiB('VmSize')
  const logs = Array.from({ length: count }, (_, i) => NativeLog.open(join(root, 'many', `t-${i}`), config))
  const batch = batchOf(1024, 1)
  for (const log of logs) log.append(batch, OPTS)
  const du = (): number => Number(execSync(`du -sk ${join(root, 'many')}`).toString().split('\t')[0])
  const open = du()
  const vm = (statusKiB('VmSize') - vmBefore) / 2 ** 20
  for (const log of logs) log.close()
  row(`${count} partitions, 1 GiB segments, 1 KiB each`, `${fmt(open / 1024, 0)} MiB on disk open`,
    `${fmt(du() / 1024, 1)} MiB closed`, `${fmt(vm, 0)} GiB addr space`, 'du -sk; VmSize growth while open')
  rmSync(join(root, 'many'), { recursive: true, force: true })
}

function dropCaches (): boolean {
  try { execSync('sync'); writeFileSync('/proc/sys/vm/drop_caches', '3'); return true } catch { return false }
}

function reopenCase (gib: number): void {
  const dir = join(root, 'reopen')
  const cfg = { ...config, segmentBytes: 256 * 2 ** 20 }
  let log = NativeLog.open(dir, cfg)
  const t0 = performance.now()
  fillLog(log, batchOf(1 << 20, 16), gib * GiB)
  log.close()
  const buildS = (performance.now() - t0) / 1000
  const times: number[] = []
  let report = log.recovery
  for (let i = 0; i < 5; i++) {
    const t = performance.now()
    log = NativeLog.open(dir, cfg)
    times.push(performance.now() - t)
    report = log.recovery
    log.close()
  }
  times.sort((a, b) => a - b)
  row(`reopen ${gib} GiB, ${report.segments} segments (warm)`, `${fmt(times[2]!, 2)} ms median`, `min ${fmt(times[0]!, 2)} ms`,
    `max ${fmt(times[4]!, 2)} ms`, `scanned ${report.scannedBytes} B; build ${fmt(buildS, 1)} s`)
  if (dropCaches()) {
    const t = performance.now()
    log = NativeLog.open(dir, cfg)
    const cold = performance.now() - t
    log.close()
    row(`reopen ${gib} GiB (cold page cache)`, `${fmt(cold, 2)} ms`, '', '', 'after sync + drop_caches')
  }
  rmSync(dir, { recursive: true, force: true })
}

try {
  await appendCase('1 KiB', 1024, 1)
  await appendCase('16 KiB', 16 * 1024, 16)
  await appendCase('1 MiB', 1 << 20, 16)
  await readCase()
  lookupCase()
  partitionsCase(1000)
  const gib = Number(process.env.BENCH_REOPEN_GIB ?? 10)
  if (gib > 0) reopenCase(gib)
} finally {
  rmSync(root, { recursive: true, force: true })
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${fmt(totalmem() / GiB, 0)} GiB RAM, Linux ${release()}, Node ${process.version}, crc32c ${crc32cHardware ? 'SSE4.2' : 'table'}`)
const widths = [0, 1, 2, 3, 4].map(i => Math.max(...[['case', 'throughput', 'p50', 'p99', 'note'], ...rows].map(r => (r[i] ?? '').length)))
for (const r of [['case', 'throughput', 'p50', 'p99', 'note'], ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '))
