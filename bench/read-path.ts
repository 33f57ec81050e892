// What does the broker's read path cost on its network thread, without the protocol around it?
//   catch-up  read(offset, 8 MiB) views over a 512 MiB log of 64 x 1 KB batches, each pass written
//             to a loopback socket that discards (bench/systems/sink.ts), as Fetch answers are; the
//             first pass maps the log's pages in, the second finds them mapped
//   tail      read(last batch) of one 1 KB record: the long-poll answer of an end-to-end run
// Each case reports throughput or latency, this process's CPU time (on a shared 2-core machine the
// wall-clock rates swing two-fold between runs; CPU time much less) and the garbage collections it
// caused (count and pause time): every view used to be an external buffer V8 counted as new memory.
// Run: npx tsx bench/read-path.ts   (reported in bench/README.md)
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { PerformanceObserver } from 'node:perf_hooks'
import * as hdr from 'hdr-histogram-js'
import { DEFAULT_LOG_CONFIG, NativeLog } from '../src/storage/native.js'
import { buildBatch } from '../test/helpers/batch.js'
import { nextOffsetAfter } from './lib/batches.js'
import { machine, table } from './lib/report.js'
import { startSink } from './systems/sink.js'

const LOG_BYTES = 512 * 2 ** 20
const READ_BYTES = 8 * 2 ** 20
const TAIL_READS = 100_000
const OPTS = { leaderEpoch: 0, logAppendTimeMs: -1, nowMs: Date.now() }

const gc = { count: 0, ms: 0 }
new PerformanceObserver(list => { for (const e of list.getEntries()) { gc.count++; gc.ms += e.duration } }).observe({ entryTypes: ['gc'] })
/** Runs `work` and returns its result with the collections that happened meanwhile. */
async function counted<T> (work: () => Promise<T> | T): Promise<T & { gcs: number, gcMs: number, cpuMs: number }> {
  const before = { ...gc }
  const cpu = process.cpuUsage()
  const out = await work()
  const used = process.cpuUsage(cpu)
  await new Promise(resolve => setImmediate(resolve)) // let the observer deliver
  return { ...out, gcs: gc.count - before.count, gcMs: gc.ms - before.ms, cpuMs: (used.user + used.system) / 1000 }
}

async function writeAll (socket: Socket, views: Buffer[]): Promise<void> {
  socket.cork()
  let room = true
  for (const v of views) room = socket.write(v)
  socket.uncork()
  if (!room) await new Promise(resolve => socket.once('drain', resolve))
}

async function catchUpPass (log: NativeLog, socket: Socket): Promise<{ mbs: number, reads: number }> {
  const hw = log.highWatermark()
  const started = performance.now()
  let offset = 0
  let bytes = 0
  let reads = 0
  while (offset < hw) {
    const views = log.read(offset, READ_BYTES)
    reads++
    for (const v of views) bytes += v.length
    offset = nextOffsetAfter(views)
    await writeAll(socket, views)
  }
  return { mbs: bytes / 1e6 / ((performance.now() - started) / 1000), reads }
}

function tailReads (log: NativeLog): { p50: number, p99: number } {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 1e9, numberOfSignificantValueDigits: 3 })
  const last = log.highWatermark() - 1
  for (let i = 0; i < TAIL_READS; i++) {
    const t0 = process.hrtime.bigint()
    log.read(last, 1 << 20)
    h.recordValue(Number(process.hrtime.bigint() - t0))
  }
  return { p50: h.getValueAtPercentile(50) / 1000, p99: h.getValueAtPercentile(99) / 1000 }
}

const root = mkdtempSync(join(process.env.BENCH_DIR ?? '/work', '.bench-read-'))
const sink = await startSink('discard')
try {
  const log = NativeLog.open(join(root, 'log'), { ...DEFAULT_LOG_CONFIG, retentionMs: -1 })
  const batch = buildBatch({ records: Array.from({ length: 64 }, () => ({ value: 'x'.repeat(1000) })) })
  for (let written = 0; written < LOG_BYTES; written += batch.length) log.append(batch, OPTS)
  const reader = NativeLog.attach(join(root, 'log')) // the broker reads through its own handle
  const socket = connect({ host: sink.host, port: sink.port })
  await new Promise(resolve => socket.once('connect', resolve))
  const rows: Array<Array<string | number>> = []
  for (const pass of ['first', 'second']) {
    const r = await counted(async () => await catchUpPass(reader, socket))
    rows.push([`catch-up, ${pass} pass`, `${r.mbs.toFixed(0)} MB/s`, `${r.reads} reads of 8 MiB`, r.cpuMs.toFixed(0), r.gcs, r.gcMs.toFixed(1)])
  }
  const t = await counted(() => tailReads(reader))
  rows.push([`tail read of 1 batch x ${TAIL_READS}`, `p50 ${t.p50.toFixed(2)} µs, p99 ${t.p99.toFixed(2)} µs`, '', t.cpuMs.toFixed(0), t.gcs, t.gcMs.toFixed(1)])
  socket.destroy()
  log.close()
  console.log(`# read path · ${machine()}`)
  console.log(table(['case', 'rate / latency', 'work', 'CPU ms', 'GCs', 'GC ms'], rows))
} finally {
  await sink.stop()
  rmSync(root, { recursive: true, force: true })
}
