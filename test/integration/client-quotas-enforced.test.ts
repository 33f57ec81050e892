// Client quotas enforced as Kafka enforces them (KIP-13, KIP-55, KIP-219): a client over its
// producer_byte_rate or consumer_byte_rate gets throttle_time_ms in its answers and its connection is
// muted meanwhile, so it is slowed to about its quota. Quotas are set through @platformatic/kafka's
// Admin (AlterClientQuotas) on a running broker and take effect at once. Raw probes (our encoders over
// a socket, SASL PLAIN for users) read throttle_time_ms; kafkajs shows real clients slowed. The broker
// measures over 2 windows of 1 s (quota.window.num=2): a client may burst one window's worth first.
// Timing assertions are lower bounds only (a loaded machine only makes clients slower); the upper
// bounds are on bytes accepted by a given time.
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Admin } from '@platformatic/kafka'
import { Kafka, logLevel, type Admin as KafkajsAdmin, type Producer } from 'kafkajs'
import {
  decodeCreateTopicsResponse, decodeFetchResponse, decodeProduceResponse, encodeCreateTopicsRequest, decodeSaslAuthenticateResponse, decodeSaslHandshakeResponse,
  encodeFetchRequest, encodeProduceRequest, encodeSaslAuthenticateRequest, encodeSaslHandshakeRequest
} from '../../src/protocol/index.js'
import { valuesBatch } from '../helpers/batch.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { has, runPython } from '../helpers/clients.js'
import { saslSettings } from '../helpers/sasl.js'
import { api, WireClient } from '../helpers/wire-client.js'

const CONFLUENT_SCRIPT = fileURLToPath(new URL('py/confluent_client.py', import.meta.url))
const Produce = api(0, encodeProduceRequest, decodeProduceResponse)
const Fetch = api(1, encodeFetchRequest, decodeFetchResponse)
const CreateTopics = api(19, encodeCreateTopicsRequest, decodeCreateTopicsResponse)
const SaslHandshake = api(17, encodeSaslHandshakeRequest, decodeSaslHandshakeResponse)
const SaslAuthenticate = api(36, encodeSaslAuthenticateRequest, decodeSaslAuthenticateResponse)

const KIB = 1024
const TOPIC = 'quota-topic'
/** A probe's one Produce: at a 64 KiB/s quota, 4 windows' worth at once, so surely throttled. */
const PROBE_BYTES = 256 * KIB
const SMALL_QUOTA = 64 * KIB
const HUGE_QUOTA = 1 << 30
const TEST_TIMEOUT_MS = 60_000

type Entity = Array<{ entityType: string, entityName: string | null }>

let broker: RunningBroker
let admin: Admin
let producer: Producer
let kafkaAdmin: KafkajsAdmin

const clientIdEntity = (name: string | null): Entity => [{ entityType: 'client-id', entityName: name }]
const userEntity = (name: string | null): Entity => [{ entityType: 'user', entityName: name }]

/** Sets (a number) or removes (null) one quota of one entity. */
async function quota (entity: Entity, key: string, value: number | null): Promise<void> {
  const op = value === null ? { key, remove: true } : { key, value, remove: false }
  await admin.alterClientQuotas({ entries: [{ entities: entity, ops: [op] }] } as never)
}

/** A raw connection as `clientId`: PLAINTEXT (User:ANONYMOUS), or SASL PLAIN as `user`. */
async function connect (clientId: string, user?: string): Promise<WireClient> {
  if (user === undefined) return await WireClient.open(broker, clientId, broker.listenerPorts.PLAINTEXT)
  const client = await WireClient.open(broker, clientId, broker.listenerPorts.SASL_PLAINTEXT)
  expect((await client.call(SaslHandshake, 1, { mechanism: 'PLAIN' })).errorCode).toBe(0)
  const token = Buffer.from(`\u0000${user}\u0000${user}-secret`)
  expect((await client.call(SaslAuthenticate, 2, { authBytes: token })).errorCode).toBe(0)
  return client
}

/** One Produce v9 of about `bytes`; answers its throttle_time_ms. */
async function produceOnce (client: WireClient, bytes: number): Promise<number> {
  const records = valuesBatch('q', 1, bytes)
  const answer = await client.call(Produce, 9, { transactionalId: null, acks: 1, timeoutMs: 10_000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }] }, 30_000)
  expect(answer.responses[0]?.partitionResponses[0]?.errorCode).toBe(0)
  return answer.throttleTimeMs
}

/** The throttle time a fresh connection's one large Produce gets. */
async function probe (clientId: string, user?: string): Promise<number> {
  const client = await connect(clientId, user)
  try {
    return await produceOnce(client, PROBE_BYTES)
  } finally {
    client.close()
  }
}

