// One thread's share of the fan-out bench's subscribers (gateway-fanout.ts): opens `count` bare
// WebSockets (RawSocket), subscribes each to the topic, records each records frame's delivery delay,
// answers 'count' with its deliveries so far, and 'stop' with its histogram, its deliveries, its CPU
// time and its event-loop delay.
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
const OFFSET_FIELD = Buffer.from('"offset":')
const nowUs = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000)
const latency = latencyHistogram()
let delivered = 0
let frames = 0
const arrivals = new Map<number, [number, number]>()
// A frame's records are counted with the delay of its oldest (first) record: an upper bound that
// spares the thread from parsing every record of a million deliveries a second.
const received = (sentUs: number, records: number): void => {
  delivered += records
  frames++
  const now = nowUs()
  latency.recordValueWithCount(Math.min(Math.max(1, now - sentUs), 60_000_000), records)
  const seen = arrivals.get(sentUs)
  if (seen === undefined) arrivals.set(sentUs, [now, now])
  else seen[1] = now
}
let subscribed = 0
let allSubscribed: () => void = () => {}
const ready = new Promise<void>(resolve => { allSubscribed = resolve })
const sockets: RawSocket[] = []
for (let i = 0; i < job.count; i++) {
  const socket = await RawSocket.open(job.http, job.format === 'binary' ? '?format=binary' : '', (data, isBinary) => {
    if (isBinary) {
      received(...firstBinaryValue(data))
      return
    }
    if (data.subarray(0, RECORDS_PREFIX.length).equals(RECORDS_PREFIX)) received(...firstJsonValue(data))
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

/**
 * The first record's stamp and the record count of a JSON records frame, without parsing it or making
 * it a string: the count is the last offset minus the first plus one (the bench's topic has no gaps:
 * no transactions, no compaction), found near the frame's two ends rather than by scanning it all.
 */
function firstJsonValue (frame: Buffer): [number, number] {
  const at = frame.indexOf(VALUE_FIELD) + VALUE_FIELD.length
  const first = numberAfter(frame, frame.indexOf(OFFSET_FIELD))
  const last = numberAfter(frame, frame.lastIndexOf(OFFSET_FIELD))
  return [Number.parseInt(frame.toString('latin1', at, at + 20), 10), last - first + 1]
}

function numberAfter (frame: Buffer, field: number): number {
  let value = 0
  for (let i = field + OFFSET_FIELD.length; frame[i]! >= 0x30 && frame[i]! <= 0x39; i++) value = value * 10 + frame[i]! - 0x30
  return value
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
