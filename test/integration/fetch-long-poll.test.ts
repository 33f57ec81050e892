// Fetch long polls (max_wait_ms, min_bytes) against a real broker, with Sluice's own client on real
// sockets: a waiting fetch is answered by the appends that give it what it asked for, not by its
// timer. max_wait_ms is far longer than the test's timeout, so an append that failed to wake the
// fetch fails the test instead of being rescued by the timer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KafkaClient } from '../../src/client/client.js'
import { Consumer, type ConsumedRecord } from '../../src/client/consumer.js'
import { Producer } from '../../src/client/producer.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { BodyReader, BodyWriter, WireConnection } from '../helpers/wire.js'

const HOOK_TIMEOUT = 30_000
const TEST_TIMEOUT = 30_000
const LONG_WAIT_MS = 120_000
const VALUE_BYTES = 1000
const FETCH = 1
const UNKNOWN_LEADER_EPOCH = 75

describe('Fetch long poll', () => {
  let broker: RunningBroker
  let client: KafkaClient
  let producer: Producer

  beforeAll(async () => {
    broker = await startBroker()
    client = new KafkaClient({ bootstrap: broker.bootstrap })
    await client.connect()
    producer = new Producer(client, { lingerMs: 0 })
  }, HOOK_TIMEOUT)

  afterAll(async () => {
    await client?.close()
    await broker?.stop()
  }, HOOK_TIMEOUT)

  /** Produces one record at a time, each acknowledged before the next, until `answered` or the count. */
  async function produceUntil (topic: string, answered: () => boolean, max: number): Promise<number> {
    let sent = 0
    while (!answered() && sent < max) {
      await producer.send({ topic, partition: 0, value: Buffer.alloc(VALUE_BYTES, sent % 256) })
      sent++
    }
    return sent
  }

  async function pollWhileProducing (topic: string, minBytes: number): Promise<{ records: ConsumedRecord[], sent: number }> {
    const consumer = new Consumer(client, { maxWaitMs: LONG_WAIT_MS, minBytes })
    await consumer.assign([{ topic, partition: 0, offset: 'latest' }])
    let answered = false
    const poll = consumer.poll().finally(() => { answered = true })
    const sent = await produceUntil(topic, () => answered, 10_000)
    return { records: await poll, sent }
  }

  // Whichever arrives first, the fetch or the first record, the fetch must park with less than
  // min_bytes and be woken by later appends.
  it('a waiting fetch is woken by appends and answers once they add up to min_bytes', async () => {
    await client.admin.createTopics([{ name: 'long-poll-min', partitions: 1 }])
    const minBytes = 5 * VALUE_BYTES
    const { records, sent } = await pollWhileProducing('long-poll-min', minBytes)
    expect(sent).toBeGreaterThanOrEqual(5)
    const bytes = records.reduce((sum, r) => sum + (r.value?.length ?? 0), 0)
    expect(bytes).toBeGreaterThanOrEqual(minBytes)
  }, TEST_TIMEOUT)

  it('a fetch with nothing to read answers empty once max_wait_ms passes', async () => {
    await client.admin.createTopics([{ name: 'long-poll-idle', partitions: 1 }])
    const consumer = new Consumer(client, { maxWaitMs: 200 })
    await consumer.assign([{ topic: 'long-poll-idle', partition: 0, offset: 'latest' }])
    expect(await consumer.poll()).toEqual([])
  }, TEST_TIMEOUT)

  // A fetch at the end of every partition waits without building an answer first: it must still be
  // woken by an append to any of them, not only the first.
  it('a fetch waiting at the end of two partitions is woken by an append to the second', async () => {
    await client.admin.createTopics([{ name: 'long-poll-two', partitions: 2 }])
    const consumer = new Consumer(client, { maxWaitMs: LONG_WAIT_MS })
    await consumer.assign([{ topic: 'long-poll-two', partition: 0, offset: 'latest' }, { topic: 'long-poll-two', partition: 1, offset: 'latest' }])
    let answered = false
    const poll = consumer.poll().finally(() => { answered = true })
    let sent = 0
    while (!answered && sent < 10_000) {
      await producer.send({ topic: 'long-poll-two', partition: 1, value: Buffer.from(`second-${sent++}`) })
    }
    const records = await poll
    expect(records.length).toBeGreaterThan(0)
    expect(records.every(r => r.partition === 1 && r.value?.toString().startsWith('second-') === true)).toBe(true)
  }, TEST_TIMEOUT)

  it('a fetch at the end of the log naming a newer leader epoch is answered UNKNOWN_LEADER_EPOCH without waiting', async () => {
    await client.admin.createTopics([{ name: 'long-poll-epoch', partitions: 1 }])
    await producer.send({ topic: 'long-poll-epoch', partition: 0, value: Buffer.from('a') })
    await producer.send({ topic: 'long-poll-epoch', partition: 0, value: Buffer.from('b') })
    const wire = await WireConnection.open(broker.host, broker.port)
    try {
      // Fetch v9 (the last non-flexible version with current_leader_epoch), waiting up to LONG_WAIT_MS
      // at offset 2, the log end; nextResponse gives up after 5 s, so a parked fetch fails the test.
      wire.send({ apiKey: FETCH, apiVersion: 9, correlationId: 1, clientId: 'long-poll-epoch' }, new BodyWriter()
        .int32(-1).int32(LONG_WAIT_MS).int32(1).int32(1 << 20).int8(0).int32(0).int32(-1)
        .array(['long-poll-epoch'], (w, topic) => w.string(topic)
          .array([0], (p, partition) => p.int32(partition).int32(5).int64(2).int64(-1).int32(1 << 20)))
        .array([], () => {})
        .finish())
      const r = new BodyReader((await wire.nextResponse()).body)
      expect([r.int32(), r.int16(), r.int32()]).toEqual([0, 0, 0]) // throttle, error, session id
      const partitions = r.array(t => { t.string(); return t.array(p => [p.int32(), p.int16()]) })[0]
      expect(partitions).toEqual([[0, UNKNOWN_LEADER_EPOCH]])
    } finally {
      wire.close()
    }
  }, TEST_TIMEOUT)
})
