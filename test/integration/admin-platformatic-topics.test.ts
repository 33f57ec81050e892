// The topic-level admin APIs in their flexible versions, through @platformatic/kafka 1.35: its Admin
// where it has the call, its raw API modules (createTopicsV7, deleteTopicsV6, createPartitionsV3,
// deleteRecordsV2, offsetForLeaderEpochV4, describeClusterV0/V1, describeTopicPartitionsV0) on one connection where a test
// needs the per-entry answers or a request the Admin cannot build.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  Admin, Connection, createPartitionsV3, createTopicsV7, deleteRecordsV2, deleteTopicsV6, describeClusterV0, describeClusterV1, describeTopicPartitionsV0, findCoordinatorV6,
  offsetForLeaderEpochV4, Producer, stringSerializers
} from '@platformatic/kafka'
import { answer } from '../helpers/platformatic.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'

const ZERO_UUID = '00000000-0000-0000-0000-000000000000'
const UNKNOWN_TOPIC_OR_PARTITION = 3
const OFFSET_OUT_OF_RANGE = 1
const INVALID_PARTITIONS = 37
const INVALID_REPLICA_ASSIGNMENT = 39
const INVALID_REQUEST = 42
const UNKNOWN_TOPIC_ID = 100
const MISMATCHED_ENDPOINT_TYPE = 114
const TOPIC_CONFIG = 1
const DEFAULT_CONFIG = 5
const TIMEOUT_MS = 10_000
const GROUP_KEY_TYPE = 0

let broker: RunningBroker
let admin: Admin
let producer: Producer<string, string, string, string>
let connection: Connection

beforeAll(async () => {
  broker = await startBroker({ settings: { 'auto.create.topics.enable': false, 'num.partitions': 1 } })
  const common = { bootstrapBrokers: [broker.bootstrap], retries: 1, timeout: TIMEOUT_MS }
  admin = new Admin({ clientId: 'sluice-admin-pk-topics', ...common })
  producer = new Producer({ clientId: 'sluice-admin-pk-producer', serializers: stringSerializers, autocreateTopics: false, ...common })
  connection = new Connection('sluice-admin-pk-raw')
  await connection.connect(broker.host, broker.port)
})

afterAll(async () => {
  await connection?.close()
  await producer?.close()
  await admin?.close()
  await broker?.stop()
})

async function produce (topic: string, count: number): Promise<void> {
  await producer.send({ messages: Array.from({ length: count }, (_, i) => ({ topic, partition: 0, value: `v${i}` })), acks: 1 })
}

const newTopic = (name: string, fields: object = {}): createTopicsV7.CreateTopicsRequestTopic =>
  ({ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [], ...fields })

