// What does record batch work cost in JS? Decode (CRC check + decompress + every record) and encode
// throughput per codec for a batch of 100 records of 1 KB, the header peek the broker paths use,
// CRC-32C over 1 MiB, and murmur2 on typical keys. MB/s counts the uncompressed record bytes
// (100 × 1 KB values), so codecs compare on the work a consumer of the records sees.
// Run: npx tsx bench/record-batch.ts
import os from 'node:os'
import { Bench } from 'tinybench'
import { batchHeader, decodeBatch, encodeBatch, type RecordInput } from '../src/protocol/codec/record-batch.js'
import { crc32c } from '../src/protocol/codec/crc32c.js'
import { murmur2 } from '../src/protocol/codec/murmur2.js'

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd']
const RECORDS = 100
const VALUE_BYTES = 1000

/** JSON-like values with varying fields: compressible the way event payloads are, not like zeros. */
function records (): RecordInput[] {
  let seed = 1
  const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff)
  return Array.from({ length: RECORDS }, (_, i) => {
    let text = ''
    while (text.length < VALUE_BYTES) {
      text += JSON.stringify({ id: next(), user: `user-${next() % 5000}`, kind: ['click', 'view', 'buy'][next() % 3], price: (next() % 100000) / 100 })
    }
    const value = Buffer.from(text.slice(0, VALUE_BYTES))
    return { key: Buffer.from(`key-${i}`), value, timestamp: 1_700_000_000_000 + i, headers: [{ key: 'trace', value: Buffer.from(`t-${i}`) }] }
  })
}

interface Row { [column: string]: string | number }

async function main (): Promise<void> {
  const input = records()
  const payloadBytes = RECORDS * VALUE_BYTES
  const bench = new Bench({ time: 1000, warmupTime: 200 })
  const encoded = CODECS.map((_, codec) => encodeBatch({ records: input, compression: codec }))
  const mib = Buffer.alloc(1024 * 1024, 'abcdefghij')
  const keys = Array.from({ length: 1024 }, (_, i) => Buffer.from(`order-${i * 7919}`))
  let k = 0

  CODECS.forEach((name, codec) => {
    bench.add(`decode ${name}`, () => { decodeBatch(encoded[codec]!) })
  })
  CODECS.forEach((name, codec) => {
    bench.add(`encode ${name}`, () => { encodeBatch({ records: input, compression: codec }) })
  })
  bench.add('batchHeader peek', () => { batchHeader(encoded[0]!) })
  bench.add('crc32c 1 MiB', () => { crc32c(mib) })
  bench.add('murmur2 ~10-byte key', () => { murmur2(keys[k++ & 1023]!) })

  await bench.run()

  const rows: Row[] = []
  for (const task of bench.tasks) {
    const r = task.result
    if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state}`)
    const meanMs = r.latency.mean
    const bytes = task.name.startsWith('crc32c') ? mib.length : task.name.startsWith('decode') || task.name.startsWith('encode') ? payloadBytes : 0
    const codec = CODECS.findIndex(c => task.name.endsWith(` ${c}`))
    rows.push({
      task: task.name,
      'batch bytes': codec >= 0 ? encoded[codec]!.length : '',
      'ops/s': Math.round(r.throughput.mean),
      'MB/s': bytes > 0 ? Math.round(bytes / (meanMs / 1000) / 1e6) : '',
      'p50 µs': round(r.latency.p50 * 1000),
      'p99 µs': round(r.latency.p99 * 1000)
    })
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu'
  console.log(`# record-batch: ${RECORDS} records × ${VALUE_BYTES} B per batch`)
  console.log(`# ${os.availableParallelism()} x ${cpu}, node ${process.version}, ${os.platform()} ${os.release()}`)
  console.table(rows)
}

function round (value: number): number {
  return Math.round(value * 10) / 10
}

await main()
