// Micro benchmarks of the hot paths, one tinybench run and one table (npm run bench:micro):
//   frame reader     the broker's FrameReader cutting 1 KiB frames out of 64 KiB socket reads
//   Produce v9       request decode and encode (one 16 KiB batch per partition, 1 and 100 partitions)
//   Fetch v12        request decode and response encode (same shapes)
//   CRC-32C 1 MiB, murmur2 on ~10-byte keys
//   record batch     decode per codec (100 records of 1 KB, every record materialised)
// bench/protocol-codec.ts and bench/record-batch.ts cover more shapes of the same code in depth.
import { Bench } from 'tinybench'
import { FrameReader, SlabPool } from '../src/broker/frame-reader.js'
import {
  decodeFetchRequest, decodeProduceRequest, decodeRequestHeader, encodeFetchRequest, encodeFetchResponse, encodeProduceRequest,
  type FetchResponse, type MessageInput
} from '../src/protocol/index.js'
import { crc32c } from '../src/protocol/codec/crc32c.js'
import { murmur2 } from '../src/protocol/codec/murmur2.js'
import { decodeBatch, encodeBatch } from '../src/protocol/codec/record-batch.js'
import { value } from './drivers/records.js'
import { machine, round, table } from './lib/report.js'

const BATCH = Buffer.alloc(16 * 1024, 0x5a)
const header = { correlationId: 1, clientId: 'bench' }

function produceMessage (partitions: number): Parameters<typeof encodeProduceRequest>[0] {
  return { transactionalId: null, acks: 1, timeoutMs: 30_000, topicData: [{ name: 'bench', partitionData: Array.from({ length: partitions }, (_, index) => ({ index, records: BATCH })) }] }
}

function fetchRequest (partitions: number): Parameters<typeof encodeFetchRequest>[0] {
  return {
    replicaId: -1, maxWaitMs: 500, minBytes: 1, maxBytes: 52_428_800, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 'bench', partitions: Array.from({ length: partitions }, (_, partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset: 1000, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1_048_576 })) }],
    forgottenTopicsData: [], rackId: ''
  }
}

function fetchResponse (partitions: number): MessageInput<FetchResponse> {
  return {
    sessionId: 0,
    responses: [{ topic: 'bench', partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({ partitionIndex, highWatermark: 1_000_000, lastStableOffset: 1_000_000, logStartOffset: 0, abortedTransactions: null, records: BATCH })) }]
  }
}

const body = (chunks: Buffer[]): Buffer => Buffer.concat(chunks).subarray(4)

/** The broker's frame reader fed as a socket feeds it: each read copies up to 64 KiB into the buffer
 *  the reader offers (the kernel's copy), and every frame is released at once: only framing is measured. */
function frameReader (): { feed: () => void, frames: () => number } {
  let frames = 0
  const reader: FrameReader = new FrameReader(new SlabPool(4), 1 << 20, {
    frame: (_frame, slab) => { frames++; reader.release(slab) },
    invalidSize: (size) => { throw new Error(`frame size ${size} in the bench stream`) }
  })
  const frame = Buffer.alloc(1024 + 4)
  frame.writeInt32BE(1024, 0)
  const stream = Buffer.concat(Array.from({ length: 64 * 65 }, () => frame))
  const feed = (): void => {
    for (let at = 0; at < stream.length;) {
      const into = reader.next()
      const count = Math.min(65536, into.length, stream.length - at)
      stream.copy(into, 0, at, at + count)
      at += count
      reader.received(count)
    }
  }
  return { feed, frames: () => frames }
}

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

async function main (): Promise<void> {
  const bench = new Bench({ time: 700, warmupTime: 150 })
  const bytesPerOp = new Map<string, number>()
  const reader = frameReader()
  bench.add('frame reader · 64 × 64 KiB chunks of 1 KiB frames', reader.feed)
  bytesPerOp.set('frame reader · 64 × 64 KiB chunks of 1 KiB frames', 64 * 65536)
  for (const n of [1, 100]) {
    const produce = body(encodeProduceRequest(produceMessage(n), 9, header))
    const fetch = body(encodeFetchRequest(fetchRequest(n), 12, header))
    bench.add(`Produce v9 request decode · ${n} partition(s)`, () => { const h = decodeRequestHeader(produce); decodeProduceRequest(h.body, 9) })
    bench.add(`Produce v9 request encode · ${n} partition(s)`, () => { encodeProduceRequest(produceMessage(n), 9, header) })
    bench.add(`Fetch v12 request decode · ${n} partition(s)`, () => { const h = decodeRequestHeader(fetch); decodeFetchRequest(h.body, 12) })
    bench.add(`Fetch v12 response encode · ${n} partition(s)`, () => { encodeFetchResponse(fetchResponse(n), 12, 1) })
    for (const name of [`Produce v9 request decode · ${n} partition(s)`, `Produce v9 request encode · ${n} partition(s)`, `Fetch v12 response encode · ${n} partition(s)`]) bytesPerOp.set(name, n * BATCH.length)
  }
  const mib = Buffer.alloc(1 << 20, 'abcdefghij')
  bench.add('CRC-32C · 1 MiB', () => { crc32c(mib) })
  bytesPerOp.set('CRC-32C · 1 MiB', mib.length)
  const keys = Array.from({ length: 1024 }, (_, i) => Buffer.from(`order-${i * 7919}`))
  let k = 0
  bench.add('murmur2 · ~10-byte key', () => { murmur2(keys[k++ & 1023] as Buffer) })
  const records = Array.from({ length: 100 }, (_, i) => ({ key: Buffer.from(`key-${i}`), value: value(1000) }))
  CODECS.forEach((codec, id) => {
    const batch = encodeBatch({ records, compression: id })
    bench.add(`record batch decode · ${codec} (100 × 1 KB, ${batch.length} B)`, () => { decodeBatch(batch) })
    bytesPerOp.set(`record batch decode · ${codec} (100 × 1 KB, ${batch.length} B)`, 100 * 1000)
  })

  await bench.run()
  if (reader.frames() === 0) throw new Error('the frame reader cut no frames')
  const rows = bench.tasks.map(task => {
    const r = task.result
    if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state}`)
    const bytes = bytesPerOp.get(task.name)
    return [task.name, Math.round(r.throughput.mean).toLocaleString('en'), round(r.latency.p50 * 1000, 2), round(r.latency.p99 * 1000, 2),
      bytes === undefined ? '' : Math.round(bytes * r.throughput.mean / 1e6).toLocaleString('en')]
  })
  console.log(`# micro benchmarks · ${machine()}`)
  console.log(table(['CASE', 'OPS/S', 'P50 µS', 'P99 µS', 'MB/S'], rows))
}

await main()
