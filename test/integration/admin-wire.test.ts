// Old, non-flexible admin versions that no client in the suite sends, built by hand from the message
// specs (test/helpers/wire.ts, independent of src/protocol): OffsetForLeaderEpoch v0 and v3,
// DescribeConfigs v0 (isDefault instead of configSource), DeleteTopics v0 and v3 with deletion
// disabled (INVALID_REQUEST before v3, TOPIC_DELETION_DISABLED from v3).
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Kafka, logLevel } from 'kafkajs'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { BodyReader, BodyWriter, WireConnection } from '../helpers/wire.js'

const OFFSET_FOR_LEADER_EPOCH = 23
const DESCRIBE_CONFIGS = 32
const DELETE_TOPICS = 20
const RESOURCE_TOPIC = 2
const UNKNOWN_TOPIC_OR_PARTITION = 3
const INVALID_REQUEST = 42
const TOPIC_DELETION_DISABLED = 73
const UNKNOWN_LEADER_EPOCH = 75

let broker: RunningBroker
let wire: WireConnection
let correlationId = 0

beforeAll(async () => {
  broker = await startBroker({ settings: { 'auto.create.topics.enable': false, 'delete.topic.enable': false } })
  wire = await WireConnection.open(broker.host, broker.port)
  const kafka = new Kafka({ clientId: 'sluice-admin-wire', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  const producer = kafka.producer()
  await Promise.all([admin.connect(), producer.connect()])
  try {
    await admin.createTopics({ topics: [{ topic: 'wire-epochs', numPartitions: 1 }, { topic: 'wire-configs', configEntries: [{ name: 'retention.ms', value: '60000' }] }] })
    await producer.send({ topic: 'wire-epochs', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] })
  } finally {
    await Promise.all([admin.disconnect(), producer.disconnect()])
  }
})

afterAll(async () => {
  wire?.close()
  await broker?.stop()
})

async function call (apiKey: number, apiVersion: number, body: BodyWriter): Promise<BodyReader> {
  const id = ++correlationId
  wire.send({ apiKey, apiVersion, correlationId: id, clientId: 'sluice-admin-wire' }, body.finish())
  const response = await wire.nextResponse()
  expect(response.correlationId).toBe(id)
  return new BodyReader(response.body)
}

interface EpochQuery { partition: number, currentLeaderEpoch: number, leaderEpoch: number }

async function endOfEpochZero (): Promise<Array<[number, number, number, bigint]>> {
  const r = await call(OFFSET_FOR_LEADER_EPOCH, 3, new BodyWriter().int32(-1)
    .array(['wire-epochs'], (w, topic) => w.string(topic).array([0], (p, partition) => p.int32(partition).int32(-1).int32(0))))
  r.int32() // throttle
  return r.array(t => { t.string(); return t.array(p => [p.int16(), p.int32(), p.int32(), p.int64()] as [number, number, number, bigint]) })[0] ?? []
}

describe('OffsetForLeaderEpoch', () => {
  it('v3 answers epoch 0 up to the log end, -1 for a newer epoch, and errors per partition', async () => {
    const queries: EpochQuery[] = [
      { partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 },
      { partition: 0, currentLeaderEpoch: 0, leaderEpoch: 4 },
      { partition: 0, currentLeaderEpoch: 2, leaderEpoch: 0 },
      { partition: 5, currentLeaderEpoch: -1, leaderEpoch: 0 }
    ]
    const r = await call(OFFSET_FOR_LEADER_EPOCH, 3, new BodyWriter().int32(-1)
      .array(['wire-epochs'], (w, topic) => w.string(topic).array(queries, (p, q) => p.int32(q.partition).int32(q.currentLeaderEpoch).int32(q.leaderEpoch))))
    r.int32() // throttle
    const topics = r.array(t => ({ topic: t.string(), partitions: t.array(p => [p.int16(), p.int32(), p.int32(), p.int64()]) }))
    expect(topics).toEqual([{
      topic: 'wire-epochs',
      partitions: [[0, 0, 0, 3n], [0, 0, -1, -1n], [UNKNOWN_LEADER_EPOCH, 0, -1, -1n], [UNKNOWN_TOPIC_OR_PARTITION, 5, -1, -1n]]
    }])
    expect(r.remaining).toBe(0)
  })

  it('the broker records its epoch again at start-up, so a lost leader-epoch-checkpoint does not lose the answer', async () => {
    wire.close()
    await broker.stop({ keepData: true })
    rmSync(join(broker.dataDir, 'wire-epochs-0', 'leader-epoch-checkpoint'))
    await broker.restart()
    wire = await WireConnection.open(broker.host, broker.port)
    expect(await endOfEpochZero()).toEqual([[0, 0, 0, 3n]])
  })

  it('v0 answers the end offset without the epoch', async () => {
    const r = await call(OFFSET_FOR_LEADER_EPOCH, 0, new BodyWriter()
      .array(['wire-epochs'], (w, topic) => w.string(topic).array([0], (p, partition) => p.int32(partition).int32(0))))
    const topics = r.array(t => ({ topic: t.string(), partitions: t.array(p => [p.int16(), p.int32(), p.int64()]) }))
    expect(topics).toEqual([{ topic: 'wire-epochs', partitions: [[0, 0, 3n]] }])
    expect(r.remaining).toBe(0)
  })
})

describe('DescribeConfigs v0', () => {
  it('marks defaults with isDefault and an override without it', async () => {
    const r = await call(DESCRIBE_CONFIGS, 0, new BodyWriter()
      .array(['wire-configs'], (w, name) => w.int8(RESOURCE_TOPIC).string(name).array(['retention.ms', 'retention.bytes'], (k, key) => k.string(key))))
    r.int32() // throttle
    const results = r.array(res => ({
      errorCode: res.int16(),
      errorMessage: res.string(),
      resource: [res.int8(), res.string()],
      configs: res.array(c => ({ name: c.string(), value: c.string(), readOnly: c.int8(), isDefault: c.int8(), isSensitive: c.int8() }))
    }))
    expect(results).toEqual([{
      errorCode: 0,
      errorMessage: null,
      resource: [RESOURCE_TOPIC, 'wire-configs'],
      configs: expect.arrayContaining([
        { name: 'retention.ms', value: '60000', readOnly: 0, isDefault: 0, isSensitive: 0 },
        { name: 'retention.bytes', value: '-1', readOnly: 0, isDefault: 1, isSensitive: 0 }
      ])
    }])
    expect(results[0]?.configs).toHaveLength(2)
    expect(r.remaining).toBe(0)
  })
})

describe('DeleteTopics with delete.topic.enable=false', () => {
  it('v0 answers INVALID_REQUEST, which is all that version knows, and v3 TOPIC_DELETION_DISABLED', async () => {
    const v0 = await call(DELETE_TOPICS, 0, new BodyWriter().array(['wire-configs', 'wire-missing'], (w, name) => w.string(name)).int32(5_000))
    expect(v0.array(t => [t.string(), t.int16()])).toEqual([['wire-configs', INVALID_REQUEST], ['wire-missing', UNKNOWN_TOPIC_OR_PARTITION]])
    const v3 = await call(DELETE_TOPICS, 3, new BodyWriter().array(['wire-configs'], (w, name) => w.string(name)).int32(5_000))
    v3.int32() // throttle
    expect(v3.array(t => [t.string(), t.int16()])).toEqual([['wire-configs', TOPIC_DELETION_DISABLED]])
  })
})
