// The admin APIs through kafkajs 2.2.4, which speaks their non-flexible versions (CreateTopics v3,
// DeleteTopics v1, CreatePartitions v1, DescribeConfigs v2, AlterConfigs v1, DeleteRecords v1):
// validation errors as kafkajs surfaces them, config sources and synonyms, AlterConfigs' replace
// semantics, DeleteRecords moving the log start for Fetch and ListOffsets, and the partition
// reassignment APIs (v0), which on one broker complete at once or refuse; the ACL APIs, which answer
// SECURITY_DISABLED as Kafka does without an authorizer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AclOperationTypes, AclPermissionTypes, AclResourceTypes, ConfigResourceTypes, Kafka, logLevel, ResourcePatternTypes,
  type Admin, type Producer
} from 'kafkajs'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { fetchRawBatches } from './support/raw-api.js'

const TOPIC_CONFIG = 1
const STATIC_BROKER_CONFIG = 4
const DEFAULT_CONFIG = 5
const OFFSET_OUT_OF_RANGE = 1
const DAY_MS = '86400000'

let broker: RunningBroker
let admin: Admin
let producer: Producer

beforeAll(async () => {
  broker = await startBroker({ settings: { 'auto.create.topics.enable': false, 'num.partitions': 3, 'log.retention.ms': DAY_MS } })
  // kafkajs retries retriable errors; one retry keeps refusals fast without hiding real flakiness.
  const kafka = new Kafka({ clientId: 'sluice-admin-kafkajs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50 } })
  admin = kafka.admin()
  producer = kafka.producer({ allowAutoTopicCreation: false })
  await admin.connect()
  await producer.connect()
})

afterAll(async () => {
  await producer?.disconnect()
  await admin?.disconnect()
  await broker?.stop()
})

async function create (topic: string, numPartitions = 1, configs: Record<string, string> = {}): Promise<void> {
  expect(await admin.createTopics({ topics: [{ topic, numPartitions, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }] })).toBe(true)
}

/** The per-topic error types kafkajs reports for a refused createTopics (it keeps codes, not the broker's messages). */
async function createRefusal (topic: object, validateOnly = false): Promise<string[]> {
  const error = await admin.createTopics({ validateOnly, waitForLeaders: false, topics: [topic as { topic: string }] }).then(() => null, (e: unknown) => e)
  expect(error).not.toBeNull()
  return ((error as { errors?: Array<{ type: string }> }).errors ?? []).map(e => e.type)
}

async function topicConfigs (topic: string, configNames?: string[]): Promise<Map<string, { configValue: string, configSource: number, readOnly: boolean, configSynonyms: Array<{ configName: string, configValue: string, configSource: number }> }>> {
  const described = await admin.describeConfigs({ includeSynonyms: true, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames }] })
  return new Map((described.resources[0]?.configEntries ?? []).map(e => [e.configName, e]))
}