/** The offset after the last whole batch of `records` (v2 batches: base offset, length, ..., last offset delta at 23). */
function nextOffset (records: Buffer): number {
  let next = 0
  for (let at = 0; at + 27 <= records.length;) {
    const size = 12 + records.readInt32BE(at + 8)
    if (at + size > records.length) break
    next = Number(records.readBigInt64BE(at)) + records.readInt32BE(at + 23) + 1
    at += size
  }
  return next
}

beforeAll(async () => {
  broker = await startBroker({
    http: true,
    settings: saslSettings({
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required ' +
        'username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret" user_bob="bob-secret";',
      'quota.window.num': 2
    })
  })
  const bootstrap = `127.0.0.1:${broker.listenerPorts.PLAINTEXT!}`
  admin = new Admin({ clientId: 'quota-admin', bootstrapBrokers: [bootstrap], retries: 1, timeout: 10_000 })
  const kafka = new Kafka({ clientId: 'quota-filler', brokers: [bootstrap], logLevel: logLevel.NOTHING })
  kafkaAdmin = kafka.admin()
  await kafkaAdmin.connect()
  await kafkaAdmin.createTopics({ topics: [{ topic: TOPIC }] })
  producer = kafka.producer()
  await producer.connect()
}, TEST_TIMEOUT_MS)

afterAll(async () => {
  await producer?.disconnect()
  await kafkaAdmin?.disconnect()
  await admin?.close()
  await broker?.stop()
})

