// The systems an end-to-end latency run can target, as plain data (it crosses to the producer
// thread), and for each a producer that sends a group of values at once and a consumer that reports
// every value with its receipt time:
//   kafka  lean driver: one Produce request per group (acks as given), long-poll Fetch (min_bytes 1)
//   redis  ioredis: the group's XADDs in one pipeline; XREAD BLOCK on its own connection
//   nats   nats.js JetStream: async publish (bounded in flight); an ordered consumer
import { Redis } from 'ioredis'
import { connect as natsConnect, type JetStreamClient, type NatsConnection, type PubAck } from 'nats'
import { encodeBatch } from '../../src/protocol/codec/record-batch.js'
import { checkProduceAnswer, fetchAnswer, fetchFrame, produceFrame, prepareTopic, type FetchedPartition } from './kafka-lean.js'
import { eachValue } from './record-values.js'
import { Wire } from './wire.js'

export type E2eTarget =
  | { kind: 'kafka', bootstrap: string, topic: string, partitions: number, acks: -1 | 0 | 1 }
  | { kind: 'redis', host: string, port: number, stream: string }
  | { kind: 'nats', host: string, port: number, stream: string }

export interface E2eProducer { send: (values: Buffer[]) => void, flush: () => Promise<void>, close: () => Promise<void> }
export interface E2eConsumer { close: () => Promise<void> }
/** A received value, `buf[at, at + length)`, with when it was received (hrtime ns, as a number:
 *  exact below 2^53 ns, 104 days of uptime; no BigInt per answer). */
export type OnValue = (buf: Buffer, at: number, length: number, receiptNs: number) => void

export const receiptNs = (): number => Number(process.hrtime.bigint())

const NATS_MAX_IN_FLIGHT = 1024
const FLUSH_TIMEOUT_MS = 10_000

/** Polls `done` every millisecond for at most FLUSH_TIMEOUT_MS (answers arrive on this thread's loop). */
async function until (done: () => boolean): Promise<void> {
  const deadline = performance.now() + FLUSH_TIMEOUT_MS
  while (!done() && performance.now() < deadline) await new Promise(resolve => setTimeout(resolve, 1))
}

export async function openProducer (t: E2eTarget): Promise<E2eProducer> {
  if (t.kind === 'kafka') return await kafkaProducer(t)
  if (t.kind === 'redis') return redisProducer(t)
  return await natsProducer(t)
}

export async function openConsumer (t: E2eTarget, onValue: OnValue): Promise<E2eConsumer> {
  if (t.kind === 'kafka') return await kafkaConsumer(t, onValue)
  if (t.kind === 'redis') return await redisConsumer(t, onValue)
  return await natsConsumer(t, onValue)
}

async function kafkaProducer (t: Extract<E2eTarget, { kind: 'kafka' }>): Promise<E2eProducer> {
  const leader = await prepareTopic(t)
  const wire = await Wire.connect(leader.host, leader.port)
  let partition = 0
  return {
    send (values) {
      const records = encodeBatch({ records: values.map(v => ({ value: v })) })
      wire.send(produceFrame(t.topic, t.acks, [{ partition: partition++ % t.partitions, records }]), t.acks === 0 ? null : checkProduceAnswer)
    },
    async flush () { await until(() => wire.inFlight === 0 || wire.failed !== null) },
    async close () { wire.close() }
  }
}

