// kafkajs 2.2.4 against a real broker: admin, producer (acks, gzip, keyed partitioning, large and many
// records) and assign-style reads. kafkajs speaks only non-flexible versions (Metadata v6, Produce v7,
// Fetch v11, CreateTopics v3...), so this suite covers the old encodings. Issue #3.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CompressionTypes, ConfigResourceTypes, Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs'
import { partitionForKey } from '../../src/protocol/partitioner.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { PartitionReader } from './support/kafkajs-reader.js'
import { fetchRawBatches } from './support/raw-api.js'

let broker: RunningBroker
let kafka: Kafka
let admin: Admin
let producer: Producer
let reader: PartitionReader

beforeAll(async () => {
  broker = await startBroker({ settings: { 'auto.create.topics.enable': false, 'num.partitions': 1 } })
  kafka = new Kafka({ clientId: 'sluice-kafkajs-test', brokers: [broker.bootstrap], logLevel: logLevel.ERROR, retry: { retries: 3 } })
  admin = kafka.admin()
  producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner })
  await admin.connect()
  await producer.connect()
  reader = await PartitionReader.connect(broker.bootstrap)
})

afterAll(async () => {
  await reader?.close()
  await producer?.disconnect()
  await admin?.disconnect()
  await broker?.stop()
})

async function createTopic (topic: string, numPartitions = 1, configs: Record<string, string> = {}): Promise<void> {
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions, replicationFactor: 1, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }]
  })
  expect(created).toBe(true)
}

const values = (records: Array<{ value: Buffer | null }>): string[] => records.map(r => r.value?.toString() ?? '<null>')