describe('producer_byte_rate', () => {
  it('a Produce over a client id quota answers throttle_time_ms and mutes the connection for that long', async () => {
    await quota(clientIdEntity('raw-slow'), 'producer_byte_rate', SMALL_QUOTA)
    const client = await connect('raw-slow')
    try {
      // 256 KiB measured over one padded window: 256 KiB/s, 3 windows' time to get back to 64 KiB/s.
      const throttleMs = await produceOnce(client, PROBE_BYTES)
      expect(throttleMs).toBeGreaterThan(0)
      const started = performance.now()
      await produceOnce(client, 10)
      // The broker mutes the connection from before the answer left: allow for its transit.
      expect(performance.now() - started).toBeGreaterThanOrEqual(throttleMs / 2)
    } finally {
      client.close()
    }
    expect(await probe('raw-unlimited')).toBe(0)
    // /metrics shows the client measured, its limit and its throttles; the unlimited one not at all.
    const metrics = await (await fetch(`http://127.0.0.1:${broker.httpPort!}/metrics`)).text()
    const labels = '{quota="Produce",user="",client_id="raw-slow"}'
    expect(metrics).toContain(`sluice_client_quota_limit${labels} ${SMALL_QUOTA}`)
    expect(metrics).toMatch(new RegExp(`sluice_client_quota_throttles_total${labels.replace(/[{}]/g, '\\$&')} [1-9]`))
    expect(metrics).not.toContain('raw-unlimited')
  }, TEST_TIMEOUT_MS)

  it('a kafkajs producer pushing megabytes is slowed to about its quota', async () => {
    const limit = 512 * KIB
    await quota(clientIdEntity('kafkajs-slow'), 'producer_byte_rate', limit)
    const slow = new Kafka({ clientId: 'kafkajs-slow', brokers: [`127.0.0.1:${broker.listenerPorts.PLAINTEXT!}`], logLevel: logLevel.NOTHING }).producer()
    await slow.connect()
    const value = Buffer.alloc(32 * KIB, 'v')
    const total = 80 * value.length // 2.5 MiB: 5 s at the quota, less one window of burst
    const started = performance.now()
    let sent = 0
    try {
      while (sent < total) {
        await slow.send({ topic: TOPIC, acks: 1, messages: [{ value }] })
        sent += value.length
        const seconds = (performance.now() - started) / 1000
        // Accepted by now: at most the quota over the time so far plus the burst window, and a request.
        expect(sent).toBeLessThanOrEqual(limit * (seconds + 2) + 64 * KIB)
      }
    } finally {
      await slow.disconnect()
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(3000)
  }, TEST_TIMEOUT_MS)

  it.skipIf(!has.confluentKafka)('librdkafka (confluent-kafka) reports the throttle times through throttle_cb and is slowed to about its quota', async () => {
    const limit = 512 * KIB
    await quota(clientIdEntity('rdkafka-slow'), 'producer_byte_rate', limit)
    const result = await runPython<{ undelivered: number, seconds: number, throttles: number[] }>('confluent_kafka', CONFLUENT_SCRIPT, {
      op: 'produce_volume', bootstrap: `127.0.0.1:${broker.listenerPorts.PLAINTEXT!}`, clientId: 'rdkafka-slow', topic: TOPIC, count: 80, bytes: 32 * KIB,
      // Requests of at most 64 KiB (librdkafka's default is 1 MB): the last one is not throttled before its answer.
      config: { 'batch.size': 64 * KIB }
    }, { timeoutMs: TEST_TIMEOUT_MS })
    expect(result.undelivered).toBe(0)
    expect(Math.max(...result.throttles)).toBeGreaterThan(0)
    // 2.5 MiB: 5 s at the quota, less one window of burst and the last request (librdkafka pipelines
    // its requests: those read behind a throttled one wait for the throttle to end, as on Kafka).
    expect(result.seconds).toBeGreaterThanOrEqual(3)
  }, TEST_TIMEOUT_MS)

  it('a user quota applies to a SASL user\'s every client id; user+client-id and <default> entities follow Kafka\'s precedence', async () => {
    await quota(userEntity('alice'), 'producer_byte_rate', SMALL_QUOTA)
    await quota([...userEntity('alice'), ...clientIdEntity('alice-fast')], 'producer_byte_rate', HUGE_QUOTA)
    await quota(clientIdEntity(null), 'producer_byte_rate', SMALL_QUOTA)
    expect(await probe('alice-any', 'alice')).toBeGreaterThan(0)
    // user+client-id before user.
    expect(await probe('alice-fast', 'alice')).toBe(0)
    // No user entity matches bob or ANONYMOUS: the <default> client id quota does, for each client id.
    expect(await probe('bob-1', 'bob')).toBeGreaterThan(0)
    expect(await probe('anonymous-1')).toBeGreaterThan(0)
    // A <default> user comes before any client-id entity.
    await quota(userEntity(null), 'producer_byte_rate', HUGE_QUOTA)
    expect(await probe('bob-2', 'bob')).toBe(0)
    expect(await probe('anonymous-2')).toBe(0)
    // alice's own user entity still comes before the <default> user.
    expect(await probe('alice-other', 'alice')).toBeGreaterThan(0)
    for (const entity of [userEntity('alice'), [...userEntity('alice'), ...clientIdEntity('alice-fast')], clientIdEntity(null), userEntity(null)]) {
      await quota(entity, 'producer_byte_rate', null)
    }
  }, TEST_TIMEOUT_MS)

  it('removing the quota lifts the throttle on a connection already throttled', async () => {
    await quota(userEntity('alice'), 'producer_byte_rate', SMALL_QUOTA)
    const client = await connect('alice-lifted', 'alice')
    try {
      expect(await produceOnce(client, PROBE_BYTES)).toBeGreaterThan(0)
      await quota(userEntity('alice'), 'producer_byte_rate', null)
      // Answered once the mute ends, and not throttled again however much it sends.
      expect(await produceOnce(client, PROBE_BYTES)).toBe(0)
      expect(await produceOnce(client, PROBE_BYTES)).toBe(0)
    } finally {
      client.close()
    }
  }, TEST_TIMEOUT_MS)
})

describe('consumer_byte_rate', () => {
  it('a throttled Fetch is answered empty with throttle_time_ms, as KafkaApis answers it', async () => {
    const topic = 'quota-fetch'
    await kafkaAdmin.createTopics({ topics: [{ topic }] })
    // One 32 KiB batch each: a fetch's first batch goes out whole, whatever max_bytes says.
    for (let i = 0; i < 16; i++) await producer.send({ topic, acks: 1, messages: [{ value: Buffer.alloc(32 * KIB, 'f') }] })
    await quota(clientIdEntity('raw-fetch'), 'consumer_byte_rate', SMALL_QUOTA)
    const client = await connect('raw-fetch')
    try {
      let fetchOffset = 0
      let throttled: Awaited<ReturnType<typeof fetchOnce>> | undefined
      async function fetchOnce (): Promise<{ throttleTimeMs: number, partitions: number, bytes: number }> {
        const answer = await client.call(Fetch, 12, {
          replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 64 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
          topics: [{ topic, partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 64 << 20 }] }], forgottenTopicsData: [], rackId: ''
        } as never, 30_000)
        const partition = answer.responses[0]?.partitions[0]
        const records = partition?.records as Buffer | null | undefined
        if (records !== null && records !== undefined && records.length > 0) fetchOffset = nextOffset(records)
        return { throttleTimeMs: answer.throttleTimeMs, partitions: answer.responses.length, bytes: records?.length ?? 0 }
      }
      const first = await fetchOnce()
      // max_bytes is cut to one window's worth of the quota (64 KiB): not the whole 512 KiB.
      expect(first.bytes).toBeGreaterThan(0)
      expect(first.bytes).toBeLessThanOrEqual(SMALL_QUOTA)
      for (let i = 0; i < 10 && throttled === undefined; i++) {
        const next = await fetchOnce()
        if (next.throttleTimeMs > 0) throttled = next
      }
      expect(throttled).toBeDefined()
      expect(throttled!.partitions).toBe(0)
    } finally {
      client.close()
    }
  }, TEST_TIMEOUT_MS)

  it('a kafkajs consumer reading a megabyte is slowed to about its quota', async () => {
    const topic = 'quota-consume'
    const limit = 256 * KIB
    const value = Buffer.alloc(32 * KIB, 'c')
    const count = 40 // 1.25 MiB: 5 s at the quota, less a window of burst and a first fetch
    await kafkaAdmin.createTopics({ topics: [{ topic }] })
    for (let i = 0; i < count; i += 10) await producer.send({ topic, acks: 1, messages: Array.from({ length: 10 }, () => ({ value })) })
    await quota(clientIdEntity('kafkajs-consumer'), 'consumer_byte_rate', limit)
    const kafka = new Kafka({ clientId: 'kafkajs-consumer', brokers: [`127.0.0.1:${broker.listenerPorts.PLAINTEXT!}`], logLevel: logLevel.NOTHING })
    const consumer = kafka.consumer({ groupId: 'quota-consumers', maxBytes: 64 << 20, maxBytesPerPartition: 64 << 20 })
    await consumer.connect()
    let received = 0
    let firstAt = 0
    const started = performance.now()
    await consumer.subscribe({ topic, fromBeginning: true })
    const done = new Promise<void>((resolve, reject) => {
      consumer.run({
        eachMessage: async ({ message }) => {
          if (received === 0) firstAt = performance.now()
          received += message.value?.length ?? 0
          const seconds = (performance.now() - started) / 1000
          // By now at most the quota over the time so far, the burst window and one fetch (capped to a window).
          if (received > limit * (seconds + 3) + value.length) reject(new Error(`${received} bytes after ${seconds} s`))
          if (received >= count * value.length) resolve()
        }
      }).catch(reject)
    })
    try {
      await done
    } finally {
      await consumer.disconnect()
    }
    expect(performance.now() - firstAt).toBeGreaterThanOrEqual(2000)
  }, TEST_TIMEOUT_MS)
})