async function kafkaConsumer (t: Extract<E2eTarget, { kind: 'kafka' }>, onValue: OnValue): Promise<E2eConsumer> {
  const leader = await prepareTopic(t)
  const wire = await Wire.connect(leader.host, leader.port)
  const offsets = new Map<number, number>()
  const limits = { maxWaitMs: 500, maxBytes: 64 * 2 ** 20, partitionMaxBytes: 8 * 2 ** 20 }
  // A first fetch at offset 0 with no wait tells each partition's end; reading starts there.
  for (let p = 0; p < t.partitions; p++) offsets.set(p, 0)
  const first = await new Promise<FetchedPartition[]>(resolve => wire.send(fetchFrame(t.topic, offsets, { ...limits, maxWaitMs: 0, partitionMaxBytes: 1 }), frame => resolve(fetchAnswer(frame))))
  for (const p of first) offsets.set(p.partition, p.highWatermark)
  let open = true
  const onAnswer = (frame: Buffer): void => {
    const receipt = receiptNs()
    const visit = (buf: Buffer, at: number, length: number): void => { onValue(buf, at, length, receipt) }
    for (const p of fetchAnswer(frame)) {
      const next = p.records === null ? -1 : eachValue(p.records, visit)
      if (next >= 0) offsets.set(p.partition, next)
    }
    if (open) wire.send(fetchFrame(t.topic, offsets, limits), onAnswer)
  }
  wire.send(fetchFrame(t.topic, offsets, limits), onAnswer)
  return { async close () { open = false; wire.close() } }
}

function redisProducer (t: Extract<E2eTarget, { kind: 'redis' }>): E2eProducer {
  const redis = new Redis({ host: t.host, port: t.port, lazyConnect: false })
  let pending = 0
  return {
    send (values) {
      const pipeline = redis.pipeline()
      for (const v of values) pipeline.xadd(t.stream, '*', 'v', v)
      pending++
      void pipeline.exec().finally(() => { pending-- })
    },
    async flush () { await until(() => pending === 0) },
    async close () { redis.disconnect() }
  }
}

async function redisConsumer (t: Extract<E2eTarget, { kind: 'redis' }>, onValue: OnValue): Promise<E2eConsumer> {
  const redis = new Redis({ host: t.host, port: t.port })
  let open = true
  let last = '$'
  const loop = async (): Promise<void> => {
    while (open) {
      // close() disconnects under a blocked XREAD; only that failure is expected.
      const answer = await redis.xreadBuffer('COUNT', 10_000, 'BLOCK', 500, 'STREAMS', t.stream, last).catch((error: unknown) => { if (open) throw error; return null })
      const receipt = receiptNs()
      for (const [, entries] of answer ?? []) {
        for (const [id, fields] of entries) {
          last = id.toString()
          const v = fields[1]
          if (v !== undefined) onValue(v, 0, v.length, receipt)
        }
      }
    }
  }
  const running = loop()
  return { async close () { open = false; await running; redis.disconnect() } }
}

export async function natsStream (nc: NatsConnection, stream: string): Promise<void> {
  const jsm = await nc.jetstreamManager()
  await jsm.streams.add({ name: stream, subjects: [stream], storage: 'file' as never })
}

async function natsProducer (t: Extract<E2eTarget, { kind: 'nats' }>): Promise<E2eProducer> {
  const nc = await natsConnect({ servers: `${t.host}:${t.port}` })
  await natsStream(nc, t.stream)
  const js: JetStreamClient = nc.jetstream()
  const inFlight = new Set<Promise<PubAck>>()
  const backlog: Buffer[] = []
  const publish = (): void => {
    while (backlog.length > 0 && inFlight.size < NATS_MAX_IN_FLIGHT) {
      const ack = js.publish(t.stream, backlog.shift())
      inFlight.add(ack)
      void ack.finally(() => { inFlight.delete(ack); publish() })
    }
  }
  return {
    send (values) {
      backlog.push(...values)
      publish()
    },
    async flush () { while (backlog.length > 0 || inFlight.size > 0) await Promise.allSettled([...inFlight]) },
    async close () { await nc.close() }
  }
}

async function natsConsumer (t: Extract<E2eTarget, { kind: 'nats' }>, onValue: OnValue): Promise<E2eConsumer> {
  const nc = await natsConnect({ servers: `${t.host}:${t.port}` })
  await natsStream(nc, t.stream)
  const consumer = await nc.jetstream().consumers.get(t.stream, { deliver_policy: 'new' as never })
  const messages = await consumer.consume()
  const running = (async () => {
    for await (const m of messages) onValue(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength), 0, m.data.byteLength, receiptNs())
  })()
  return { async close () { await messages.close(); await running; await nc.close() } }
}