describe('CreateTopics through kafkajs', () => {
  it('validateOnly creates nothing, yet refuses what a real creation would refuse', async () => {
    expect(await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'kj-dry-run', numPartitions: 2 }] })).toBe(true)
    expect(await admin.listTopics()).not.toContain('kj-dry-run')
    await create('kj-dry-taken')
    // kafkajs answers false, not an error, for TOPIC_ALREADY_EXISTS.
    expect(await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'kj-dry-taken' }] })).toBe(false)
    expect(await createRefusal({ topic: 'kj-dry-bad', configEntries: [{ name: 'retention.ms', value: 'soon' }] }, true)).toEqual(['INVALID_CONFIG'])
    expect(await admin.listTopics()).not.toContain('kj-dry-bad')
  })

  it('partitions -1 takes the broker default num.partitions', async () => {
    expect(await admin.createTopics({ topics: [{ topic: 'kj-default-count' }] })).toBe(true)
    const { topics } = await admin.fetchTopicMetadata({ topics: ['kj-default-count'] })
    expect(topics[0]?.partitions).toHaveLength(3)
  })

  it.each([
    ['an unknown config name', 'kj-refused-name', { configEntries: [{ name: 'retention.forever', value: 'true' }] }, 'INVALID_CONFIG'],
    ['a config value out of range', 'kj-refused-value', { configEntries: [{ name: 'min.cleanable.dirty.ratio', value: '1.5' }] }, 'INVALID_CONFIG'],
    ['replication factor 2 on one broker', 'kj-refused-rf', { replicationFactor: 2 }, 'INVALID_REPLICATION_FACTOR'],
    ['zero partitions', 'kj-refused-count', { numPartitions: 0 }, 'INVALID_PARTITIONS'],
    ['an assignment naming another broker', 'kj-refused-assignment', { replicaAssignment: [{ partition: 0, replicas: [7] }] }, 'INVALID_REPLICA_ASSIGNMENT'],
    ['an internal topic name', '__transaction_state', { numPartitions: 1 }, 'INVALID_REQUEST']
  ])('refuses %s and creates nothing', async (_what, topic, fields, type) => {
    expect(await createRefusal({ topic, ...fields })).toEqual([type])
    expect(await admin.listTopics()).not.toContain(topic)
  })

  it('accepts every topic config Kafka 3.9 knows, including those without effect here, and describes them', async () => {
    // A topic created for Kafka must be creatable here: these are Kafka's topic configs that Sluice
    // takes at Kafka's validation but does not act on (its storage sizes and deletes segments itself).
    const kafkaOnly = {
      'segment.index.bytes': '1048576',
      'segment.jitter.ms': '1000',
      'file.delete.delay.ms': '30000',
      preallocate: 'true',
      'message.downconversion.enable': 'false',
      'message.format.version': '2.8',
      'message.timestamp.difference.max.ms': '3600000',
      'message.timestamp.before.max.ms': '7200000',
      'message.timestamp.after.max.ms': '600000',
      'compression.gzip.level': '6',
      'compression.lz4.level': '12',
      'compression.zstd.level': '-5',
      'leader.replication.throttled.replicas': '*',
      'follower.replication.throttled.replicas': '',
      'local.retention.ms': '-2',
      'local.retention.bytes': '-2',
      'remote.storage.enable': 'false',
      'remote.log.copy.disable': 'false',
      'remote.log.delete.on.disable': 'false'
    }
    await create('kj-kafka-configs', 1, kafkaOnly)
    const described = await topicConfigs('kj-kafka-configs')
    for (const [name, value] of Object.entries(kafkaOnly)) expect(described.get(name), name).toMatchObject({ configValue: value, configSource: TOPIC_CONFIG })
    // Defaults of a topic without overrides are Kafka's.
    await create('kj-kafka-defaults')
    const defaults = await topicConfigs('kj-kafka-defaults', ['segment.index.bytes', 'preallocate', 'file.delete.delay.ms'])
    expect([...defaults].map(([name, e]) => [name, e.configValue, e.configSource])).toEqual(expect.arrayContaining([
      ['segment.index.bytes', '10485760', DEFAULT_CONFIG], ['preallocate', 'false', DEFAULT_CONFIG], ['file.delete.delay.ms', '60000', DEFAULT_CONFIG]
    ]))
    // And Kafka's validation of them holds.
    for (const [name, value] of [['segment.index.bytes', '2'], ['remote.storage.enable', 'true'], ['message.format.version', 'latest'], ['compression.gzip.level', '10']]) {
      expect(await createRefusal({ topic: 'kj-kafka-config-refused', configEntries: [{ name, value }] }), name).toEqual(['INVALID_CONFIG'])
    }
  })

  it("message.format.version takes Kafka's 0.x release names in four parts, as librdkafka's test 0092 sets it", async () => {
    await create('kj-format-version')
    for (const value of ['0.10.0.0', '0.11.0', '2.8-IV1']) {
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kj-format-version', configEntries: [{ name: 'message.format.version', value }] }] })
      expect((await topicConfigs('kj-format-version', ['message.format.version'])).get('message.format.version')).toMatchObject({ configValue: value, configSource: TOPIC_CONFIG })
    }
  })

  it("Kafka's Long.MAX_VALUE defaults read as Long.MAX_VALUE, and set explicitly they are taken", async () => {
    const LONG_MAX = '9223372036854775807'
    await create('kj-long-max')
    const defaults = await topicConfigs('kj-long-max', ['flush.messages', 'flush.ms', 'max.compaction.lag.ms'])
    expect([...defaults].map(([name, e]) => [name, e.configValue])).toEqual(expect.arrayContaining([
      ['flush.messages', LONG_MAX], ['flush.ms', LONG_MAX], ['max.compaction.lag.ms', LONG_MAX]
    ]))
    // What a describe-then-alter round trip writes back must be a value the storage takes.
    await create('kj-long-max-set', 1, { 'retention.ms': LONG_MAX, 'segment.ms': LONG_MAX, 'flush.messages': LONG_MAX, 'flush.ms': LONG_MAX, 'message.timestamp.difference.max.ms': LONG_MAX })
    expect((await producer.send({ topic: 'kj-long-max-set', acks: 1, messages: [{ value: 'taken' }] }))[0]).toMatchObject({ errorCode: 0, baseOffset: '0' })
  })

  it('a manual assignment of every partition to this broker creates those partitions', async () => {
    const replicaAssignment = [0, 1].map(partition => ({ partition, replicas: [0] }))
    expect(await admin.createTopics({ topics: [{ topic: 'kj-assigned', replicaAssignment }] })).toBe(true)
    const { topics } = await admin.fetchTopicMetadata({ topics: ['kj-assigned'] })
    expect(topics[0]?.partitions.map(p => [p.partitionId, p.replicas])).toEqual(expect.arrayContaining([[0, [0]], [1, [0]]]))
    expect(topics[0]?.partitions).toHaveLength(2)
  })
})

