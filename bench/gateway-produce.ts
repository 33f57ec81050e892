// How fast does the gateway take produce traffic, next to the Kafka protocol for the same records?
// 1 KB records in batches of 100 into one partition of a fresh topic, WINDOW batches in flight, each
// path for RECORDS records (or SECONDS, whichever ends first), acks after the append (acks=1):
//   kafka      Sluice's own client (src/client Producer: 100-record batches, WINDOW requests in flight)
//   ws-json    /v1/stream JSON produce messages (string values), one ack per message
//   ws-binary  /v1/stream binary PRODUCE frames, binary acks
//   http-v2    POST /topics/{t} (application/vnd.kafka.binary.v2+json), WINDOW requests in flight
// Target (issue #6): WebSocket produce within 2x of the Kafka protocol's records/s.
// The broker runs as its own process (sluice start); this process is the client. Build first (npx tsc).
// Run: npx tsx bench/gateway-produce.ts   (RECORDS, SECONDS, PATHS=kafka,ws-json,... override)
import { KafkaClient, Producer } from '../src/client/index.js'
import { latencyHistogram, recordNs, summarize } from './lib/latency.js'
import { machine, nowNs, round, table } from './lib/report.js'
import { binaryProduce, createTopic, openSocket, startBenchBroker } from './gateway-common.js'

const RECORDS = Number(process.env.RECORDS ?? 300_000)
const SECONDS = Number(process.env.SECONDS ?? 15)
const WARM_RECORDS = 20_000
const BATCH = 100
const WINDOW = 16
const VALUE = Buffer.alloc(1024, 0x61)

interface Result { path: string, records: number, seconds: number, p50: number, p99: number }

/** Runs `send` (one batch, resolving on its ack) with WINDOW in flight until RECORDS or SECONDS. */
async function drive (path: string, records: number, send: (seq: number) => Promise<void>): Promise<Result> {
  const latency = latencyHistogram()
  const started = performance.now()
  const deadline = started + SECONDS * 1000
  let next = 0
  const batches = records / BATCH
  const worker = async (): Promise<void> => {
    while (next < batches && performance.now() < deadline) {
      const seq = next++
      const t0 = nowNs()
      await send(seq)
      recordNs(latency, nowNs() - t0)
    }
  }
  await Promise.all(Array.from({ length: WINDOW }, worker))
  const seconds = (performance.now() - started) / 1000
  const s = summarize(latency)
  return { path, records: s.count * BATCH, seconds, p50: s.p50, p99: s.p99 }
}

async function kafkaPath (bootstrap: string, topic: string, records: number): Promise<Result> {
  const client = new KafkaClient({ bootstrap, clientId: 'bench-gateway' })
  await client.connect()
  const producer = new Producer(client, { acks: 1, batchSize: BATCH * (VALUE.length + 40), lingerMs: 1, maxInFlight: WINDOW })
  const result = await drive('kafka', records, async () => {
    // write() queues without a promise per record; the batch's last record answers for the batch.
    for (let i = 1; i < BATCH; i++) producer.write({ topic, partition: 0, value: VALUE })
    await producer.send({ topic, partition: 0, value: VALUE })
  })
  await client.close()
  return result
}

/** Acks arrive in order per socket, so a FIFO of resolvers matches them to their batches. */
async function wsPath (http: string, topic: string, binary: boolean, records: number): Promise<Result> {
  const socket = await openSocket(http)
  const waiting: Array<() => void> = []
  socket.on('message', () => { waiting.shift()?.() })
  const text = VALUE.toString()
  const json = (seq: number): string => JSON.stringify({ op: 'produce', ref: seq, topic, records: Array.from({ length: BATCH }, () => ({ value: text, partition: 0 })) })
  const values = Array.from({ length: BATCH }, () => VALUE)
  const result = await drive(binary ? 'ws-binary' : 'ws-json', records, async seq => {
    const acked = new Promise<void>(resolve => waiting.push(resolve))
    socket.send(binary ? binaryProduce(seq, topic, values, 0) : json(seq))
    await acked
  })
  socket.close()
  return result
}

async function httpPath (http: string, topic: string, records: number): Promise<Result> {
  const body = JSON.stringify({ records: Array.from({ length: BATCH }, () => ({ value: VALUE.toString('base64'), partition: 0 })) })
  return await drive('http-v2', records, async () => {
    const response = await fetch(`http://${http}/topics/${topic}`, { method: 'POST', headers: { 'Content-Type': 'application/vnd.kafka.binary.v2+json' }, body })
    if (response.status !== 200) throw new Error(`HTTP produce answered ${response.status}`)
    await response.arrayBuffer()
  })
}

const broker = await startBenchBroker()
try {
  console.log(`# gateway produce: ${BATCH} x ${VALUE.length} B records per batch, ${WINDOW} batches in flight, one partition`)
  console.log(`# ${machine()}`)
  const results: Result[] = []
  const paths: Array<[string, (topic: string, records: number) => Promise<Result>]> = [
    ['kafka', async (t, n) => await kafkaPath(broker.kafka, t, n)],
    ['ws-json', async (t, n) => await wsPath(broker.http, t, false, n)],
    ['ws-binary', async (t, n) => await wsPath(broker.http, t, true, n)],
    ['http-v2', async (t, n) => await httpPath(broker.http, t, n)]
  ]
  const only = process.env.PATHS?.split(',')
  for (const [name, run] of paths.filter(([name]) => only === undefined || only.includes(name))) {
    await createTopic(broker.http, `bench-${name}`, 1)
    // A short warm-up run first, on its own topic, so JIT and first segment costs are not measured.
    await createTopic(broker.http, `warm-${name}`, 1)
    await run(`warm-${name}`, WARM_RECORDS)
    results.push(await run(`bench-${name}`, RECORDS))
  }
  const baseline = results.find(r => r.path === 'kafka') ?? results[0]!
  const kafka = baseline.records / baseline.seconds
  console.log(table(['path', 'records', 'records/s', 'MB/s', 'vs kafka', 'batch ack p50 ms', 'p99 ms'], results.map(r => {
    const rate = r.records / r.seconds
    return [r.path, r.records, Math.round(rate), round(rate * VALUE.length / 1e6), `${round(rate / kafka, 2)}x`, r.p50, r.p99]
  })))
} finally {
  await broker.stop()
}