describe('kafkajs admin', () => {
  it('creates a topic with the requested partitions and configs', async () => {
    await createTopic('admin-created', 3, { 'retention.ms': '3600000' })
    const { topics } = await admin.fetchTopicMetadata({ topics: ['admin-created'] })
    expect(topics[0]?.name).toBe('admin-created')
    expect(topics[0]?.partitions.map(p => p.partitionId).sort()).toEqual([0, 1, 2])
    for (const p of topics[0]?.partitions ?? []) expect(p.partitionErrorCode).toBe(0)
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'admin-created', configNames: ['retention.ms'] }]
    })
    expect(described.resources[0]?.configEntries).toContainEqual(expect.objectContaining({ configName: 'retention.ms', configValue: '3600000' }))
  })

  it('creating an existing topic reports that it already exists', async () => {
    await createTopic('admin-twice')
    expect(await admin.createTopics({ topics: [{ topic: 'admin-twice' }] })).toBe(false)
  })

  it('validateOnly checks a creation without creating the topic', async () => {
    const ok = await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'admin-validate-only', numPartitions: 2 }] })
    expect(ok).toBe(true)
    expect(await admin.listTopics()).not.toContain('admin-validate-only')
  })

  it.each([['a/b'], ['.'], ['..'], ['x'.repeat(250)]])('refuses the illegal topic name %s with INVALID_TOPIC_EXCEPTION', async (topic) => {
    await expect(admin.createTopics({ waitForLeaders: false, topics: [{ topic }] }))
      .rejects.toMatchObject({ errors: [expect.objectContaining({ type: 'INVALID_TOPIC_EXCEPTION' })] })
    expect(await admin.listTopics()).not.toContain(topic)
  })

  it('accepts a topic name of exactly 249 legal characters', async () => {
    const topic = 'a._-Z9'.repeat(41) + 'abc'
    expect(topic).toHaveLength(249)
    await createTopic(topic)
    expect(await admin.listTopics()).toContain(topic)
  })

  it('lists created topics and forgets deleted ones', async () => {
    await createTopic('admin-doomed', 2)
    expect(await admin.listTopics()).toContain('admin-doomed')
    await admin.deleteTopics({ topics: ['admin-doomed'] })
    expect(await admin.listTopics()).not.toContain('admin-doomed')
  })

  it('createPartitions grows a topic and the new partition takes records', async () => {
    await createTopic('admin-grow', 1)
    await admin.createPartitions({ topicPartitions: [{ topic: 'admin-grow', count: 3 }] })
    const { topics } = await admin.fetchTopicMetadata({ topics: ['admin-grow'] })
    expect(topics[0]?.partitions).toHaveLength(3)
    const [sent] = await producer.send({ topic: 'admin-grow', messages: [{ partition: 2, value: 'on the new partition' }] })
    expect(sent).toMatchObject({ partition: 2, errorCode: 0, baseOffset: '0' })
  })

  it('alterConfigs changes what describeConfigs reports', async () => {
    await createTopic('admin-configs', 1, { 'retention.ms': '3600000' })
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'admin-configs', configEntries: [{ name: 'retention.ms', value: '7200000' }] }]
    })
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'admin-configs', configNames: ['retention.ms', 'cleanup.policy'] }]
    })
    const entries = described.resources[0]?.configEntries ?? []
    expect(entries).toContainEqual(expect.objectContaining({ configName: 'retention.ms', configValue: '7200000' }))
    expect(entries).toContainEqual(expect.objectContaining({ configName: 'cleanup.policy', configValue: 'delete' }))
  })

  it('fetchTopicOffsets reports the low and high watermarks of each partition', async () => {
    await createTopic('admin-offsets', 2)
    await producer.send({ topic: 'admin-offsets', messages: [0, 1, 2].map(i => ({ partition: 1, value: `m${i}` })) })
    const offsets = await admin.fetchTopicOffsets('admin-offsets')
    expect(offsets.sort((a, b) => a.partition - b.partition)).toEqual([
      expect.objectContaining({ partition: 0, low: '0', high: '0' }),
      expect.objectContaining({ partition: 1, low: '0', high: '3' })
    ])
  })

  it('fetchTopicOffsetsByTimestamp finds the first record at or after a time', async () => {
    await createTopic('admin-by-time', 1)
    const base = Date.now() - 60_000
    await producer.send({ topic: 'admin-by-time', messages: [0, 1, 2, 3].map(i => ({ value: `t${i}`, timestamp: String(base + i * 1000) })) })
    const [found] = await admin.fetchTopicOffsetsByTimestamp('admin-by-time', base + 1500)
    expect(found).toEqual({ partition: 0, offset: '2' })
  })

  it('deleteTopicRecords moves the log start offset and hides earlier records', async () => {
    await createTopic('admin-delete-records', 1)
    await producer.send({ topic: 'admin-delete-records', messages: Array.from({ length: 10 }, (_, i) => ({ value: `d${i}` })) })
    // kafkajs looks the partition leader up in its cached metadata, which covers only topics it was asked about.
    await admin.fetchTopicMetadata({ topics: ['admin-delete-records'] })
    await admin.deleteTopicRecords({ topic: 'admin-delete-records', partitions: [{ partition: 0, offset: '4' }] })
    const [offsets] = await admin.fetchTopicOffsets('admin-delete-records')
    expect(offsets).toMatchObject({ low: '4', high: '10' })
    const records = await reader.read('admin-delete-records', 0, { fromOffset: 4, count: 6 })
    expect(values(records)).toEqual(['d4', 'd5', 'd6', 'd7', 'd8', 'd9'])
  })
})