describe('DeleteTopics and CreatePartitions through kafkajs', () => {
  it('deleting a topic removes it and its data; creating it again starts empty', async () => {
    await create('kj-reborn')
    await producer.send({ topic: 'kj-reborn', messages: [{ value: 'old' }] })
    await admin.deleteTopics({ topics: ['kj-reborn'] })
    expect(await admin.listTopics()).not.toContain('kj-reborn')
    await create('kj-reborn')
    expect(await admin.fetchTopicOffsets('kj-reborn')).toEqual([expect.objectContaining({ partition: 0, low: '0', high: '0' })])
  })

  it('createPartitions refuses a count that does not grow the topic', async () => {
    await create('kj-no-shrink', 2)
    for (const count of [1, 2]) {
      await expect(admin.createPartitions({ topicPartitions: [{ topic: 'kj-no-shrink', count }] })).rejects.toMatchObject({ type: 'INVALID_PARTITIONS' })
    }
    const { topics } = await admin.fetchTopicMetadata({ topics: ['kj-no-shrink'] })
    expect(topics[0]?.partitions).toHaveLength(2)
  })

  it('createPartitions with validateOnly grows nothing', async () => {
    await create('kj-grow-dry', 1)
    await admin.createPartitions({ validateOnly: true, topicPartitions: [{ topic: 'kj-grow-dry', count: 4 }] })
    const { topics } = await admin.fetchTopicMetadata({ topics: ['kj-grow-dry'] })
    expect(topics[0]?.partitions).toHaveLength(1)
  })
})

