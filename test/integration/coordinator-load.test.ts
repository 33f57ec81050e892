// The group and transaction coordinators load __consumer_offsets and __transaction_state after the
// broker is ready; a group or transactional request waits for the load meanwhile (for seconds at most;
// only then is it answered COORDINATOR_LOAD_IN_PROGRESS, as Kafka answers at once). Clients that
// connect while the broker restarts, before its ready line, must still see what was committed before
// it: a raw OffsetFetch (answered once, with the offsets: it waited for the load), a
// kafkajs and a librdkafka consumer resuming a group from its committed offsets (had either been
// answered "nothing committed" it would read from the earliest offset), a kafkajs transactional
// producer committing under its old transactional id, and `sluice groups describe`. The unit tests
// (test/unit/groups/offsets.test.ts, test/unit/txn/coordinator-recovery.test.ts) pin each request's
// answer while the coordinators load; here the window is as real clients meet it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs'
import { decodeOffsetFetchResponse, encodeOffsetFetchRequest, ErrorCode } from '../../src/protocol/index.js'
import { BROKER_ENTRY, startBroker, type RunningBroker } from '../helpers/broker.js'
import { has, pythonCommand, run, runOk } from '../helpers/clients.js'
import { closeKafkajs, connectKafkajs } from '../helpers/kafkajs-fixture.js'
import { consumeUntil } from '../helpers/kafkajs-consume.js'
import { api, WireClient } from '../helpers/wire-client.js'

const OffsetFetch = api(9, encodeOffsetFetchRequest, decodeOffsetFetchResponse)
const TOPIC = 'loaded'
const PARTITIONS = 4
const PER_PARTITION = 10
const COMMITTED = 6
const DEADLINE_MS = 30_000

// librdkafka: consume in a group until `count` records arrived (or the deadline), print them.
const RESUME_SCRIPT = String.raw`
import json, sys, time
from confluent_kafka import Consumer
req = json.loads(sys.argv[1])
consumer = Consumer({'bootstrap.servers': req['bootstrap'], 'group.id': req['group'], 'auto.offset.reset': 'earliest',
                     'enable.auto.commit': False, 'session.timeout.ms': 6000, 'fetch.wait.max.ms': 100})
consumer.subscribe([req['topic']])
records, deadline = [], time.time() + 25
while len(records) < req['count'] and time.time() < deadline:
    msg = consumer.poll(0.1)
    if msg is not None and msg.error() is None:
        records.append([msg.partition(), msg.offset()])
time.sleep(0.5)
msg = consumer.poll(0.5)
if msg is not None and msg.error() is None:
    records.append([msg.partition(), msg.offset()])
consumer.close()
print(json.dumps(records))
`

let broker: RunningBroker
let admin: Admin
let producer: Producer

const kafka = (): Kafka => new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100 } })

/** The partition/offset pairs a group resuming from COMMITTED reads: every record after it, once. */
const resumed = (): Array<[number, number]> => {
  const out: Array<[number, number]> = []
  for (let p = 0; p < PARTITIONS; p++) for (let o = COMMITTED; o < PER_PARTITION; o++) out.push([p, o])
  return out
}
const sorted = (pairs: Array<[number, number]>): Array<[number, number]> => [...pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1])

/** A raw connection made as soon as the restarting broker's listener accepts one. */
async function connectWhileStarting (): Promise<WireClient> {
  const deadline = Date.now() + DEADLINE_MS
  for (;;) {
    try {
      return await WireClient.open(broker)
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise(resolve => setTimeout(resolve, 2))
    }
  }
}

beforeAll(async () => {
  broker = await startBroker({ settings: { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 500 } })
  ;({ admin, producer } = await connectKafkajs(broker, { retry: { retries: 20, initialRetryTime: 100 } }))
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] })
  for (let p = 0; p < PARTITIONS; p++) {
    await producer.send({ topic: TOPIC, messages: Array.from({ length: PER_PARTITION }, (_, i) => ({ partition: p, value: `${p}-${i}` })) })
  }
  for (const groupId of ['load-wire', 'load-kafkajs', 'load-librdkafka', 'load-cli']) {
    await admin.setOffsets({ groupId, topic: TOPIC, partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, offset: String(COMMITTED) })) })
  }
  // __transaction_state exists with an id that committed once.
  const txnProducer = kafka().producer({ transactionalId: 'load-txn', idempotent: true, maxInFlightRequests: 1 })
  await txnProducer.connect()
  const txn = await txnProducer.transaction()
  await txn.send({ topic: 'load-txn-out', messages: [{ value: 'before' }] })
  await txn.commit()
  await txnProducer.disconnect()
  await producer.disconnect()
  await admin.disconnect()
})

afterAll(async () => {
  await closeKafkajs({ broker })
})

