// The config APIs in their flexible versions through @platformatic/kafka 1.35: DescribeConfigs v4
// (config types, documentation, synonyms, per-resource errors), IncrementalAlterConfigs v1 (SET,
// DELETE, APPEND, SUBTRACT, validateOnly, refusals) and AlterConfigs v2. The Admin is used where it
// has the call; the raw API modules where a test needs each resource's error code and message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Admin, alterConfigsV2, Connection, describeConfigsV4, incrementalAlterConfigsV1 } from '@platformatic/kafka'
import { answer } from '../helpers/platformatic.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'

const TOPIC = 2
const BROKER = 4
const BROKER_LOGGER = 8
const SET = 0
const DELETE = 1
const APPEND = 2
const SUBTRACT = 3
const UNKNOWN_TOPIC_OR_PARTITION = 3
const INVALID_TOPIC_EXCEPTION = 17
const INVALID_CONFIG = 40
const INVALID_REQUEST = 42
const TOPIC_CONFIG = 1
const DEFAULT_CONFIG = 5
const TIMEOUT_MS = 10_000

let broker: RunningBroker
let admin: Admin
let connection: Connection

beforeAll(async () => {
  broker = await startBroker({ settings: { 'auto.create.topics.enable': false } })
  admin = new Admin({ clientId: 'sluice-admin-pk-configs', bootstrapBrokers: [broker.bootstrap], retries: 1, timeout: TIMEOUT_MS })
  connection = new Connection('sluice-admin-pk-configs-raw')
  await connection.connect(broker.host, broker.port)
})

afterAll(async () => {
  await connection?.close()
  await admin?.close()
  await broker?.stop()
})

async function create (topic: string, configs: Record<string, string> = {}): Promise<void> {
  await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1, configs: Object.entries(configs).map(([name, value]) => ({ name, value })) })
}

async function overrides (topic: string): Promise<Record<string, string | null | undefined>> {
  const [described] = await admin.describeConfigs({ resources: [{ resourceType: TOPIC, resourceName: topic }] })
  return Object.fromEntries((described?.configs ?? []).filter(c => c.configSource === TOPIC_CONFIG).map(c => [c.name, c.value]))
}

type Operation = { name: string, configOperation: typeof DELETE } | { name: string, configOperation: typeof SET | typeof APPEND | typeof SUBTRACT, value: string }

const alterTopic = (topic: string, configs: Operation[], validateOnly = false): Promise<void> =>
  admin.incrementalAlterConfigs({ validateOnly, resources: [{ resourceType: TOPIC, resourceName: topic, configs }] })

describe('DescribeConfigs v4', () => {
  it('gives each config its type, and its documentation and synonyms when asked', async () => {
    await create('pkc-typed', { 'cleanup.policy': 'compact' })
    const [described] = await admin.describeConfigs({ includeSynonyms: true, includeDocumentation: true, resources: [{ resourceType: TOPIC, resourceName: 'pkc-typed' }] })
    const configs = new Map(described?.configs.map(c => [c.name, c]))
    // BOOLEAN 1, STRING 2, INT 3, LONG 5, DOUBLE 6, LIST 7
    expect(['unclean.leader.election.enable', 'compression.type', 'min.insync.replicas', 'retention.ms', 'min.cleanable.dirty.ratio', 'cleanup.policy']
      .map(name => configs.get(name)?.configType)).toEqual([1, 2, 3, 5, 6, 7])
    expect(configs.get('cleanup.policy')).toMatchObject({
      value: 'compact',
      configSource: TOPIC_CONFIG,
      documentation: expect.stringMatching(/compact/),
      synonyms: [{ name: 'cleanup.policy', value: 'compact', source: TOPIC_CONFIG }, { name: 'log.cleanup.policy', value: 'delete', source: DEFAULT_CONFIG }]
    })
  })

  it('leaves documentation and synonyms out unless asked', async () => {
    await create('pkc-plain')
    const response = await describeConfigsV4.api.async(connection, [{ resourceType: TOPIC, resourceName: 'pkc-plain', configurationKeys: ['segment.bytes'] }], false, false)
    expect(response.results[0]?.configs).toEqual([expect.objectContaining({ name: 'segment.bytes', value: '1073741824', documentation: null, synonyms: [] })])
  })

  it('answers each resource on its own: unknown topic, illegal name, other broker ids, unsupported types', async () => {
    const resources = [
      { resourceType: TOPIC, resourceName: 'pkc-missing' },
      { resourceType: TOPIC, resourceName: 'no/slashes' },
      { resourceType: BROKER, resourceName: '' },
      { resourceType: BROKER, resourceName: '3' },
      { resourceType: BROKER, resourceName: 'first' },
      { resourceType: BROKER_LOGGER, resourceName: '0' }
    ] as const
    const response = await answer(describeConfigsV4.api.async(connection, [...resources], false, false))
    expect(response.results.map(r => [r.resourceName, r.errorCode, r.errorMessage, r.configs.length])).toEqual([
      ['pkc-missing', UNKNOWN_TOPIC_OR_PARTITION, null, 0],
      ['no/slashes', INVALID_TOPIC_EXCEPTION, expect.stringContaining('illegal'), 0],
      ['', 0, null, 0],
      ['3', INVALID_REQUEST, 'Unexpected broker id, expected 0 or empty string, but received 3', 0],
      ['first', INVALID_REQUEST, 'Broker id must be an integer, but it is: first', 0],
      ['0', INVALID_REQUEST, 'Unsupported resource type: 8', 0]
    ])
  })
})

