// What the flush policy costs: produce throughput and latency through a real broker (our client,
// acks=all, 1 KiB records) under each policy, from Kafka's default (never fsync explicitly) to the
// strict flush.messages=1 (every acknowledged record fsynced, one fsync per partition per shard turn).
// Run: npm run bench:lifecycle (or npx tsx bench/lifecycle-flush.ts after npx tsc)
import { Admin, KafkaClient, Producer } from '../src/client/index.js'
import { startBroker } from '../test/helpers/broker.js'
import { latencyHistogram, nowNs, percentileUs, printMachine, printTable, round, type Row } from './storage-report.js'

const THROUGHPUT_RECORDS = 40_000
const LATENCY_SENDS = 2_000
const VALUE = Buffer.alloc(1024, 'f')

const POLICIES: Array<{ name: string, settings: Record<string, number> }> = [
  { name: 'default (never; OS writeback)', settings: {} },
  { name: 'flush.ms=1000', settings: { 'log.flush.interval.ms': 1000 } },
  { name: 'flush.messages=1000', settings: { 'log.flush.interval.messages': 1000 } },
  { name: 'flush.messages=1 (strict)', settings: { 'log.flush.interval.messages': 1 } }
]

async function measure (settings: Record<string, number>): Promise<Row> {
  const broker = await startBroker({ settings })
  const client = new KafkaClient({ bootstrap: broker.bootstrap })
  try {
    await new Admin(client).createTopics([{ name: 'flush', partitions: 1, replicationFactor: 1 }])
    const bulk = new Producer(client, { acks: -1, lingerMs: 2 })
    const t0 = nowNs()
    for (let i = 0; i < THROUGHPUT_RECORDS; i++) bulk.write({ topic: 'flush', partition: 0, value: VALUE })
    await bulk.flush()
    const seconds = (nowNs() - t0) / 1e9
    const serial = new Producer(client, { acks: -1, lingerMs: 0 })
    const h = latencyHistogram()
    for (let i = 0; i < LATENCY_SENDS; i++) {
      const start = nowNs()
      await serial.send({ topic: 'flush', partition: 0, value: VALUE })
      h.recordValue(nowNs() - start)
    }
    return {
      'records/s': Math.round(THROUGHPUT_RECORDS / seconds),
      'MB/s': round(THROUGHPUT_RECORDS * VALUE.length / seconds / 1e6),
      'one-at-a-time p50 µs': percentileUs(h, 50),
      'p99 µs': percentileUs(h, 99),
      'p99.9 µs': percentileUs(h, 99.9)
    }
  } finally {
    await client.close()
    await broker.stop()
  }
}

printMachine(`produce under each flush policy: ${THROUGHPUT_RECORDS} x 1 KiB pipelined (acks=all, linger 2 ms), then ${LATENCY_SENDS} sends one at a time`)
const rows: Row[] = []
for (const policy of POLICIES) rows.push({ policy: policy.name, ...await measure(policy.settings) })
printTable(rows)