describe('CreateTopics v7', () => {
  it('answers the new topic id, its counts and every resulting config with its source', async () => {
    const response = await createTopicsV7.api.async(connection, [newTopic('pk-created', { configs: [{ name: 'retention.ms', value: '60000' }] })], TIMEOUT_MS, false)
    const [created] = response.topics
    expect(created).toMatchObject({ name: 'pk-created', errorCode: 0, numPartitions: 1, replicationFactor: 1 })
    expect(created?.topicId).not.toBe(ZERO_UUID)
    expect((await admin.metadata({ topics: ['pk-created'] })).topics.get('pk-created')?.id).toBe(created?.topicId)
    const configs = new Map(created?.configs.map(c => [c.name, c]))
    expect(configs.get('retention.ms')).toMatchObject({ value: '60000', configSource: TOPIC_CONFIG, readOnly: false, isSensitive: false })
    expect(configs.get('cleanup.policy')).toMatchObject({ value: 'delete', configSource: DEFAULT_CONFIG })
  })

  it('validateOnly answers what would be created and creates nothing', async () => {
    const response = await createTopicsV7.api.async(connection, [newTopic('pk-dry', { numPartitions: 4 })], TIMEOUT_MS, true)
    expect(response.topics).toEqual([expect.objectContaining({ name: 'pk-dry', errorCode: 0, numPartitions: 4, topicId: ZERO_UUID })])
    expect(await admin.listTopics()).not.toContain('pk-dry')
  })

  it('a name given twice gets one INVALID_REQUEST answer and is not created; the others are', async () => {
    const response = await answer(createTopicsV7.api.async(connection, [newTopic('pk-twin'), newTopic('pk-single'), newTopic('pk-twin')], TIMEOUT_MS, false))
    expect(response.topics.map(t => [t.name, t.errorCode, t.errorMessage])).toEqual([['pk-single', 0, null], ['pk-twin', INVALID_REQUEST, 'Duplicate topic name.']])
    const topics = await admin.listTopics()
    expect(topics).toContain('pk-single')
    expect(topics).not.toContain('pk-twin')
  })

  it.each([
    ['with numPartitions set', { numPartitions: 1, assignments: [{ partitionIndex: 0, brokerIds: [0] }] }, INVALID_REQUEST, /numPartitions and replicationFactor must be -1/],
    ['out of order', { assignments: [{ partitionIndex: 1, brokerIds: [0] }, { partitionIndex: 0, brokerIds: [0] }] }, INVALID_REPLICA_ASSIGNMENT, /in order/],
    ['on two replicas', { assignments: [{ partitionIndex: 0, brokerIds: [0, 0] }] }, INVALID_REPLICA_ASSIGNMENT, /single broker 0/]
  ])('refuses manual assignments %s, saying why', async (what, fields, errorCode, message) => {
    const name = `pk-assigned-${what.replace(/\W+/g, '-')}`
    const response = await answer(createTopicsV7.api.async(connection, [newTopic(name, fields)], TIMEOUT_MS, false))
    expect(response.topics).toEqual([expect.objectContaining({ name, errorCode, errorMessage: expect.stringMatching(message), numPartitions: -1 })])
  })

  it('explains a refused config value: key, value and rule', async () => {
    const response = await answer(createTopicsV7.api.async(connection, [newTopic('pk-bad-config', { configs: [{ name: 'segment.ms', value: 'later' }] })], TIMEOUT_MS, false))
    expect(response.topics[0]?.errorMessage).toMatch(/segment\.ms.*later.*integer/)
  })
})

describe('DeleteTopics v6', () => {
  it('deletes a topic by id and answers its name', async () => {
    const [created] = await admin.createTopics({ topics: ['pk-by-id'], partitions: 1, replicas: 1 })
    const response = await deleteTopicsV6.api.async(connection, [{ name: null as unknown as string, topicId: created?.id ?? '' }], TIMEOUT_MS)
    expect(response.responses).toEqual([expect.objectContaining({ name: 'pk-by-id', topicId: created?.id, errorCode: 0 })])
    expect(await admin.listTopics()).not.toContain('pk-by-id')
  })

  it('an unknown id is UNKNOWN_TOPIC_ID, an unknown name UNKNOWN_TOPIC_OR_PARTITION, both at once INVALID_REQUEST', async () => {
    const [created] = await admin.createTopics({ topics: ['pk-named-twice'], partitions: 1, replicas: 1 })
    const unknownId = '6b0a3bd4-1f0e-4b8e-9d55-3f1b2f6f6a10'
    const response = await answer(deleteTopicsV6.api.async(connection, [
      { name: null as unknown as string, topicId: unknownId },
      { name: 'pk-never-made', topicId: ZERO_UUID },
      { name: 'pk-named-twice', topicId: created?.id ?? '' }
    ], TIMEOUT_MS))
    expect(response.responses.map(r => [r.name, r.errorCode])).toEqual([[null, UNKNOWN_TOPIC_ID], ['pk-never-made', UNKNOWN_TOPIC_OR_PARTITION], ['pk-named-twice', INVALID_REQUEST]])
    expect(await admin.listTopics()).toContain('pk-named-twice')
  })

  it('__consumer_offsets appears at the first group lookup, as in Kafka, and then cannot be deleted: INVALID_REQUEST, and it stays', async () => {
    expect(await admin.listTopics({ includeInternals: true })).not.toContain('__consumer_offsets')
    const found = await answer(findCoordinatorV6.api.async(connection, GROUP_KEY_TYPE, ['pk-first-group']))
    expect(found.coordinators).toEqual([expect.objectContaining({ key: 'pk-first-group', errorCode: 0, nodeId: expect.any(Number) })])
    expect(await admin.listTopics({ includeInternals: true })).toContain('__consumer_offsets')
    const response = await answer(deleteTopicsV6.api.async(connection, [{ name: '__consumer_offsets', topicId: ZERO_UUID }], TIMEOUT_MS))
    expect(response.responses).toEqual([expect.objectContaining({ name: '__consumer_offsets', errorCode: INVALID_REQUEST, errorMessage: expect.stringContaining('internal') })])
    expect(await admin.listTopics({ includeInternals: true })).toContain('__consumer_offsets')
  })
})