describe('IncrementalAlterConfigs v1', () => {
  it('SET and DELETE change single configs and leave the others alone', async () => {
    await create('pkc-single', { 'retention.ms': '60000', 'segment.ms': '3600000' })
    await alterTopic('pkc-single', [{ name: 'retention.bytes', configOperation: SET, value: '4096' }, { name: 'segment.ms', configOperation: DELETE }])
    expect(await overrides('pkc-single')).toEqual({ 'retention.ms': '60000', 'retention.bytes': '4096' })
  })

  it('APPEND and SUBTRACT edit a list config, starting from its effective value', async () => {
    await create('pkc-lists')
    await alterTopic('pkc-lists', [{ name: 'cleanup.policy', configOperation: APPEND, value: 'compact' }])
    expect(await overrides('pkc-lists')).toEqual({ 'cleanup.policy': 'delete,compact' })
    await alterTopic('pkc-lists', [{ name: 'cleanup.policy', configOperation: SUBTRACT, value: 'delete' }])
    expect(await overrides('pkc-lists')).toEqual({ 'cleanup.policy': 'compact' })
  })

  it('validateOnly checks and changes nothing', async () => {
    await create('pkc-dry', { 'retention.ms': '60000' })
    await alterTopic('pkc-dry', [{ name: 'retention.ms', configOperation: SET, value: '120000' }], true)
    expect(await overrides('pkc-dry')).toEqual({ 'retention.ms': '60000' })
  })

  it('refuses, with the reason and changing nothing: APPEND to a non-list config, a key twice, a bad value', async () => {
    await create('pkc-refused', { 'retention.ms': '60000' })
    const alter = (configs: Operation[]): Promise<incrementalAlterConfigsV1.IncrementalAlterConfigsResponse> =>
      answer(incrementalAlterConfigsV1.api.async(connection, [{ resourceType: TOPIC, resourceName: 'pkc-refused', configs }], false))
    const refusals = [
      await alter([{ name: 'retention.ms', configOperation: APPEND, value: '5' }]),
      await alter([{ name: 'segment.ms', configOperation: SET, value: '1000' }, { name: 'segment.ms', configOperation: DELETE }]),
      await alter([{ name: 'retention.ms', configOperation: DELETE }, { name: 'segment.bytes', configOperation: SET, value: 'big' }])
    ]
    expect(refusals.map(r => [r.responses[0]?.errorCode, r.responses[0]?.errorMessage])).toEqual([
      [INVALID_CONFIG, 'Config value append is not allowed for config key: retention.ms'],
      [INVALID_REQUEST, 'Error due to duplicate config keys : segment.ms'],
      [INVALID_CONFIG, expect.stringContaining('segment.bytes')]
    ])
    expect(await overrides('pkc-refused')).toEqual({ 'retention.ms': '60000' })
  })

  it('a broker accepts DELETE of a dynamic config never set, and refuses a static one with Kafka\'s message', async () => {
    const alter = (configs: Operation[]): Promise<incrementalAlterConfigsV1.IncrementalAlterConfigsResponse> =>
      answer(incrementalAlterConfigsV1.api.async(connection, [{ resourceType: BROKER, resourceName: '0', configs }], true))
    expect((await alter([{ name: 'log.retention.ms', configOperation: DELETE }])).responses[0]?.errorCode).toBe(0)
    const refused = (await alter([{ name: 'log.dirs', configOperation: SET, value: '/tmp/elsewhere' }])).responses[0]
    expect(refused).toMatchObject({ errorCode: INVALID_REQUEST, errorMessage: 'Cannot update these configs dynamically: Set(log.dirs)' })
  })

  it('a resource named twice gets one INVALID_REQUEST and is not changed; the others are', async () => {
    await create('pkc-twice')
    await create('pkc-once')
    const set = (resourceName: string, value: string): incrementalAlterConfigsV1.IncrementalAlterConfigsRequestResource =>
      ({ resourceType: TOPIC, resourceName, configs: [{ name: 'retention.ms', configOperation: SET, value }] })
    const response = await answer(incrementalAlterConfigsV1.api.async(connection, [set('pkc-twice', '1000'), set('pkc-once', '2000'), set('pkc-twice', '3000')], false))
    expect(response.responses.map(r => [r.resourceName, r.errorCode])).toEqual([['pkc-once', 0], ['pkc-twice', INVALID_REQUEST]])
    expect(await overrides('pkc-twice')).toEqual({})
    expect(await overrides('pkc-once')).toEqual({ 'retention.ms': '2000' })
  })
})

describe('AlterConfigs v2', () => {
  it('replaces the overrides, and refuses a null value or an unknown topic', async () => {
    await create('pkc-replaced', { 'retention.ms': '60000' })
    await admin.alterConfigs({ resources: [{ resourceType: TOPIC, resourceName: 'pkc-replaced', configs: [{ name: 'segment.ms', value: '7200000' }] }] })
    expect(await overrides('pkc-replaced')).toEqual({ 'segment.ms': '7200000' })
    const response = await answer(alterConfigsV2.api.async(connection, [
      { resourceType: TOPIC, resourceName: 'pkc-replaced', configs: [{ name: 'retention.ms', value: null as unknown as string }] },
      { resourceType: TOPIC, resourceName: 'pkc-nowhere', configs: [] }
    ], false))
    expect(response.responses.map(r => [r.resourceName, r.errorCode, r.errorMessage])).toEqual([
      ['pkc-replaced', INVALID_REQUEST, 'Null value not supported for : retention.ms'],
      ['pkc-nowhere', UNKNOWN_TOPIC_OR_PARTITION, expect.stringContaining('pkc-nowhere')]
    ])
    expect(await overrides('pkc-replaced')).toEqual({ 'segment.ms': '7200000' })
  })
})
