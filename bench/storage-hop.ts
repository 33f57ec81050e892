// Which channel should carry a turn's appends from the network thread to a shard, and how?
//   1. piscina's task API vs a MessagePort handed to the worker in its first task (piscina still owns
//      the thread), one at a time and with many in flight;
//   2. the batch bytes transferred (copied into one new ArrayBuffer) vs structured clone;
//   3. flushing a turn's per-shard queue on queueMicrotask vs setImmediate, when the appends of one
//      turn come from separate I/O callbacks (one per connection).
// The worker only echoes, so the figures are the hop alone; bench/storage-append.ts measures the store.
// Run: npx tsx bench/storage-hop.ts
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { Piscina } from 'piscina'
import { latencyHistogram, nowNs, percentileUs, printMachine, printTable, round, type Row } from './storage-report.js'

type Payload = ArrayBuffer | Uint8Array[]
type Send = (payload: Payload, transfer: ArrayBuffer[]) => Promise<void>

const SERIAL_COUNT = 2000
const PIPELINED_COUNT = 20000
const IN_FLIGHT = 64
const TURN_BATCHES = 4
const BATCH_BYTES = 16 * 1024

function startPool (atomics: 'sync' | 'disabled'): Piscina {
  return new Piscina({
    filename: new URL('./storage-hop-worker.ts', import.meta.url).href,
    execArgv: ['--import', 'tsx'],
    minThreads: 1,
    maxThreads: 1,
    idleTimeout: Infinity,
    concurrentTasksPerWorker: IN_FLIGHT,
    atomics
  })
}

function taskSender (pool: Piscina): Send {
  let id = 0
  return async (payload, transfer) => { await pool.run({ id: id++, payload }, { transferList: transfer }) }
}

async function portSender (pool: Piscina): Promise<{ send: Send, port: MessagePort }> {
  const { port1, port2 } = new MessageChannel()
  await pool.run({ port: port2 }, { transferList: [port2] })
  const waiting = new Map<number, () => void>()
  port1.on('message', (id: number) => { waiting.get(id)?.(); waiting.delete(id) })
  let id = 0
  const send: Send = async (payload, transfer) => await new Promise<void>((resolve) => {
    const msgId = id++
    waiting.set(msgId, resolve)
    port1.postMessage({ id: msgId, payload }, transfer)
  })
  return { send, port: port1 }
}

/** A socket read buffer: produce batches arrive as slices of it, so they cannot be transferred. */
const socketChunk = Buffer.alloc(256 * 1024, 7)
const turnSlices = Array.from({ length: TURN_BATCHES }, (_, i) => socketChunk.subarray(i * BATCH_BYTES, (i + 1) * BATCH_BYTES))

type PayloadMode = 'transfer' | 'clone-slices' | 'clone-copy'

function makePayload (mode: PayloadMode): { payload: Payload, transfer: ArrayBuffer[] } {
  if (mode === 'clone-slices') return { payload: turnSlices, transfer: [] }
  const data = new ArrayBuffer(TURN_BATCHES * BATCH_BYTES)
  const view = new Uint8Array(data)
  turnSlices.forEach((slice, i) => view.set(slice, i * BATCH_BYTES))
  return mode === 'transfer' ? { payload: data, transfer: [data] } : { payload: [view], transfer: [] }
}

async function serial (name: string, send: Send, mode: PayloadMode): Promise<Row> {
  const h = latencyHistogram()
  for (let i = 0; i < SERIAL_COUNT + 200; i++) {
    const start = nowNs()
    const { payload, transfer } = makePayload(mode)
    await send(payload, transfer)
    if (i >= 200) h.recordValue(nowNs() - start)
  }
  return { case: name, payload: mode, inFlight: 1, 'p50 µs': percentileUs(h, 50), 'p99 µs': percentileUs(h, 99), 'µs/msg': round(h.mean / 1000) }
}

async function pipelined (name: string, send: Send, mode: PayloadMode): Promise<Row> {
  const h = latencyHistogram()
  let issued = 0
  const worker = async (): Promise<void> => {
    while (issued < PIPELINED_COUNT) {
      issued++
      const start = nowNs()
      const { payload, transfer } = makePayload(mode)
      await send(payload, transfer)
      h.recordValue(nowNs() - start)
    }
  }
  const start = nowNs()
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  const perMsg = (nowNs() - start) / PIPELINED_COUNT / 1000
  return { case: name, payload: mode, inFlight: IN_FLIGHT, 'p50 µs': percentileUs(h, 50), 'p99 µs': percentileUs(h, 99), 'µs/msg': round(perMsg) }
}

/**
 * `connections` callbacks each append one batch in the same loop iteration (setImmediate stands in for
 * socket reads, which run as separate callbacks with a microtask drain between them). Measures how many
 * shard messages each flush policy sends and the time per append.
 */
async function coalesce (send: Send, policy: 'microtask' | 'immediate', connections: number): Promise<Row> {
  const rounds = 2000
  let messages = 0
  let queue: Array<() => void> = []
  const flush = (): void => {
    const waiters = queue
    queue = []
    messages++
    const { payload, transfer } = makePayload('transfer')
    void send(payload, transfer).then(() => { for (const done of waiters) done() })
  }
  const append = async (): Promise<void> => await new Promise<void>((resolve) => {
    if (queue.length === 0) policy === 'microtask' ? queueMicrotask(flush) : setImmediate(flush)
    queue.push(resolve)
  })
  const h = latencyHistogram()
  const start = nowNs()
  for (let r = 0; r < rounds; r++) {
    await Promise.all(Array.from({ length: connections }, async () => await new Promise<void>((resolve) => {
      setImmediate(() => { const t = nowNs(); void append().then(() => { h.recordValue(nowNs() - t); resolve() }) })
    })))
  }
  const perAppend = (nowNs() - start) / (rounds * connections) / 1000
  return { policy, connections, 'msgs/round': round(messages / rounds, 2), 'p50 µs': percentileUs(h, 50), 'p99 µs': percentileUs(h, 99), 'µs/append': round(perAppend) }
}

async function main (): Promise<void> {
  printMachine(`storage-hop: ${TURN_BATCHES} x ${BATCH_BYTES / 1024} KiB per message, echo worker`)
  const rows: Row[] = []
  for (const atomics of ['sync', 'disabled'] as const) {
    const pool = startPool(atomics)
    const send = taskSender(pool)
    rows.push(await serial(`piscina task (atomics ${atomics})`, send, 'transfer'))
    rows.push(await pipelined(`piscina task (atomics ${atomics})`, send, 'transfer'))
    await pool.destroy()
  }
  const pool = startPool('disabled')
  const { send, port } = await portSender(pool)
  for (const mode of ['transfer', 'clone-slices', 'clone-copy'] as const) {
    rows.push(await serial('MessagePort', send, mode))
    rows.push(await pipelined('MessagePort', send, mode))
  }
  printTable(rows)
  const coalesced: Row[] = []
  for (const connections of [1, 16]) {
    for (const policy of ['microtask', 'immediate'] as const) coalesced.push(await coalesce(send, policy, connections))
  }
  printTable(coalesced)
  port.close()
  await pool.destroy()
}

await main()
