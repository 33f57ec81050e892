// One thread's share of the fan-out bench's subscribers (gateway-fanout.ts): opens `count` bare
// WebSockets (RawSocket), subscribes each to the topic, records every record's delivery delay,
// answers 'count' with its deliveries so far, and 'stop' with its histogram, its deliveries, its CPU
// time, its frame count and its event-loop delay.
// Stamps are absolute microseconds (timeOrigin + now), so every thread reads the same clock.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parentPort, workerData } from 'node:worker_threads'
import * as hdr from 'hdr-histogram-js'
import { latencyHistogram } from './lib/latency.js'
import { RawSocket, threadCpuSeconds } from './gateway-common.js'

export interface SubscriberJob { http: string, topic: string, count: number, format: 'json' | 'binary', isolation: string }
export interface SubscriberReport {
  delivered: number
  /** Records frames received (deliveries / frames: how many records the broker put in a frame). */
  frames: number
  histogram: string
  /** Per frame (keyed by its first record's stamp): the earliest and latest arrival over this thread's sockets, µs. */
  arrivals: Map<number, [number, number]>
  cpuSeconds: number
  loopP50Ms: number
  loopP99Ms: number
}

const job = workerData as SubscriberJob
const RECORDS_PREFIX = Buffer.from('{"type":"records"')
const VALUE_FIELD = Buffer.from('"value":"')
/** The send times of the current frame's records (µs), filled by jsonStamps or binaryStamps. */
let stamps = new Float64Array(1024)
const nowUs = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000)
const latency = latencyHistogram()
let delivered = 0
let frames = 0
const arrivals = new Map<number, [number, number]>()
/** A records frame arrived: `stamps` holds its records' send times (µs) from `stamps[0]` to `stamps[count - 1]`. */
const received = (count: number): void => {
  delivered += count
  frames++
  const now = nowUs()
  // Every record's own delay: a frame the broker coalesced holds records sent in several ticks. Records
  // of one tick were stamped within microseconds of each other, so each run of them is one histogram entry.
  let run = 0
  for (let i = 1; i <= count; i++) {
    if (i < count && stamps[i]! - stamps[run]! < 1000) continue
    latency.recordValueWithCount(Math.min(Math.max(1, now - stamps[run]!), 60_000_000), i - run)
    run = i
  }
  const seen = arrivals.get(stamps[0]!)
  if (seen === undefined) arrivals.set(stamps[0]!, [now, now])
  else seen[1] = now
}
let subscribed = 0
let allSubscribed: () => void = () => {}
const ready = new Promise<void>(resolve => { allSubscribed = resolve })
const sockets: RawSocket[] = []
for (let i = 0; i < job.count; i++) {
  const socket = await RawSocket.open(job.http, job.format === 'binary' ? '?format=binary' : '', (data, isBinary) => {
    if (isBinary) {
      received(binaryStamps(data))
      return
    }
    if (data.subarray(0, RECORDS_PREFIX.length).equals(RECORDS_PREFIX)) received(jsonStamps(data))
    else if (JSON.parse(data.toString()).type === 'subscribed' && ++subscribed === job.count) allSubscribed()
  })
  socket.sendText(JSON.stringify({ op: 'subscribe', topic: job.topic, from: 'latest', isolation: job.isolation }))
  sockets.push(socket)
}
await ready
const loopDelay = monitorEventLoopDelay({ resolution: 1 })
let cpuBefore = threadCpuSeconds()
parentPort!.on('message', (message: 'start' | 'count' | 'stop') => {
  if (message === 'count') {
    parentPort!.postMessage(delivered)
    return
  }
  if (message === 'start') {
    loopDelay.reset()
    loopDelay.enable()
    latency.reset()
    arrivals.clear()
    delivered = 0
    frames = 0
    cpuBefore = threadCpuSeconds()
    return
  }
  loopDelay.disable()
  for (const socket of sockets) socket.close()
  const report: SubscriberReport = {
    delivered,
    frames,
    histogram: hdr.encodeIntoCompressedBase64(latency),
    arrivals,
    cpuSeconds: threadCpuSeconds() - cpuBefore,
    loopP50Ms: loopDelay.percentile(50) / 1e6,
    loopP99Ms: loopDelay.percentile(99) / 1e6
  }
  parentPort!.postMessage(report)
})
parentPort!.postMessage('ready')

/** Fills `stamps` from a JSON records frame without parsing it or making it a string; returns the record count. */
function jsonStamps (frame: Buffer): number {
  let count = 0
  // Each value is a stamp padded to VALUE_BYTES (gateway-fanout.ts), so the next one starts past it.
  for (let at = frame.indexOf(VALUE_FIELD); at >= 0; at = frame.indexOf(VALUE_FIELD, at + VALUE_FIELD.length + 20)) {
    stampAt(count++, frame, at + VALUE_FIELD.length)
  }
  return count
}

/** Fills `stamps` from a binary RECORDS frame (ws-frames.ts); returns the record count. */
function binaryStamps (frame: Buffer): number {
  let at = 1
  at += 2 + frame.readInt16BE(at)
  at += 4
  const count = frame.readInt32BE(at); at += 4
  for (let i = 0; i < count; i++) {
    at += 16
    at += 4 + Math.max(0, frame.readInt32BE(at))
    const valueLength = frame.readInt32BE(at); at += 4
    stampAt(i, frame, at)
    at += Math.max(0, valueLength)
    const headers = frame.readInt32BE(at); at += 4
    for (let h = 0; h < headers; h++) {
      at += 2 + frame.readInt16BE(at)
      at += 4 + Math.max(0, frame.readInt32BE(at))
    }
  }
  return count
}

/** The decimal digits at `at` as record `i`'s stamp. */
function stampAt (i: number, frame: Buffer, at: number): void {
  if (i === stamps.length) {
    const grown = new Float64Array(2 * i)
    grown.set(stamps)
    stamps = grown
  }
  let value = 0
  for (let c = frame[at]!; c >= 0x30 && c <= 0x39; c = frame[++at]!) value = value * 10 + c - 0x30
  stamps[i] = value
}