describe('CreatePartitions v3', () => {
  it('grows a topic with assignments on this broker, and refuses a wrong number of them with the reason', async () => {
    await admin.createTopics({ topics: ['pk-grown'], partitions: 1, replicas: 1 })
    const wrong = await answer(createPartitionsV3.api.async(connection, [{ name: 'pk-grown', count: 3, assignments: [{ brokerIds: [0] }] }], TIMEOUT_MS, false))
    expect(wrong.results).toEqual([expect.objectContaining({ errorCode: INVALID_REPLICA_ASSIGNMENT, errorMessage: expect.stringContaining('by 2 but 1') })])
    const grown = await createPartitionsV3.api.async(connection, [{ name: 'pk-grown', count: 3, assignments: [{ brokerIds: [0] }, { brokerIds: [0] }] }], TIMEOUT_MS, false)
    expect(grown.results).toEqual([expect.objectContaining({ name: 'pk-grown', errorCode: 0 })])
    expect((await admin.metadata({ topics: ['pk-grown'], forceUpdate: true })).topics.get('pk-grown')?.partitionsCount).toBe(3)
  })

  it('answers each topic on its own: unknown, not growing, duplicated', async () => {
    await admin.createTopics({ topics: ['pk-steady'], partitions: 2, replicas: 1 })
    const response = await answer(createPartitionsV3.api.async(connection, [
      { name: 'pk-nowhere', count: 2, assignments: null },
      { name: 'pk-steady', count: 2, assignments: null },
      { name: 'pk-doubled', count: 2, assignments: null },
      { name: 'pk-doubled', count: 3, assignments: null }
    ], TIMEOUT_MS, false))
    expect(response.results.map(r => [r.name, r.errorCode, r.errorMessage])).toEqual([
      ['pk-nowhere', UNKNOWN_TOPIC_OR_PARTITION, expect.any(String)],
      ['pk-steady', INVALID_PARTITIONS, 'Topic already has 2 partitions.'],
      ['pk-doubled', INVALID_REQUEST, 'Duplicate topic name.']
    ])
  })
})

describe('DeleteRecords v2', () => {
  it('answers the new low watermark, and OFFSET_OUT_OF_RANGE beyond the high watermark', async () => {
    await admin.createTopics({ topics: ['pk-trimmed'], partitions: 1, replicas: 1 })
    await produce('pk-trimmed', 8)
    const [deleted] = await admin.deleteRecords({ topics: [{ name: 'pk-trimmed', partitions: [{ partition: 0, offset: 5n }] }] })
    expect(deleted?.partitions).toEqual([{ partition: 0, lowWatermark: 5n }])
    const beyond = await answer(deleteRecordsV2.api.async(connection, [{ name: 'pk-trimmed', partitions: [{ partitionIndex: 0, offset: 9n }, { partitionIndex: 4, offset: 0n }] }], TIMEOUT_MS))
    expect(beyond.topics[0]?.partitions.map(p => [p.partitionIndex, p.errorCode, p.lowWatermark])).toEqual([[0, OFFSET_OUT_OF_RANGE, -1n], [4, UNKNOWN_TOPIC_OR_PARTITION, -1n]])
  })

  it('an offset below the log start changes nothing and answers the current log start', async () => {
    await admin.createTopics({ topics: ['pk-trim-twice'], partitions: 1, replicas: 1 })
    await produce('pk-trim-twice', 6)
    await admin.deleteRecords({ topics: [{ name: 'pk-trim-twice', partitions: [{ partition: 0, offset: 4n }] }] })
    const [again] = await admin.deleteRecords({ topics: [{ name: 'pk-trim-twice', partitions: [{ partition: 0, offset: 2n }] }] })
    expect(again?.partitions).toEqual([{ partition: 0, lowWatermark: 4n }])
  })
})

