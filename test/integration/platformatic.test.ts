// @platformatic/kafka 1.35 against a real broker. It implements almost only flexible versions and picks
// the highest version the broker advertises (Metadata 12, Produce 11, Fetch 17 with topic ids,
// CreateTopics 7, DeleteTopics 6, ListOffsets 9), so this suite covers the flexible encodings.
// Its Consumer needs a groupId to be constructed, but fetch() and listOffsets() work without joining
// a group, which is how records are read here. Issue #3.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers, type RecordsBatch } from '@platformatic/kafka'
import { startBroker, type RunningBroker } from '../helpers/broker.js'

const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

let broker: RunningBroker
let admin: Admin
let producer: Producer<string, string, string, string>
let consumer: Consumer<string, string, string, string>

beforeAll(async () => {
  broker = await startBroker({ settings: { 'auto.create.topics.enable': false } })
  const common = { bootstrapBrokers: [broker.bootstrap], retries: 2, timeout: 10_000 }
  admin = new Admin({ clientId: 'sluice-platformatic-admin', ...common })
  producer = new Producer({ clientId: 'sluice-platformatic-producer', serializers: stringSerializers, autocreateTopics: false, ...common })
  consumer = new Consumer({ clientId: 'sluice-platformatic-consumer', groupId: 'sluice-unused-group', deserializers: stringDeserializers, ...common })
})

afterAll(async () => {
  await consumer?.close()
  await producer?.close()
  await admin?.close()
  await broker?.stop()
})

interface Fetched { offset: bigint, key: string | null, value: string | null }

/** One Fetch of one partition from `fetchOffset`, through the topic id Metadata gave (Fetch v13+). */
async function fetchPartition (topic: string, partition: number, fetchOffset = 0n): Promise<Fetched[]> {
  const metadata = await consumer.metadata({ topics: [topic], forceUpdate: true })
  const topicMetadata = metadata.topics.get(topic)
  const leader = topicMetadata?.partitions[partition]?.leader
  if (topicMetadata === undefined || leader === undefined) throw new Error(`no metadata for ${topic}-${partition}`)
  const response = await consumer.fetch({
    node: leader,
    maxWaitTime: 200,
    topics: [{ topicId: topicMetadata.id, partitions: [{ partition, fetchOffset, partitionMaxBytes: 8 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }]
  })
  const answer = response.responses[0]?.partitions[0]
  expect(answer?.errorCode).toBe(0)
  const batches: RecordsBatch[] = answer?.records ?? []
  return batches.flatMap(batch => batch.records.map(record => ({
    offset: batch.firstOffset + BigInt(record.offsetDelta),
    key: record.key?.toString() ?? null,
    value: record.value?.toString() ?? null
  }))).filter(r => r.offset >= fetchOffset)
}

describe('@platformatic/kafka admin', () => {
  it('createTopics answers a non-zero topic id that Metadata repeats', async () => {
    const [created] = await admin.createTopics({ topics: ['pk-admin'], partitions: 3, replicas: 1 })
    expect(created).toMatchObject({ name: 'pk-admin', partitions: 3 })
    expect(created?.id).not.toBe(ZERO_UUID)
    const metadata = await admin.metadata({ topics: ['pk-admin'] })
    expect(metadata.topics.get('pk-admin')).toMatchObject({ id: created?.id, partitionsCount: 3 })
  })

  it('metadata lists this broker at its advertised address', async () => {
    const metadata = await admin.metadata({ topics: [] })
    expect([...metadata.brokers.values()]).toEqual([expect.objectContaining({ host: broker.host, port: broker.port })])
  })

  it('listTopics shows created topics and deleteTopics removes them', async () => {
    await admin.createTopics({ topics: ['pk-listed', 'pk-doomed'], partitions: 1, replicas: 1 })
    expect(await admin.listTopics()).toEqual(expect.arrayContaining(['pk-listed', 'pk-doomed']))
    await admin.deleteTopics({ topics: ['pk-doomed'] })
    const topics = await admin.listTopics()
    expect(topics).toContain('pk-listed')
    expect(topics).not.toContain('pk-doomed')
  })

  it('createTopics of an existing topic fails with TOPIC_ALREADY_EXISTS', async () => {
    await admin.createTopics({ topics: ['pk-twice'], partitions: 1, replicas: 1 })
    await expect(admin.createTopics({ topics: ['pk-twice'], partitions: 1, replicas: 1 })).rejects.toThrow()
  })
})

describe('@platformatic/kafka producer and fetch', () => {
  it('send answers the offsets of the records and fetch returns them in order', async () => {
    await admin.createTopics({ topics: ['pk-produce'], partitions: 2, replicas: 1 })
    const messages = Array.from({ length: 10 }, (_, i) => ({ topic: 'pk-produce', partition: 1, key: `k${i}`, value: `v${i}` }))
    const result = await producer.send({ messages, acks: 1 })
    expect(result.offsets).toEqual([expect.objectContaining({ topic: 'pk-produce', partition: 1, offset: 0n })])
    const fetched = await fetchPartition('pk-produce', 1)
    expect(fetched.map(r => [r.offset, r.key, r.value])).toEqual(messages.map((m, i) => [BigInt(i), m.key, m.value]))
  })

  it('gzip-compressed sends with acks=-1 round-trip', async () => {
    await admin.createTopics({ topics: ['pk-gzip'], partitions: 1, replicas: 1 })
    const messages = Array.from({ length: 25 }, (_, i) => ({ topic: 'pk-gzip', partition: 0, value: `gz ${i} ` + 'z'.repeat(200) }))
    await producer.send({ messages, acks: -1, compression: 'gzip' })
    expect((await fetchPartition('pk-gzip', 0)).map(r => r.value)).toEqual(messages.map(m => m.value))
  })

  it('fetch from a middle offset starts there', async () => {
    await admin.createTopics({ topics: ['pk-middle'], partitions: 1, replicas: 1 })
    await producer.send({ messages: Array.from({ length: 6 }, (_, i) => ({ topic: 'pk-middle', partition: 0, value: `m${i}` })), acks: 1 })
    expect((await fetchPartition('pk-middle', 0, 4n)).map(r => r.value)).toEqual(['m4', 'm5'])
  })

  it('listOffsets reports the end offset of every partition', async () => {
    await admin.createTopics({ topics: ['pk-offsets'], partitions: 2, replicas: 1 })
    await producer.send({ messages: [0, 1, 2].map(i => ({ topic: 'pk-offsets', partition: 0, value: `o${i}` })), acks: 1 })
    const offsets = await consumer.listOffsets({ topics: ['pk-offsets'] })
    expect(offsets.get('pk-offsets')).toEqual([3n, 0n])
  })
})
