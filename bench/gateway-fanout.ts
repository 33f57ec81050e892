// Live fan-out through the gateway: SUBSCRIBERS WebSocket clients subscribed to one topic while a
// producer appends RATE records/s (100-byte values, in TICK_MS ticks, over a WebSocket); each record
// carries its send time, and every subscriber records the delay to its arrival. Reports delivery
// latency p50/p99/max over all deliveries, and how many of the expected deliveries arrived.
// Target (issue #6): p99 under 50 ms for 1,000 subscribers at 1,000 records/s. WARMUP_SECONDS of the
// same load come first and are not measured.
// The subscribers (bare RFC 6455 sockets, see RawSocket) are split over CLIENT_THREADS worker threads
// (gateway-fanout-worker.ts): a thousand sockets' frames are more than one event loop reads without
// adding its own queueing to the figure. Each thread's event-loop delay is printed: what it adds to the
// latency. The producer runs on this thread; the broker in its own process. Build first (npx tsc).
// Run: npx tsx bench/gateway-fanout.ts
//   (SUBSCRIBERS, RATE, SECONDS, CLIENT_THREADS, FORMAT=json|binary, ISOLATION=read_committed override)
import { Worker } from 'node:worker_threads'
import * as hdr from 'hdr-histogram-js'
import { latencyHistogram, summarize } from './lib/latency.js'
import { machine, round, table } from './lib/report.js'
import { createTopic, openSocket, processCpuSeconds, schedSeconds, startBenchBroker, threadCpuSeconds } from './gateway-common.js'
import type { SubscriberJob, SubscriberReport } from './gateway-fanout-worker.js'

const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 1000)
const RATE = Number(process.env.RATE ?? 1000)
const SECONDS = Number(process.env.SECONDS ?? 15)
const CLIENT_THREADS = Number(process.env.CLIENT_THREADS ?? 2)
const FORMAT = process.env.FORMAT === 'binary' ? 'binary' : 'json'
const ISOLATION = process.env.ISOLATION === 'read_committed' ? 'read_committed' : 'read_uncommitted'
const TICK_MS = 10
const WARMUP_SECONDS = 2
const VALUE_BYTES = 100
const TOPIC = 'fanout'

