// How fast is the protocol layer on its two hot paths?
//   Produce request decode (v7 classic, v9 flexible): header + body, records stay views into the frame.
//   Fetch response encode (v11 classic, v12 flexible): header + body, records appended by reference.
// Each with 1, 10 and 100 partitions of one 16 KiB record batch. Reports ops/s, p50/p99 per operation,
// and the MB/s of record bytes that implies. Each case warms up, then runs ~1 s (bounded by tinybench).
// Run: npx tsx bench/protocol-codec.ts
import { cpus, totalmem } from 'node:os'
import { Bench } from 'tinybench'
import {
  decodeProduceRequest, decodeRequestHeader, encodeFetchResponse, encodeProduceRequest,
  type FetchResponse, type MessageInput
} from '../src/protocol/index.js'

const RECORD_BYTES = 16 * 1024
const PARTITIONS = [1, 10, 100]
const batch = Buffer.alloc(RECORD_BYTES, 0x5a)

function produceFrame (version: number, partitions: number): Buffer {
  const partitionData = Array.from({ length: partitions }, (_, index) => ({ index, records: batch }))
  const chunks = encodeProduceRequest({ acks: -1, timeoutMs: 30000, topicData: [{ name: 'bench-topic', partitionData }] }, version, { correlationId: 1, clientId: 'bench' })
  return Buffer.concat(chunks).subarray(4)
}

function fetchResponse (partitions: number): MessageInput<FetchResponse> {
  return {
    sessionId: 0,
    responses: [{
      topic: 'bench-topic',
      partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({
        partitionIndex, highWatermark: 1_000_000, lastStableOffset: 1_000_000, logStartOffset: 0, abortedTransactions: null, records: batch
      }))
    }]
  }
}

const bench = new Bench({ time: 1000, warmupTime: 200 })
for (const n of PARTITIONS) {
  for (const version of [7, 9]) {
    const frame = produceFrame(version, n)
    bench.add(`Produce v${version} request decode · ${n} partition(s)`, () => {
      const header = decodeRequestHeader(frame)
      decodeProduceRequest(header.body, header.apiVersion)
    })
  }
  for (const version of [11, 12]) {
    const message = fetchResponse(n)
    bench.add(`Fetch v${version} response encode · ${n} partition(s)`, () => {
      encodeFetchResponse(message, version, 7)
    })
  }
}

await bench.run()

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`)
console.table(bench.tasks.map((task) => {
  const result = task.result as { throughput?: { mean: number }, latency?: { p50: number, p99: number } }
  const ops = result.throughput?.mean ?? 0
  const partitions = Number(/· (\d+) partition/.exec(task.name)?.[1] ?? 0)
  return {
    case: task.name,
    'ops/s': Math.round(ops),
    'p50 µs': Number(((result.latency?.p50 ?? 0) * 1000).toFixed(2)),
    'p99 µs': Number(((result.latency?.p99 ?? 0) * 1000).toFixed(2)),
    'record MB/s': Math.round(ops * partitions * RECORD_BYTES / 1e6)
  }
}))