describe('DescribeLogDirs v4', () => {
  it('answers the data directory, the size of each asked partition that exists and the volume\'s bytes', async () => {
    await admin.createTopics({ topics: ['pk-sized'], partitions: 2, replicas: 1 })
    await produce('pk-sized', 5)
    const [described] = await admin.describeLogDirs({ topics: [{ name: 'pk-sized', partitions: [0, 1, 7] }, { name: 'pk-no-such-topic', partitions: [0] }] })
    expect(described?.results).toHaveLength(1)
    const dir = described!.results[0]!
    expect(dir.logDir).toBe(broker.dataDir)
    expect(dir.totalBytes).toBeGreaterThan(0n)
    expect(dir.usableBytes).toBeGreaterThan(0n)
    expect(dir.usableBytes).toBeLessThanOrEqual(dir.totalBytes)
    // Unknown topics and partitions are left out, as Kafka leaves them out.
    expect(dir.topics.map(t => t.name)).toEqual(['pk-sized'])
    const partitions = dir.topics[0]!.partitions
    expect(partitions.map(p => [p.partitionIndex, p.offsetLag, p.isFutureKey])).toEqual([[0, 0n, false], [1, 0n, false]])
    // Five records of a few bytes each in one batch: more than a batch header, less than a segment's preallocation.
    expect(partitions[0]!.partitionSize).toBeGreaterThan(61n)
    expect(partitions[0]!.partitionSize).toBeLessThan(4096n)
    expect(partitions[1]!.partitionSize).toBe(0n)
  })
})

// Error answers are checked in admin-wire.test.ts: @platformatic/kafka 1.35 reads EpochEndOffset as
// partition, errorCode (the spec's order is errorCode, partition), which only all-zero prefixes survive.
describe('OffsetForLeaderEpoch v4', () => {
  const ask = (topic: string, partitions: Array<{ partitionIndex: number, currentLeaderEpoch: number, leaderEpoch: number }>) =>
    answer(offsetForLeaderEpochV4.api.async(connection, -1, [{ name: topic, partitions }]))

  it('epoch 0 ends at the log end offset, also before the first append and after DeleteRecords', async () => {
    await admin.createTopics({ topics: ['pk-epochs'], partitions: 1, replicas: 1 })
    const endOf = async (): Promise<unknown> => (await ask('pk-epochs', [{ partitionIndex: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }])).topics[0]?.partitions[0]
    expect(await endOf()).toEqual({ partition: 0, errorCode: 0, leaderEpoch: 0, endOffset: 0n })
    await produce('pk-epochs', 5)
    expect(await endOf()).toEqual({ partition: 0, errorCode: 0, leaderEpoch: 0, endOffset: 5n })
    await admin.deleteRecords({ topics: [{ name: 'pk-epochs', partitions: [{ partition: 0, offset: 5n }] }] })
    expect(await endOf()).toEqual({ partition: 0, errorCode: 0, leaderEpoch: 0, endOffset: 5n })
  })
})

describe('DescribeCluster', () => {
  it('v1 answers the cluster id and this broker, as controller, at its advertised address', async () => {
    const metadata = await admin.metadata({ topics: [] })
    const response = await describeClusterV1.api.async(connection, false, 1)
    expect(response).toMatchObject({ errorCode: 0, endpointType: 1, clusterId: metadata.id, controllerId: 0, clusterAuthorizedOperations: -2147483648 })
    expect(response.brokers).toEqual([{ brokerId: 0, host: broker.host, port: broker.port, rack: null }])
  })

  it('v0 answers the same, and the cluster operations when asked for them', async () => {
    const response = await describeClusterV0.api.async(connection, true, 1)
    expect(response.brokers).toEqual([{ brokerId: 0, host: broker.host, port: broker.port, rack: null }])
    // CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE
    expect(response.clusterAuthorizedOperations).toBe([5, 7, 8, 9, 10, 11, 12].reduce((bits, op) => bits | (1 << op), 0))
  })

  it('asking a broker for controller endpoints is MISMATCHED_ENDPOINT_TYPE', async () => {
    const response = await answer(describeClusterV1.api.async(connection, false, 2))
    expect(response).toMatchObject({ errorCode: MISMATCHED_ENDPOINT_TYPE, brokers: [] })
  })
})

