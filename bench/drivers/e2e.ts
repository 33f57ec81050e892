// End-to-end latency at a fixed offered rate: record i is due at start + i/rate; its value carries
// that intended time and the actual send time (hrtime ns, CLOCK_MONOTONIC, the same in every thread).
// Latency is consumer receipt minus the *intended* time, so a stalled producer or broker cannot hide
// the records it delayed (coordinated omission); receipt minus actual send is kept as service time.
// The producer paces in a worker thread that sleeps with Atomics.wait between sends, so the pacing
// neither spins a core (there are two, shared with the broker) nor delays the consumer's receipts.
import { Worker } from 'node:worker_threads'
import { latencyHistogram, recordNs, type Histogram } from '../lib/latency.js'
import { openConsumer, type E2eTarget } from './e2e-targets.js'

export interface E2eOptions {
  rate: number
  recordBytes: number
  seconds: number
  warmupSeconds: number
}

export interface E2eResult {
  /** Receipt minus intended send time (corrected for coordinated omission). */
  latency: Histogram
  /** Receipt minus actual send time. */
  service: Histogram
  sent: number
  received: number
  /** Records per second the producer managed to send; below `rate` means the target saturated. */
  achievedRate: number
  /** Each measured record's intended send time and receipt (ns, process.hrtime), in pairs. */
  times: Float64Array
}

const STAMP_BYTES = 16
const DRAIN_MS = 5_000

export async function runE2e (target: E2eTarget, o: E2eOptions): Promise<E2eResult> {
  if (o.recordBytes < STAMP_BYTES) throw new RangeError(`records need at least ${STAMP_BYTES} bytes for the time stamps`)
  const latency = latencyHistogram()
  const service = latencyHistogram()
  let received = 0
  let measured = 0
  let times: Float64Array = new Float64Array(2 * Math.ceil(o.rate * o.seconds * 1.1))
  let onAll: (() => void) | null = null
  let expected = Infinity
  // Set when the producer thread says when it started; until then nothing is measured.
  let measureFrom = Infinity
  const consumer = await openConsumer(target, (buf, at, length, receipt) => {
    received++
    if (length < STAMP_BYTES) return
    const intended = stampAt(buf, at)
    if (intended >= measureFrom) {
      recordNs(latency, receipt - intended)
      recordNs(service, receipt - stampAt(buf, at + 8))
      if (2 * measured + 2 > times.length) times = grow(times)
      times[2 * measured] = intended
      times[2 * measured + 1] = receipt
      measured++
    }
    if (received >= expected) onAll?.()
  })
  // A worker does not inherit tsx's loader on Node 20 (nor take it from execArgv before its entry is
  // resolved), so an eval entry registers tsx's ESM hooks and then imports the .ts file.
  const entry = new URL('./e2e-producer-worker.ts', import.meta.url).href
  const worker = new Worker(`import('tsx/esm/api').then(api => { api.register(); return import(${JSON.stringify(entry)}) })`, {
    eval: true,
    workerData: { target, rate: o.rate, recordBytes: o.recordBytes, seconds: o.warmupSeconds + o.seconds }
  })
  const done = await new Promise<{ sent: number, seconds: number }>((resolve, reject) => {
    worker.on('message', (m: { startNs: bigint } | { sent: number, seconds: number }) => {
      if ('startNs' in m) measureFrom = Number(m.startNs) + Math.round(o.warmupSeconds * 1e9)
      else resolve(m)
    })
    worker.once('error', reject)
  })
  expected = done.sent
  if (received < expected) {
    await new Promise<void>(resolve => {
      const timer = setTimeout(resolve, DRAIN_MS)
      onAll = () => { clearTimeout(timer); resolve() }
    })
  }
  await worker.terminate()
  await consumer.close()
  // Records that never arrived count as late as the run allowed, rather than vanishing from the tail.
  for (let missing = expected - received; missing > 0; missing--) recordNs(latency, DRAIN_MS * 1e6)
  return { latency, service, sent: done.sent, received, achievedRate: done.sent / done.seconds, times: times.subarray(0, 2 * measured) }
}

/** A time stamp the producer wrote (int64 LE hrtime ns) as a number, without a BigInt per record:
 *  exact below 2^53 ns. */
function stampAt (buf: Buffer, at: number): number {
  return buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * 2 ** 32
}

function grow (times: Float64Array): Float64Array {
  const larger = new Float64Array(2 * times.length)
  larger.set(times)
  return larger
}
