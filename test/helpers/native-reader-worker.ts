// A worker_threads reader for native.test.ts: attaches to a log opened by the main thread and reads
// every record in order while the main thread appends, publishing its progress in shared memory.
import { parentPort, workerData } from 'node:worker_threads'
import { NativeLog } from '../../src/storage/native.js'
import { decodeValues } from './batch.js'

interface ReaderData { dir: string, expected: number, progress: Int32Array }
const { dir, expected, progress } = workerData as ReaderData
const valueFor = (offset: number): string => `b${Math.floor(offset / 5)}-${offset % 5}`.padEnd(100, '.')

const log = NativeLog.attach(dir)
parentPort!.postMessage({ type: 'attached' })
const errors: string[] = []
let next = 0
let readsBehindWriter = 0
const deadline = Date.now() + 20_000
while (next < expected && Date.now() < deadline && errors.length < 5) {
  const hw = log.highWatermark()
  if (next >= hw) continue
  if (hw < expected) readsBehindWriter++
  for (const r of decodeValues(log.read(next, 64 * 1024))) {
    if (r.offset < next) continue
    if (r.offset !== next || r.value !== valueFor(r.offset)) errors.push(`at ${next}: got ${r.offset} ${r.value.slice(0, 12)}`)
    next = r.offset + 1
  }
  Atomics.store(progress, 0, next)
  Atomics.notify(progress, 0)
}
parentPort!.postMessage({ type: 'done', next, readsBehindWriter, errors })