describe('DescribeConfigs and AlterConfigs through kafkajs', () => {
  it('a topic override is TOPIC_CONFIG, a broker setting given at start-up STATIC_BROKER_CONFIG, the rest DEFAULT_CONFIG', async () => {
    await create('kj-sources', 1, { 'cleanup.policy': 'compact' })
    const configs = await topicConfigs('kj-sources')
    expect(configs.get('cleanup.policy')).toMatchObject({ configValue: 'compact', configSource: TOPIC_CONFIG, readOnly: false })
    expect(configs.get('retention.ms')).toMatchObject({ configValue: DAY_MS, configSource: STATIC_BROKER_CONFIG })
    expect(configs.get('retention.bytes')).toMatchObject({ configValue: '-1', configSource: DEFAULT_CONFIG })
    expect(configs.get('min.insync.replicas')).toMatchObject({ configValue: '1', configSource: DEFAULT_CONFIG })
  })

  it('synonyms list every source of a value, the one in effect first', async () => {
    await create('kj-synonyms', 1, { 'retention.ms': '60000' })
    const retention = (await topicConfigs('kj-synonyms', ['retention.ms'])).get('retention.ms')
    expect(retention?.configSynonyms.map(s => [s.configName, s.configValue, s.configSource])).toEqual([
      ['retention.ms', '60000', TOPIC_CONFIG],
      ['log.retention.ms', DAY_MS, STATIC_BROKER_CONFIG],
      ['log.retention.hours', '168', DEFAULT_CONFIG] // Kafka's default is on log.retention.hours, not log.retention.ms
    ])
  })

  it('configNames restricts the answer to those configs', async () => {
    await create('kj-some-configs')
    expect([...(await topicConfigs('kj-some-configs', ['segment.bytes', 'flush.ms'])).keys()].sort()).toEqual(['flush.ms', 'segment.bytes'])
  })

  it('the broker resource lists every broker setting, read-only but the dynamic ones, with the ones set at start-up as STATIC_BROKER_CONFIG', async () => {
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '0' }] })
    const entries = new Map((described.resources[0]?.configEntries ?? []).map(e => [e.configName, e]))
    expect(entries.get('num.partitions')).toMatchObject({ configValue: '3', configSource: STATIC_BROKER_CONFIG, readOnly: true })
    expect(entries.get('message.max.bytes')).toMatchObject({ configValue: '1048588', configSource: DEFAULT_CONFIG, readOnly: false })
    expect(entries.get('log.dirs')?.configValue).toBe(broker.dataDir)
  })

  it('alterConfigs replaces the whole set of overrides: a config left out returns to its default', async () => {
    await create('kj-replace', 1, { 'retention.ms': '60000', 'cleanup.policy': 'compact' })
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kj-replace', configEntries: [{ name: 'retention.bytes', value: '1048576' }] }] })
    const configs = await topicConfigs('kj-replace')
    expect(configs.get('retention.bytes')).toMatchObject({ configValue: '1048576', configSource: TOPIC_CONFIG })
    expect(configs.get('retention.ms')).toMatchObject({ configValue: DAY_MS, configSource: STATIC_BROKER_CONFIG })
    expect(configs.get('cleanup.policy')).toMatchObject({ configValue: 'delete', configSource: DEFAULT_CONFIG })
  })

  it('alterConfigs with validateOnly changes nothing, and a bad value is INVALID_CONFIG', async () => {
    await create('kj-alter-checked', 1, { 'retention.ms': '60000' })
    const alter = (validateOnly: boolean, value: string): Promise<unknown> => admin.alterConfigs({
      validateOnly, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kj-alter-checked', configEntries: [{ name: 'retention.ms', value }] }]
    })
    await alter(true, '120000')
    expect((await topicConfigs('kj-alter-checked', ['retention.ms'])).get('retention.ms')?.configValue).toBe('60000')
    await expect(alter(false, '-7')).rejects.toMatchObject({ type: 'INVALID_CONFIG' })
    expect((await topicConfigs('kj-alter-checked', ['retention.ms'])).get('retention.ms')?.configValue).toBe('60000')
  })

  it('altering a broker setting Kafka does not change at run time is INVALID_REQUEST', async () => {
    await expect(admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '0', configEntries: [{ name: 'num.partitions', value: '5' }] }] }))
      .rejects.toMatchObject({ type: 'INVALID_REQUEST' })
  })

  it('an override set by alterConfigs survives a broker restart', async () => {
    await create('kj-durable-config')
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kj-durable-config', configEntries: [{ name: 'segment.ms', value: '3600000' }] }] })
    await broker.restart()
    expect((await topicConfigs('kj-durable-config', ['segment.ms'])).get('segment.ms')).toMatchObject({ configValue: '3600000', configSource: TOPIC_CONFIG })
  })
})