describe('controller_mutation_rate', () => {
  const THROTTLING_QUOTA_EXCEEDED = 89
  /** Topics of 3 partitions each: at 2 partitions/s over 2 windows the client has 4 partitions' credit. */
  async function createTopics (clientId: string, version: number, names: string[]): Promise<{ throttleTimeMs: number, codes: number[] }> {
    const client = await connect(clientId)
    try {
      const topics = names.map(name => ({ name, numPartitions: 3, replicationFactor: 1, assignments: [], configs: [] }))
      const answer = await client.call(CreateTopics, version, { topics, timeoutMs: 10_000, validateOnly: false })
      return { throttleTimeMs: answer.throttleTimeMs, codes: answer.topics.map(t => t.errorCode) }
    } finally {
      client.close()
    }
  }

  it('CreateTopics v6+ refuses the topics beyond the credit THROTTLING_QUOTA_EXCEEDED and answers the time to earn it back', async () => {
    await quota(clientIdEntity('mutator'), 'controller_mutation_rate', 2)
    const answer = await createTopics('mutator', 7, ['m-1', 'm-2', 'm-3'])
    // 4 credits: m-1 takes 3, m-2 the last one and 2 more (credits may go below zero once), m-3 none.
    expect(answer.codes).toEqual([0, 0, THROTTLING_QUOTA_EXCEEDED])
    expect(answer.throttleTimeMs).toBeGreaterThan(0)
    const { topics } = await kafkaAdmin.fetchTopicMetadata({ topics: ['m-1', 'm-2'] })
    expect(topics.map(t => t.partitions.length)).toEqual([3, 3])
    expect(await kafkaAdmin.listTopics()).not.toContain('m-3')
  }, TEST_TIMEOUT_MS)

  it('CreateTopics before v6 creates every topic and throttles the client instead', async () => {
    await quota(clientIdEntity('old-mutator'), 'controller_mutation_rate', 2)
    const answer = await createTopics('old-mutator', 4, ['o-1', 'o-2', 'o-3'])
    expect(answer.codes).toEqual([0, 0, 0])
    // 9 partitions against 4 credits: 5 partitions at 2/s to earn back.
    expect(answer.throttleTimeMs).toBeGreaterThan(0)
  }, TEST_TIMEOUT_MS)
})
