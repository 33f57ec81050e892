// Graceful shutdown under load (issue #7): SIGTERM while kafkajs and lean producers, with acks=1 and
// acks=all, produce continuously. The broker must exit 0, answer the requests it had received before it
// closes their connections, and leave logs that the next start opens without recovery; every
// acknowledged record is then there exactly once, in acknowledgement order.
//
// Each producer writes its own partition and never retries, and every value is unique, so a duplicate
// could only come from the broker, and a partition's order is its producer's acknowledgement order.
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, describe, expect, it } from 'vitest'
import { KafkaClient, Producer } from '../../src/client/index.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { consumeUntil } from '../helpers/kafkajs-consume.js'

const TOPIC = 'sigterm'
const ACKS_BEFORE_SIGTERM = 40
const MAX_SENDS = 50_000
const DEADLINE_MS = 60_000
const LEAN_LANES = 4

interface Load { name: string, partition: number, acked: string[] }

let broker: RunningBroker | undefined

afterAll(async () => { await broker?.stop() })

async function waitFor (what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** kafkajs, one send of 5 records at a time until a send fails (the broker went away) or `stopped()`. */
async function kafkajsLoad (bootstrap: string, load: Load, acks: 1 | -1, stopped: () => boolean): Promise<void> {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: load.name, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 2_000 })
  const producer = kafka.producer({ retry: { retries: 0 }, allowAutoTopicCreation: false })
  await producer.connect()
  try {
    for (let sent = 0; sent < MAX_SENDS && !stopped();) {
      const values = Array.from({ length: 5 }, () => `${load.name}-${sent++}`)
      try {
        await producer.send({ topic: TOPIC, acks, messages: values.map(value => ({ partition: load.partition, value })) })
      } catch {
        return
      }
      load.acked.push(...values)
    }
  } finally {
    await producer.disconnect().catch(() => {})
  }
}

/** Sluice's lean producer, LEAN_LANES sends in flight at once, until one fails or `stopped()`. */
async function leanLoad (bootstrap: string, load: Load, acks: 1 | -1, stopped: () => boolean): Promise<void> {
  const client = new KafkaClient({ bootstrap, clientId: load.name, connectTimeoutMs: 2_000 })
  const producer = new Producer(client, { acks, retries: 0, lingerMs: 0 })
  let sent = 0
  let failed = false
  const lane = async (): Promise<void> => {
    while (!failed && !stopped() && sent < MAX_SENDS) {
      const value = `${load.name}-${sent++}`
      try {
        await producer.send({ topic: TOPIC, partition: load.partition, value })
      } catch {
        failed = true
        return
      }
      load.acked.push(value)
    }
  }
  await Promise.all(Array.from({ length: LEAN_LANES }, lane))
  await client.close().catch(() => {})
}

describe('SIGTERM during produce load', () => {
  it('exits 0, answers what it received, restarts without recovery, and keeps every acknowledged record once and in order', async () => {
    broker = await startBroker()
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 4 }] })
    await admin.disconnect()

    const loads: Load[] = ['kafkajs-acks1', 'kafkajs-acksall', 'lean-acks1', 'lean-acksall'].map((name, partition) => ({ name, partition, acked: [] }))
    let stopped = false
    const isStopped = (): boolean => stopped
    const running = Promise.all([
      kafkajsLoad(broker.bootstrap, loads[0]!, 1, isStopped),
      kafkajsLoad(broker.bootstrap, loads[1]!, -1, isStopped),
      leanLoad(broker.bootstrap, loads[2]!, 1, isStopped),
      leanLoad(broker.bootstrap, loads[3]!, -1, isStopped)
    ])
    try {
      await waitFor('every producer to be acknowledged', () => loads.every(l => l.acked.length >= ACKS_BEFORE_SIGTERM))
      // SIGTERM while every producer still sends; stop() waits for the exit (and fails after 10 s).
      expect(await broker.stop({ keepData: true })).toBe(0)
    } finally {
      stopped = true
      await running
    }

    await broker.restart()
    const reported = (): Record<string, unknown> | undefined => broker!.output().split('\n')
      .filter(line => line.startsWith('{'))
      .map(line => JSON.parse(line) as Record<string, unknown>)
      .find(entry => entry.msg === 'clean shutdown, no recovery' || String(entry.msg).startsWith('recovered'))
    await waitFor('the restarted broker to report its recovery', () => reported() !== undefined)
    expect(reported()).toMatchObject({ msg: 'clean shutdown, no recovery', unclean: 0, truncatedBytes: 0, rebuiltIndexes: 0 })
    expect(reported()!.partitions).toBeGreaterThanOrEqual(4)

    const acked = new Set(loads.flatMap(l => l.acked))
    let seenAcked = 0
    const values = await consumeUntil(new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }), TOPIC, true, latest => {
      if (acked.has(latest.at(-1)!)) seenAcked++
      return seenAcked >= acked.size
    }, DEADLINE_MS)

    const counts = new Map<string, number>()
    for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
    expect([...counts].filter(([, n]) => n > 1)).toEqual([])
    // The requests in flight at SIGTERM were answered before their connections closed: nothing is
    // in the log that its producer did not see acknowledged.
    expect(values.filter(v => !acked.has(v))).toEqual([])
    for (const load of loads) {
      expect(values.filter(v => v.startsWith(`${load.name}-`))).toEqual(load.acked)
    }
  }, 120_000)
})
