// The broker's threads run under Linux SCHED_BATCH unless threads.sched.batch=false (issue #8: the
// network thread and the shards wake each other for every Produce; under SCHED_BATCH a woken thread
// does not preempt the running one, which costs fewer context switches).
import { afterEach, describe, expect, it } from 'vitest'
import { Kafka, logLevel } from 'kafkajs'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { SCHED_BATCH, SCHED_OTHER, threadPolicies } from '../helpers/threads.js'

/** Produces a few records, so that the shards have appended and the fsync pool has started. */
async function produceSome (broker: RunningBroker): Promise<void> {
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'sched', numPartitions: 4, configEntries: [{ name: 'flush.messages', value: '1' }] }] })
  await admin.disconnect()
  const producer = kafka.producer()
  await producer.connect()
  const answers = await producer.send({ topic: 'sched', messages: Array.from({ length: 20 }, (_, i) => ({ value: `record ${i}` })) })
  await producer.disconnect()
  expect(answers.every(a => a.errorCode === 0)).toBe(true)
}

describe('thread scheduling policy', () => {
  let broker: RunningBroker | undefined
  afterEach(async () => { await broker?.stop(); broker = undefined })

  it('every thread of the broker runs under SCHED_BATCH by default, those started later included', async () => {
    broker = await startBroker()
    await produceSome(broker)
    const policies = threadPolicies(broker.pid!)
    // The main thread, two shards at least (one per core), V8's and libuv's helper threads.
    expect(policies.size).toBeGreaterThanOrEqual(4)
    expect([...policies.values()].every(p => p === SCHED_BATCH), JSON.stringify([...policies])).toBe(true)
  })

  it('threads.sched.batch=false leaves every thread under the default policy', async () => {
    broker = await startBroker({ settings: { 'threads.sched.batch': false } })
    await produceSome(broker)
    const policies = threadPolicies(broker.pid!)
    expect([...policies.values()].every(p => p === SCHED_OTHER), JSON.stringify([...policies])).toBe(true)
  })
})