describe('kafkajs producer and assign-style reads', () => {
  it.each([[0], [1], [-1]])('acks=%i with gzip stores every record in order', async (acks) => {
    const topic = `produce-acks-${acks === -1 ? 'all' : acks}`
    await createTopic(topic)
    const sent = Array.from({ length: 20 }, (_, i) => `acks${acks}-${i}`)
    await producer.send({ topic, acks, compression: CompressionTypes.GZIP, messages: sent.map(value => ({ value })) })
    // acks=0 has no answer to wait for; the read below waits (bounded) until the records are there.
    const records = await reader.read(topic, 0, { count: sent.length })
    expect(values(records)).toEqual(sent)
    expect(records.map(r => r.offset)).toEqual(sent.map((_, i) => i))
  })

  it('acks=1 answers the base offset of each batch', async () => {
    await createTopic('produce-offsets')
    const first = await producer.send({ topic: 'produce-offsets', acks: 1, messages: [{ value: 'a' }, { value: 'b' }] })
    const second = await producer.send({ topic: 'produce-offsets', acks: 1, messages: [{ value: 'c' }] })
    expect(first[0]).toMatchObject({ partition: 0, errorCode: 0, baseOffset: '0' })
    expect(second[0]).toMatchObject({ partition: 0, errorCode: 0, baseOffset: '2' })
  })

  it('keys, values, headers and timestamps round-trip unchanged', async () => {
    await createTopic('produce-fields')
    const timestamp = Date.now() - 5_000
    await producer.send({
      topic: 'produce-fields',
      messages: [
        { key: 'k1', value: 'v1', headers: { trace: 'abc', empty: '' }, timestamp: String(timestamp) },
        { key: null, value: null }
      ]
    })
    const [first, second] = await reader.read('produce-fields', 0, { count: 2 })
    expect(first?.key?.toString()).toBe('k1')
    expect(first?.value?.toString()).toBe('v1')
    expect(first?.headers.trace?.toString()).toBe('abc')
    expect(first?.headers.empty?.toString()).toBe('')
    expect(first?.timestamp).toBe(timestamp)
    expect(second?.key).toBeNull()
    expect(second?.value).toBeNull()
  })

  it('keyed records land on the partition murmur2 gives, each partition in send order', async () => {
    const partitions = 4
    await createTopic('produce-keyed', partitions)
    const messages = Array.from({ length: 200 }, (_, i) => ({ key: `user-${i % 37}`, value: String(i) }))
    for (let i = 0; i < messages.length; i += 50) await producer.send({ topic: 'produce-keyed', messages: messages.slice(i, i + 50) })
    for (let partition = 0; partition < partitions; partition++) {
      const expected = messages.filter(m => partitionForKey(Buffer.from(m.key), partitions) === partition)
      const records = await reader.read('produce-keyed', partition, { count: expected.length })
      expect(records.map(r => `${r.key?.toString() ?? ''}=${r.value?.toString() ?? ''}`))
        .toEqual(expected.map(m => `${m.key}=${m.value}`))
    }
  })

  it('a 1 MB record round-trips when the topic allows it', async () => {
    await createTopic('produce-large', 1, { 'max.message.bytes': '2000000' })
    const big = Buffer.alloc(1 << 20, 0)
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32BE(i, i)
    const [sent] = await producer.send({ topic: 'produce-large', messages: [{ key: 'big', value: big }] })
    expect(sent?.errorCode).toBe(0)
    const [record] = await reader.read('produce-large', 0, { count: 1 })
    expect(record?.value?.equals(big)).toBe(true)
  })

  it('a record over the topic max.message.bytes is refused with MESSAGE_TOO_LARGE', async () => {
    await createTopic('produce-too-large', 1, { 'max.message.bytes': '10000' })
    await expect(producer.send({ topic: 'produce-too-large', acks: 1, messages: [{ value: Buffer.alloc(20_000, 1) }] }))
      .rejects.toThrow(/larger than the max message size/)
    const [offsets] = await admin.fetchTopicOffsets('produce-too-large')
    expect(offsets?.high).toBe('0')
  })

  it('acks=all on a topic asking for 2 in-sync replicas is refused with NOT_ENOUGH_REPLICAS; acks=1 is taken', async () => {
    await createTopic('produce-min-isr', 1, { 'min.insync.replicas': '2' })
    const impatient = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } })
    await impatient.connect()
    try {
      const refused = await impatient.send({ topic: 'produce-min-isr', acks: -1, messages: [{ value: 'durable?' }] }).then(() => null, (e: unknown) => e)
      expect(JSON.stringify(refused, Object.getOwnPropertyNames(refused ?? {}))).toMatch(/NOT_ENOUGH_REPLICAS|fewer in-sync replicas/)
      expect((await impatient.send({ topic: 'produce-min-isr', acks: 1, messages: [{ value: 'leader only' }] }))[0]).toMatchObject({ errorCode: 0, baseOffset: '0' })
    } finally {
      await impatient.disconnect()
    }
    expect(values(await reader.read('produce-min-isr', 0, { count: 1 }))).toEqual(['leader only'])
  })

  it.each([
    ['before.max.ms', { 'message.timestamp.before.max.ms': '60000' }, -3_600_000, 3_600_000],
    ['after.max.ms', { 'message.timestamp.after.max.ms': '60000' }, 3_600_000, -3_600_000],
    ['difference.max.ms (both ways)', { 'message.timestamp.difference.max.ms': '60000' }, 3_600_000, null]
  ])('message.timestamp.%s refuses a record stamped out of range with INVALID_TIMESTAMP', async (what, configs, refusedShiftMs, takenShiftMs) => {
    const topic = `produce-ts-${what.replace(/[^a-z]+/g, '-')}`.replace(/-$/, '')
    await createTopic(topic, 1, configs)
    const send = async (shiftMs: number): Promise<unknown> =>
      await producer.send({ topic, acks: 1, messages: [{ value: `shift ${shiftMs}`, timestamp: String(Date.now() + shiftMs) }] }).then(() => 'taken', (e: unknown) => e)
    expect(String(await send(refusedShiftMs))).toMatch(/timestamp/i)
    expect(await send(0)).toBe('taken')
    if (takenShiftMs !== null) expect(await send(takenShiftMs)).toBe('taken')
    expect(values(await reader.read(topic, 0, { count: takenShiftMs === null ? 1 : 2 }))).toEqual(['shift 0', ...(takenShiftMs === null ? [] : [`shift ${takenShiftMs}`])])
  })

  it.each([
    ['gzip', CompressionTypes.None, 'gzip'],
    ['uncompressed', CompressionTypes.GZIP, 'none'],
    ['producer', CompressionTypes.GZIP, 'gzip']
  ] as const)('compression.type=%s stores a batch sent with codec %i as %s, records unchanged', async (type, sentWith, stored) => {
    const topic = `produce-compression-${type}`
    await createTopic(topic, 1, { 'compression.type': type })
    const sent = Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `value ${i} `.repeat(20), headers: { h: `${i}` }, timestamp: String(1_700_000_000_000 + i) }))
    await producer.send({ topic, acks: 1, compression: sentWith, messages: sent })
    const { batches } = await fetchRawBatches(broker.host, broker.port, { topic, partition: 0 })
    expect(batches.map(b => [b.codec, b.recordCount, b.lastOffsetDelta])).toEqual([[stored, 30, 29]])
    const records = await reader.read(topic, 0, { count: sent.length })
    expect(records.map(r => [r.key?.toString(), r.value?.toString(), r.headers.h?.toString(), r.timestamp])).toEqual(sent.map(m => [m.key, m.value, m.headers.h, Number(m.timestamp)]))
  })

  it('100,000 small records sent in batches round-trip in order', async () => {
    await createTopic('produce-many')
    const total = 100_000
    const perSend = 10_000
    for (let start = 0; start < total; start += perSend) {
      await producer.send({ topic: 'produce-many', messages: Array.from({ length: perSend }, (_, i) => ({ value: `r${start + i}` })) })
    }
    const records = await reader.read('produce-many', 0, { count: total, timeoutMs: 25_000 })
    expect(records).toHaveLength(total)
    const outOfPlace = records.findIndex((r, i) => r.offset !== i || r.value?.toString() !== `r${i}`)
    expect(outOfPlace).toBe(-1)
  }, 60_000)

  it('producing to an unknown topic fails without creating it when auto-creation is off', async () => {
    // A producer of its own: kafkajs keeps refreshing metadata for every topic it was asked about.
    const lost = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 1 } })
    await lost.connect()
    try {
      await expect(lost.send({ topic: 'produce-nowhere', acks: 1, messages: [{ value: 'x' }] })).rejects.toThrow()
    } finally {
      await lost.disconnect()
    }
    expect(await admin.listTopics()).not.toContain('produce-nowhere')
  })
})