describe('DescribeTopicPartitions v0', () => {
  const ask = async (names: string[], limit: number, cursor?: { topicName: string, partitionIndex: number }): Promise<describeTopicPartitionsV0.DescribeTopicPartitionsResponse> =>
    await answer(describeTopicPartitionsV0.api.async(connection, names.map(name => ({ name })), limit, cursor))
  /** Each topic as `name:error:[partitions]`. */
  const pages = (response: describeTopicPartitionsV0.DescribeTopicPartitionsResponse): string[] =>
    response.topics.map(t => `${t.name ?? ''}:${t.errorCode}:[${t.partitions.map(p => p.partitionIndex).join(',')}]`)
  // READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS
  const TOPIC_OPERATIONS = [3, 4, 5, 6, 7, 8, 10, 11].reduce((bits, op) => bits | (1 << op), 0)

  beforeAll(async () => {
    await admin.createTopics({ topics: ['dtp-a'], partitions: 3, replicas: 1 })
    await admin.createTopics({ topics: ['dtp-b'], partitions: 2, replicas: 1 })
  })

  it('answers the named topics in name order with their ids and partitions, unknown ones with UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const metadata = await admin.metadata({ topics: ['dtp-a', 'dtp-b'] })
    const response = await ask(['dtp-b', 'dtp-missing', 'dtp-a'], 2000)
    expect(pages(response)).toEqual(['dtp-a:0:[0,1,2]', 'dtp-b:0:[0,1]', `dtp-missing:${UNKNOWN_TOPIC_OR_PARTITION}:[]`])
    expect(response.topics[0]).toMatchObject({ topicId: metadata.topics.get('dtp-a')?.id, isInternal: false, topicAuthorizedOperations: TOPIC_OPERATIONS })
    expect(response.topics[2]?.topicId).toBe(ZERO_UUID)
    expect(response.topics[0]?.partitions[1]).toMatchObject({ errorCode: 0, leaderId: 0, leaderEpoch: 0, replicaNodes: [0], isrNodes: [0], offlineReplicas: [] })
    expect(response.nextCursor).toBeUndefined()
  })

  it('pages by ResponsePartitionLimit: the cursor points inside a topic cut short, or at the next topic when a page ends with one', async () => {
    const first = await ask(['dtp-a', 'dtp-b'], 4)
    expect(pages(first)).toEqual(['dtp-a:0:[0,1,2]', 'dtp-b:0:[0]'])
    expect(first.nextCursor).toEqual({ topicName: 'dtp-b', partitionIndex: 1 })
    const second = await ask(['dtp-a', 'dtp-b'], 4, first.nextCursor)
    expect(pages(second)).toEqual(['dtp-b:0:[1]'])
    expect(second.nextCursor).toBeUndefined()
    const exact = await ask(['dtp-a', 'dtp-b'], 3)
    expect(pages(exact)).toEqual(['dtp-a:0:[0,1,2]'])
    expect(exact.nextCursor).toEqual({ topicName: 'dtp-b', partitionIndex: 0 })
  })

  it('no topics named means every topic; a cursor topic missing from the names is INVALID_REQUEST', async () => {
    const all = await ask([], 2000)
    const names = all.topics.map(t => t.name ?? '')
    expect(names).toEqual([...names].sort())
    expect(pages(all)).toEqual(expect.arrayContaining(['dtp-a:0:[0,1,2]', 'dtp-b:0:[0,1]']))
    const fromCursor = await ask([], 2000, { topicName: 'dtp-a', partitionIndex: 2 })
    expect(pages(fromCursor).slice(0, 2)).toEqual(['dtp-a:0:[2]', 'dtp-b:0:[0,1]'])
    const refused = await ask(['dtp-a'], 2000, { topicName: 'dtp-b', partitionIndex: 0 })
    expect(pages(refused)).toEqual([`dtp-a:${INVALID_REQUEST}:[]`])
  })
})
