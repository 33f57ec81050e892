// Live fan-out through the gateway: SUBSCRIBERS WebSocket clients subscribed to one topic while a
// producer appends RATE records/s (100-byte values, in TICK_MS ticks, over a WebSocket); each record
// carries its send time, and every subscriber records the delay to its arrival. Reports delivery
// latency p50/p99/max over all deliveries, and how many of the expected deliveries arrived.
// Target (issue #6): p99 under 50 ms for 1,000 subscribers at 1,000 records/s.
// Subscribers (bare RFC 6455 sockets, see RawSocket) and the producer run in this process: its own
// event-loop lag adds to the latency, so the figure is an upper bound. The broker runs in its own
// process. Build first (npx tsc).
// Run: npx tsx bench/gateway-fanout.ts   (SUBSCRIBERS, RATE, SECONDS, FORMAT=json|binary override)
import { readFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { latencyHistogram, summarize } from './lib/latency.js'
import { machine, round, table } from './lib/report.js'
import { createTopic, openSocket, RawSocket, startBenchBroker } from './gateway-common.js'

const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 1000)
const RATE = Number(process.env.RATE ?? 1000)
const SECONDS = Number(process.env.SECONDS ?? 15)
const FORMAT = process.env.FORMAT === 'binary' ? 'binary' : 'json'
const TICK_MS = 10
const VALUE_BYTES = 100
const TOPIC = 'fanout'

const broker = await startBenchBroker()
try {
  console.log(`# gateway fan-out: ${SUBSCRIBERS} WebSocket subscribers (${FORMAT} frames), ${RATE} records/s of ${VALUE_BYTES} B for ${SECONDS} s`)
  console.log(`# ${machine()}`)
  await createTopic(broker.http, TOPIC, 1)
  const latency = latencyHistogram()
  let delivered = 0
  // Microseconds since this process's time origin, as a decimal string padded to VALUE_BYTES.
  const stamp = (): string => String(Math.round(performance.now() * 1000)).padEnd(VALUE_BYTES, ' ')
  // A frame's records are counted with the delay of its oldest (first) record: an upper bound that
  // spares this process from parsing every record of a million deliveries a second.
  const received = (sentUs: number, records: number): void => {
    delivered += records
    latency.recordValueWithCount(Math.max(1, Math.round(performance.now() * 1000) - sentUs), records)
  }
  const sockets = []
  let subscribed = 0
  let allSubscribed: () => void = () => {}
  const ready = new Promise<void>(resolve => { allSubscribed = resolve })
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const socket = await RawSocket.open(broker.http, FORMAT === 'binary' ? '?format=binary' : '', (data, isBinary) => {
      if (isBinary) {
        received(...firstBinaryValue(data))
        return
      }
      const text = data.toString('latin1')
      if (text.startsWith('{"type":"records"')) received(...firstJsonValue(text))
      else if (JSON.parse(text).type === 'subscribed' && ++subscribed === SUBSCRIBERS) allSubscribed()
    })
    socket.sendText(JSON.stringify({ op: 'subscribe', topic: TOPIC, from: 'latest' }))
    sockets.push(socket)
  }
  await ready
  const producer = await openSocket(broker.http)
  const perTick = RATE * TICK_MS / 1000
  const ticks = SECONDS * 1000 / TICK_MS
  const brokerCpuBefore = cpuSeconds(broker.process.pid!)
  const clientCpuBefore = (process.cpuUsage().user + process.cpuUsage().system) / 1e6
  const loopDelay = monitorEventLoopDelay({ resolution: 1 })
  loopDelay.enable()
  const started = performance.now()
  for (let tick = 0; tick < ticks; tick++) {
    // Paced against the start, so a late tick does not shift every later one.
    const due = started + tick * TICK_MS
    const wait = due - performance.now()
    if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait))
    producer.send(JSON.stringify({ op: 'produce', ref: tick, topic: TOPIC, records: Array.from({ length: perTick }, () => ({ value: stamp() })) }))
  }
  const expected = ticks * perTick * SUBSCRIBERS
  const deadline = performance.now() + 10_000
  while (delivered < expected && performance.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
  const elapsed = (performance.now() - started) / 1000
  const brokerCpu = cpuSeconds(broker.process.pid!) - brokerCpuBefore
  const clientCpu = (process.cpuUsage().user + process.cpuUsage().system) / 1e6 - clientCpuBefore
  const s = summarize(latency)
  console.log(table(['subscribers', 'records/s', 'deliveries', 'expected', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'broker cpu', 'client cpu'], [
    [SUBSCRIBERS, RATE, delivered, expected, s.p50, s.p90, s.p99, s['p99.9'], s.max, `${round(100 * brokerCpu / elapsed)}%`, `${round(100 * clientCpu / elapsed)}%`]
  ]))
  console.log(`# broker CPU per delivered record: ${round(1e6 * brokerCpu / Math.max(delivered, 1), 2)} µs; ` +
    `this client's event-loop delay p50 ${round(loopDelay.percentile(50) / 1e6)} ms, p99 ${round(loopDelay.percentile(99) / 1e6)} ms`)
  console.log(`# delivered ${round(100 * delivered / expected, 2)}% of the expected deliveries`)
  for (const socket of sockets) socket.close()
  producer.close()
} finally {
  await broker.stop()
}

/** User + system CPU seconds of a process, from /proc (Linux; clock ticks of 1/100 s). */
function cpuSeconds (pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** The first record's stamp and the record count of a JSON records frame, without parsing it all. */
function firstJsonValue (text: string): [number, number] {
  const at = text.indexOf('"value":"') + 9
  let count = 0
  for (let i = text.indexOf('"offset":'); i >= 0; i = text.indexOf('"offset":', i + 9)) count++
  return [Number.parseInt(text.slice(at, at + 20), 10), count]
}

/** The first record's stamp and the record count of a binary RECORDS frame (ws-frames.ts). */
function firstBinaryValue (frame: Buffer): [number, number] {
  let at = 1
  at += 2 + frame.readInt16BE(at)
  at += 4
  const count = frame.readInt32BE(at); at += 4
  at += 16
  at += 4 + Math.max(0, frame.readInt32BE(at))
  const valueLength = frame.readInt32BE(at); at += 4
  return [Number.parseInt(frame.toString('latin1', at, at + Math.min(valueLength, 20)), 10), count]
}
