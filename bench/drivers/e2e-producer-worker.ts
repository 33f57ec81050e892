// The paced producer of drivers/e2e.ts, in its own thread: due records are stamped (intended, sent)
// and sent together; between sends the thread sleeps with Atomics.wait, and it yields to its event
// loop after every send so the broker's answers are read.
import { setImmediate as yieldLoop, setTimeout as sleep } from 'node:timers/promises'
import { parentPort, workerData } from 'node:worker_threads'
import { value } from './records.js'
import { openProducer, type E2eTarget } from './e2e-targets.js'

interface Job { target: E2eTarget, rate: number, recordBytes: number, seconds: number }

const job = workerData as Job
const MAX_PER_SEND = 1000
const SLEEP_SLICE_NS = 2_000_000n
const sleeper = new Int32Array(new SharedArrayBuffer(4))
const payload = value(job.recordBytes)

const producer = await openProducer(job.target)
const intervalNs = BigInt(Math.round(1e9 / job.rate))
const start = process.hrtime.bigint()
const end = start + BigInt(Math.round(job.seconds * 1e9))
parentPort?.postMessage({ startNs: start })
let sent = 0
for (;;) {
  const intended = start + BigInt(sent) * intervalNs
  if (intended >= end) break
  const wait = intended - process.hrtime.bigint()
  if (wait > SLEEP_SLICE_NS) await sleep(Number(wait - SLEEP_SLICE_NS) / 1e6)
  else if (wait > 0n) Atomics.wait(sleeper, 0, 0, Number(wait) / 1e6)
  const now = process.hrtime.bigint()
  const values: Buffer[] = []
  for (let t = intended; t <= now && t < end && values.length < MAX_PER_SEND; t += intervalNs) {
    const v = Buffer.allocUnsafe(job.recordBytes)
    payload.copy(v)
    v.writeBigInt64LE(t, 0)
    v.writeBigInt64LE(now, 8)
    values.push(v)
  }
  if (values.length === 0) continue
  sent += values.length
  producer.send(values)
  await yieldLoop()
}
await producer.flush()
parentPort?.postMessage({ sent, seconds: Number(process.hrtime.bigint() - start) / 1e9 })
await producer.close()