describe('coordinators loading after ready', () => {
  it('clients connecting while the broker restarts see the offsets and transactional ids committed before it', async () => {
    const restarting = broker.restart()
    // Everything below starts before the ready line; the clients retry until the broker serves.
    const wire = (async () => {
      const c = await connectWhileStarting()
      const deadline = Date.now() + DEADLINE_MS
      const answers: number[] = []
      try {
        for (;;) {
          const fetched = await c.call(OffsetFetch, 5, { groupId: 'load-wire', topics: [{ name: TOPIC, partitionIndexes: [0, 1, 2, 3] }] })
          answers.push(fetched.errorCode)
          if (fetched.errorCode !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS || Date.now() > deadline) return { answers, offsets: fetched.topics[0]?.partitions.map(p => p.committedOffset) }
          await new Promise(resolve => setTimeout(resolve, 5))
        }
      } finally {
        c.close()
      }
    })()
    const viaKafkajs = (async () => {
      const consumer = kafka().consumer({ groupId: 'load-kafkajs', maxWaitTimeInMs: 100, sessionTimeout: 6000 })
      const seen: Array<[number, number]> = []
      await consumer.connect()
      try {
        await consumer.subscribe({ topic: TOPIC, fromBeginning: true })
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => { reject(new Error(`kafkajs saw only ${JSON.stringify(seen)}`)) }, DEADLINE_MS)
          void consumer.run({
            eachMessage: async ({ partition, message }) => {
              seen.push([partition, Number(message.offset)])
              if (seen.length >= resumed().length) { clearTimeout(timer); resolve() }
            }
          }).catch(reject)
        })
      } finally {
        await consumer.disconnect()
      }
      return seen
    })()
    const viaLibrdkafka = has.confluentKafka
      ? runOk(pythonCommand('confluent_kafka'), ['-', JSON.stringify({ bootstrap: broker.bootstrap, group: 'load-librdkafka', topic: TOPIC, count: resumed().length })], { input: RESUME_SCRIPT, timeoutMs: 60_000 })
        .then(out => JSON.parse(out) as Array<[number, number]>)
      : null
    const txnCommitted = (async () => {
      const txnProducer = kafka().producer({ transactionalId: 'load-txn', idempotent: true, maxInFlightRequests: 1 })
      await txnProducer.connect()
      const txn = await txnProducer.transaction()
      await txn.send({ topic: 'load-txn-out', messages: [{ value: 'after' }] })
      await txn.commit()
      await txnProducer.disconnect()
    })()
    // `sluice groups describe` from the moment the broker is ready (it needs a broker to bootstrap from).
    const viaCli = restarting.then(async () => await run(process.execPath, [BROKER_ENTRY, 'groups', 'describe', 'load-cli', '--json', '-b', broker.bootstrap]))
    await restarting

    const { answers, offsets } = await wire
    expect(answers).toEqual([ErrorCode.NONE])
    expect(offsets).toEqual([COMMITTED, COMMITTED, COMMITTED, COMMITTED])
    expect(sorted(await viaKafkajs)).toEqual(resumed())
    if (viaLibrdkafka !== null) expect(sorted(await viaLibrdkafka)).toEqual(resumed())
    await txnCommitted
    expect((await consumeUntil(kafka(), 'load-txn-out', false, values => values.length >= 2)).sort()).toEqual(['after', 'before'])
    const cli = await viaCli
    expect(cli.stderr).toBe('')
    const described = JSON.parse(cli.stdout) as { offsets: Array<{ partition: number, currentOffset: number, lag: number }> }
    expect(described.offsets.map(o => [o.partition, o.currentOffset, o.lag])).toEqual(
      Array.from({ length: PARTITIONS }, (_, p) => [p, COMMITTED, PER_PARTITION - COMMITTED]))
  })

  it('a SIGTERM as soon as the broker is ready (the coordinators loading) exits 0, and the next start loads everything', async () => {
    await broker.restart()
    expect(await broker.stop({ keepData: true })).toBe(0)
    await broker.restart()
    const c = await WireClient.open(broker)
    try {
      const deadline = Date.now() + DEADLINE_MS
      let fetched = await c.call(OffsetFetch, 5, { groupId: 'load-wire', topics: [{ name: TOPIC, partitionIndexes: [0, 1, 2, 3] }] })
      while (fetched.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS && Date.now() < deadline) {
        await new Promise(resolve => setTimeout(resolve, 5))
        fetched = await c.call(OffsetFetch, 5, { groupId: 'load-wire', topics: [{ name: TOPIC, partitionIndexes: [0, 1, 2, 3] }] })
      }
      expect(fetched.errorCode).toBe(ErrorCode.NONE)
      expect(fetched.topics[0]?.partitions.map(p => p.committedOffset)).toEqual([COMMITTED, COMMITTED, COMMITTED, COMMITTED])
    } finally {
      c.close()
    }
  })
})