describe('DeleteRecords through kafkajs', () => {
  async function createWithRecords (topic: string, count: number): Promise<void> {
    await create(topic)
    await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ value: `r${i}` })) })
    // kafkajs resolves the leader from its cached metadata, which createTopics does not fill.
    await admin.fetchTopicMetadata({ topics: [topic] })
  }

  it('raises the low watermark; Fetch below it is OFFSET_OUT_OF_RANGE and reads from it still work', async () => {
    await createWithRecords('kj-trimmed', 10)
    await admin.deleteTopicRecords({ topic: 'kj-trimmed', partitions: [{ partition: 0, offset: '6' }] })
    expect(await admin.fetchTopicOffsets('kj-trimmed')).toEqual([expect.objectContaining({ partition: 0, low: '6', high: '10' })])
    expect((await fetchRawBatches(broker.host, broker.port, { topic: 'kj-trimmed', partition: 0, offset: 5n })).errorCode).toBe(OFFSET_OUT_OF_RANGE)
    const from = await fetchRawBatches(broker.host, broker.port, { topic: 'kj-trimmed', partition: 0, offset: 6n })
    expect(from.errorCode).toBe(0)
    expect(from.highWatermark).toBe(10n)
  })

  it('offset -1 deletes up to the high watermark', async () => {
    await createWithRecords('kj-emptied', 4)
    await admin.deleteTopicRecords({ topic: 'kj-emptied', partitions: [{ partition: 0, offset: '-1' }] })
    expect(await admin.fetchTopicOffsets('kj-emptied')).toEqual([expect.objectContaining({ low: '4', high: '4' })])
  })

  it('an offset beyond the high watermark is refused and deletes nothing', async () => {
    await createWithRecords('kj-beyond', 3)
    await expect(admin.deleteTopicRecords({ topic: 'kj-beyond', partitions: [{ partition: 0, offset: '9' }] })).rejects.toThrow()
    expect(await admin.fetchTopicOffsets('kj-beyond')).toEqual([expect.objectContaining({ low: '0', high: '3' })])
  })

  it('the new log start offset survives a broker restart', async () => {
    await createWithRecords('kj-trim-durable', 5)
    await admin.deleteTopicRecords({ topic: 'kj-trim-durable', partitions: [{ partition: 0, offset: '2' }] })
    await broker.restart()
    expect(await admin.fetchTopicOffsets('kj-trim-durable')).toEqual([expect.objectContaining({ low: '2', high: '5' })])
  })
})

describe('Partition reassignments through kafkajs', () => {
  it('reassigning to this broker completes at once; other brokers, duplicates and unknown partitions are refused; none is ever listed', async () => {
    await create('reassigned', 2)
    const node = (await admin.describeCluster()).brokers[0]!.nodeId
    await admin.alterPartitionReassignments({ topics: [{ topic: 'reassigned', partitionAssignment: [{ partition: 0, replicas: [node] }, { partition: 1, replicas: [node] }] }] })
    expect(await admin.listPartitionReassignments({})).toEqual({ topics: [] })
    expect(await admin.listPartitionReassignments({ topics: [{ topic: 'reassigned', partitions: [0, 1] }] })).toEqual({ topics: [] })
    const refused = await admin.alterPartitionReassignments({
      topics: [
        { topic: 'reassigned', partitionAssignment: [{ partition: 0, replicas: [node + 1] }, { partition: 1, replicas: [node, node] }, { partition: 5, replicas: [node] }] },
        { topic: 'never-created', partitionAssignment: [{ partition: 0, replicas: [node] }] }
      ]
    }).then(() => null, (e: unknown) => e as { errors?: Array<{ type: string }> })
    expect(refused?.errors?.map(e => e.type)).toEqual(['INVALID_REPLICA_ASSIGNMENT', 'INVALID_REPLICA_ASSIGNMENT', 'UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_OR_PARTITION'])
    // The partitions stayed where they were and still take records.
    await producer.send({ topic: 'reassigned', messages: [{ partition: 1, value: 'after' }] })
    expect((await admin.fetchTopicOffsets('reassigned')).find(p => p.partition === 1)?.high).toBe('1')
  })
})

describe('ACLs through kafkajs (no authorizer: SECURITY_DISABLED, as on Kafka without authorizer.class.name)', () => {
  const acl = {
    resourceType: AclResourceTypes.TOPIC,
    resourceName: 'guarded',
    resourcePatternType: ResourcePatternTypes.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation: AclOperationTypes.READ,
    permissionType: AclPermissionTypes.ALLOW
  }
  const refusal = async (call: Promise<unknown>): Promise<unknown> => await call.then(() => 'accepted', (e: unknown) => e)

  it('describeAcls, createAcls and deleteAcls each fail with SECURITY_DISABLED', async () => {
    expect(await refusal(admin.describeAcls({ ...acl, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY }))).toMatchObject({ type: 'SECURITY_DISABLED' })
    expect(await refusal(admin.createAcls({ acl: [acl] }))).toMatchObject({ type: 'SECURITY_DISABLED' })
    expect(await refusal(admin.deleteAcls({ filters: [acl] }))).toMatchObject({ type: 'SECURITY_DISABLED' })
    // The connection is still good afterwards.
    expect(await admin.listTopics()).toBeInstanceOf(Array)
  })
})
