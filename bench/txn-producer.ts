// What idempotence and transactions cost (issue #5), measured with kafkajs 2.2.4 against a Sluice
// broker on loopback:
//   1. throughput of an idempotent producer against a plain one, same settings otherwise (acks=all,
//      one request in flight, which kafkajs requires for idempotence), rounds interleaved so drift on
//      this 2-core machine hits both alike; target: within 5%;
//   2. transactions of 100 and 1,000 records: commit latency (EndTxn, markers written) and the whole
//      transaction (InitProducerId once, then AddPartitions + Produce + EndTxn), p50/p99.
// Run: npx tsx bench/txn-producer.ts [--quick]   (build first: the broker runs from dist/)
import { parseArgs } from 'node:util'
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs'
import { latencyHistogram, recordNs, summarize } from './lib/latency.js'
import { machine, nowNs, round, table } from './lib/report.js'
import { startSluice } from './systems/servers.js'

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false } } })
const QUICK = args.quick === true
const PLAN = QUICK
  ? { rounds: 2, sendsPerRound: 300, txns100: 60, txns1000: 20, warmup: 50 }
  : { rounds: 4, sendsPerRound: 1500, txns100: 300, txns1000: 100, warmup: 200 }
const RECORD_BYTES = 100
const RECORDS_PER_SEND = 100
const VALUE = Buffer.alloc(RECORD_BYTES, 120)

const messages = (n: number): Array<{ value: Buffer }> => Array.from({ length: n }, () => ({ value: VALUE }))

async function timedSends (producer: Producer, topic: string, sends: number): Promise<number> {
  const started = nowNs()
  for (let i = 0; i < sends; i++) await producer.send({ topic, acks: -1, messages: messages(RECORDS_PER_SEND) })
  return Number(nowNs() - started) / 1e9
}

async function throughput (kafka: Kafka): Promise<Array<Array<string | number>>> {
  const plain = kafka.producer({ maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner })
  const idempotent = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner })
  await plain.connect()
  await idempotent.connect()
  await timedSends(plain, 'bench-plain', PLAN.warmup)
  await timedSends(idempotent, 'bench-idem', PLAN.warmup)
  const seconds = { plain: 0, idempotent: 0 }
  for (let r = 0; r < PLAN.rounds; r++) {
    seconds.plain += await timedSends(plain, 'bench-plain', PLAN.sendsPerRound)
    seconds.idempotent += await timedSends(idempotent, 'bench-idem', PLAN.sendsPerRound)
  }
  await plain.disconnect()
  await idempotent.disconnect()
  const records = PLAN.rounds * PLAN.sendsPerRound * RECORDS_PER_SEND
  const rate = { plain: records / seconds.plain, idempotent: records / seconds.idempotent }
  return [
    ['plain', records, round(rate.plain, 0), round(rate.plain * RECORD_BYTES / 2 ** 20, 2), '1.000'],
    ['idempotent', records, round(rate.idempotent, 0), round(rate.idempotent * RECORD_BYTES / 2 ** 20, 2), (rate.idempotent / rate.plain).toFixed(3)]
  ]
}

async function transactions (kafka: Kafka, size: number, count: number): Promise<Array<string | number>> {
  const producer = kafka.producer({ transactionalId: `bench-txn-${size}`, idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  const commit = latencyHistogram()
  const whole = latencyHistogram()
  const batch = messages(size)
  for (let i = 0; i < count + Math.ceil(count / 10); i++) {
    const started = nowNs()
    const txn = await producer.transaction()
    await txn.send({ topic: 'bench-txn', messages: batch })
    const committing = nowNs()
    await txn.commit()
    const ended = nowNs()
    if (i < Math.ceil(count / 10)) continue // warm-up
    recordNs(commit, ended - committing)
    recordNs(whole, ended - started)
  }
  await producer.disconnect()
  const c = summarize(commit)
  const w = summarize(whole)
  return [size, count, c.p50, c.p99, w.p50, w.p99, round(size * 1000 / w.p50, 0)]
}

async function main (): Promise<void> {
  const server = await startSluice()
  try {
    const kafka = new Kafka({ clientId: 'bench-txn', brokers: [`${server.host}:${server.port}`], logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: ['bench-plain', 'bench-idem', 'bench-txn'].map(topic => ({ topic, numPartitions: 1 })) })
    await admin.disconnect()
    console.log(`machine: ${machine()}`)
    console.log(`\nproducer throughput, kafkajs, ${RECORDS_PER_SEND} x ${RECORD_BYTES} B records per send, acks=all, 1 in flight, ${PLAN.rounds} interleaved rounds`)
    console.log(table(['producer', 'records', 'records/s', 'MiB/s', 'vs plain'], await throughput(kafka)))
    console.log(`\ntransactions, kafkajs, ${RECORD_BYTES} B records, one partition (latencies in ms)`)
    const rows = [await transactions(kafka, 100, PLAN.txns100), await transactions(kafka, 1000, PLAN.txns1000)]
    console.log(table(['records/txn', 'txns', 'commit p50', 'commit p99', 'txn p50', 'txn p99', 'records/s at p50'], rows))
  } finally {
    await server.stop()
  }
}

await main()