const broker = await startBenchBroker()
const workers: Worker[] = []
try {
  console.log(`# gateway fan-out: ${SUBSCRIBERS} WebSocket subscribers (${FORMAT} frames, ${ISOLATION}) on ${CLIENT_THREADS} client threads, ` +
    `${RATE} records/s of ${VALUE_BYTES} B for ${SECONDS} s`)
  console.log(`# ${machine()}`)
  await createTopic(broker.http, TOPIC, 1)
  for (let t = 0; t < CLIENT_THREADS; t++) {
    const count = Math.floor(SUBSCRIBERS / CLIENT_THREADS) + (t < SUBSCRIBERS % CLIENT_THREADS ? 1 : 0)
    workers.push(await startSubscribers({ http: broker.http, topic: TOPIC, count, format: FORMAT, isolation: ISOLATION }))
  }
  // Absolute microseconds, as the subscriber threads read them, padded to VALUE_BYTES.
  const stamp = (): string => String(Math.round((performance.timeOrigin + performance.now()) * 1000)).padEnd(VALUE_BYTES, ' ')
  const producer = await openSocket(broker.http)
  const perTick = RATE * TICK_MS / 1000
  const ticks = SECONDS * 1000 / TICK_MS
  const produce = async (count: number): Promise<void> => {
    const started = performance.now()
    for (let tick = 0; tick < count; tick++) {
      // Paced against the start, so a late tick does not shift every later one.
      const wait = started + tick * TICK_MS - performance.now()
      if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait))
      producer.send(JSON.stringify({ op: 'produce', ref: tick, topic: TOPIC, records: Array.from({ length: perTick }, () => ({ value: stamp() })) }))
    }
  }
  // Warm-up (JIT, first allocations), then a pause so no frame mixes warm-up and measured records.
  await produce(WARMUP_SECONDS * 1000 / TICK_MS)
  await new Promise(resolve => setTimeout(resolve, 1000))
  for (const worker of workers) worker.postMessage('start')
  const brokerCpuBefore = processCpuSeconds(broker.process.pid!)
  const brokerSchedBefore = schedSeconds(broker.process.pid!)
  const producerCpuBefore = threadCpuSeconds()
  const started = performance.now()
  await produce(ticks)
  const expected = ticks * perTick * SUBSCRIBERS
  const deadline = performance.now() + 10_000
  while (await sum(workers.map(async worker => await ask<number>(worker, 'count'))) < expected && performance.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  const elapsed = (performance.now() - started) / 1000
  const brokerCpu = processCpuSeconds(broker.process.pid!) - brokerCpuBefore
  const brokerSched = schedSeconds(broker.process.pid!)
  const producerCpu = threadCpuSeconds() - producerCpuBefore
  const reports = await Promise.all(workers.map(async worker => await ask<SubscriberReport>(worker, 'stop')))
  const clientCpu = reports.reduce((sum, r) => sum + r.cpuSeconds, 0)
  const latency = latencyHistogram()
  for (const r of reports) latency.add(hdr.decodeFromCompressedBase64(r.histogram))
  const delivered = reports.reduce((sum, r) => sum + r.delivered, 0)
  const s = summarize(latency)
  console.log(table(['subscribers', 'records/s', 'deliveries', 'expected', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'broker cpu', 'subscriber cpu'], [
    [SUBSCRIBERS, RATE, delivered, expected, s.p50, s.p90, s.p99, s['p99.9'], s.max, `${round(100 * brokerCpu / elapsed)}%`, `${round(100 * clientCpu / elapsed)}%`]
  ]))
  const frames = reports.reduce((sum, r) => sum + r.frames, 0)
  console.log(`# ${round(frames / SUBSCRIBERS / elapsed)} frames/s per subscriber, ${round(delivered / Math.max(frames, 1), 2)} records a frame; ` +
    `CPU per frame delivered: broker ${round(1e6 * brokerCpu / Math.max(frames, 1), 2)} µs, subscriber ${round(1e6 * clientCpu / Math.max(frames, 1), 2)} µs`)
  console.log(`# broker CPU per delivered record: ${round(1e6 * brokerCpu / Math.max(delivered, 1), 2)} µs; producer thread CPU ` +
    `${round(100 * producerCpu / elapsed)}%; subscriber threads' event-loop delay p50/p99 ms: ` +
    reports.map(r => `${round(r.loopP50Ms)}/${round(r.loopP99Ms)}`).join(', '))
  console.log(`# delivered ${round(100 * delivered / expected, 2)}% of the expected deliveries; the broker's main thread ran ` +
    `${round(100 * (brokerSched.running - brokerSchedBefore.running) / elapsed)}% of the time and waited for a CPU ` +
    `${round(100 * (brokerSched.waiting - brokerSchedBefore.waiting) / elapsed)}% of the time`)
  const { first, spread } = perFrame(reports)
  console.log(`# per frame: first subscriber's delay (produce, append, read) p50 ${first.p50} p99 ${first.p99} ms; ` +
    `last minus first arrival (the broker's sends and the subscribers' reads) p50 ${spread.p50} p99 ${spread.p99} ms`)
  producer.close()
} finally {
  await Promise.all(workers.map(async worker => await worker.terminate()))
  await broker.stop()
}

/** A subscriber thread, once all its sockets are subscribed. */
async function startSubscribers (job: SubscriberJob): Promise<Worker> {
  // A worker does not inherit tsx's loader on Node 20, so an eval entry registers it first (as drivers/e2e.ts).
  const entry = new URL('./gateway-fanout-worker.ts', import.meta.url).href
  const worker = new Worker(`import('tsx/esm/api').then(api => { api.register(); return import(${JSON.stringify(entry)}) })`, { eval: true, workerData: job })
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => { resolve() })
    worker.once('error', reject)
  })
  return worker
}

/** Splits the delay: the first arrival of each frame, and how long after it the last one came. */
function perFrame (reports: SubscriberReport[]): { first: ReturnType<typeof summarize>, spread: ReturnType<typeof summarize> } {
  const merged = new Map<number, [number, number]>()
  for (const r of reports) {
    for (const [sent, [earliest, latest]] of r.arrivals) {
      const seen = merged.get(sent)
      if (seen === undefined) merged.set(sent, [earliest, latest])
      else merged.set(sent, [Math.min(seen[0], earliest), Math.max(seen[1], latest)])
    }
  }
  const first = latencyHistogram()
  const spread = latencyHistogram()
  for (const [sent, [earliest, latest]] of merged) {
    first.recordValue(Math.min(Math.max(1, earliest - sent), 60_000_000))
    spread.recordValue(Math.min(Math.max(1, latest - earliest), 60_000_000))
  }
  return { first: summarize(first), spread: summarize(spread) }
}

/** A subscriber thread's answer to `message`. */
async function ask<T> (worker: Worker, message: 'count' | 'stop'): Promise<T> {
  return await new Promise<T>((resolve, reject) => {
    const failed = (error: Error): void => { reject(error) }
    worker.once('error', failed)
    worker.once('message', (answer: T) => { worker.off('error', failed); resolve(answer) })
    worker.postMessage(message)
  })
}

async function sum (values: Array<Promise<number>>): Promise<number> {
  return (await Promise.all(values)).reduce((a, b) => a + b, 0)
}
