// Dynamic broker configs (AlterConfigs / IncrementalAlterConfigs on broker resources) through kafkajs
// 2.2.4 and @platformatic/kafka: this broker's (resource '0') over the cluster default (resource ''),
// both over the static setting; DescribeConfigs' sources and synonyms; Kafka's refusals; the effect on
// topics without an override (and none on one with it); and a restart that keeps them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Admin as PlatformaticAdmin } from '@platformatic/kafka'
import { ConfigResourceTypes, Kafka, logLevel, type Admin, type Producer } from 'kafkajs'
import { startBroker, type RunningBroker } from '../helpers/broker.js'

const SET = 0
const DELETE = 1
const APPEND = 2
const BROKER = 4
const TOPIC_CONFIG = 1
const DYNAMIC_BROKER_CONFIG = 2
const DYNAMIC_DEFAULT_BROKER_CONFIG = 3
const STATIC_BROKER_CONFIG = 4
const DEFAULT_CONFIG = 5
const STATIC_RETENTION = '86400000'

let broker: RunningBroker
let admin: Admin
let producer: Producer
let platformatic: PlatformaticAdmin

async function connect (): Promise<void> {
  const kafka = new Kafka({ clientId: 'sluice-dyncfg', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50 } })
  admin = kafka.admin()
  producer = kafka.producer({ allowAutoTopicCreation: false })
  await admin.connect()
  await producer.connect()
  platformatic = new PlatformaticAdmin({ clientId: 'sluice-dyncfg-pk', bootstrapBrokers: [broker.bootstrap], retries: 1, timeout: 10_000 })
}

async function disconnect (): Promise<void> {
  await producer?.disconnect()
  await admin?.disconnect()
  await platformatic?.close()
}

beforeAll(async () => {
  broker = await startBroker({ settings: { 'auto.create.topics.enable': false, 'log.retention.ms': STATIC_RETENTION, 'log.retention.check.interval.ms': 200 } })
  await connect()
})

afterAll(async () => {
  await disconnect()
  await broker?.stop()
})

type Entry = { configValue: string, configSource: number, readOnly: boolean, configSynonyms: Array<{ configName: string, configValue: string, configSource: number }> }

async function describeResource (type: ConfigResourceTypes, name: string, configNames?: string[]): Promise<Map<string, Entry>> {
  const described = await admin.describeConfigs({ includeSynonyms: true, resources: [{ type, name, configNames }] })
  return new Map((described.resources[0]?.configEntries ?? []).map(e => [e.configName, e as Entry]))
}

/** AlterConfigs of a broker resource: kafkajs refuses the default resource's empty name itself, so @platformatic/kafka sends that one. */
async function alterBroker (name: string, entries: Record<string, string>, validateOnly = false): Promise<void> {
  const configs = Object.entries(entries).map(([n, value]) => ({ name: n, value }))
  if (name === '') await platformatic.alterConfigs({ validateOnly, resources: [{ resourceType: BROKER, resourceName: '', configs }] })
  else await admin.alterConfigs({ validateOnly, resources: [{ type: ConfigResourceTypes.BROKER, name, configEntries: configs }] })
}

/** The cluster defaults (broker resource ''): name to value and source. */
async function describeDefaults (): Promise<Array<[string, string | null | undefined, number]>> {
  const [described] = await platformatic.describeConfigs({ resources: [{ resourceType: BROKER, resourceName: '' }] })
  return (described?.configs ?? []).map(c => [c.name, c.value, c.configSource])
}

async function create (topic: string, configs: Record<string, string> = {}): Promise<void> {
  expect(await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }] })).toBe(true)
}

const synonyms = (entry: Entry | undefined): Array<[string, string, number]> => (entry?.configSynonyms ?? []).map(s => [s.configName, s.configValue, s.configSource])

describe('dynamic broker configs', () => {
  it('this broker\'s value beats the cluster default, which beats the static one; each shows its source and synonyms', async () => {
    await alterBroker('', { 'log.retention.ms': '7200000' })
    let configs = await describeResource(ConfigResourceTypes.BROKER, '0', ['log.retention.ms'])
    expect(configs.get('log.retention.ms')).toMatchObject({ configValue: '7200000', configSource: DYNAMIC_DEFAULT_BROKER_CONFIG, readOnly: false })
    expect(synonyms(configs.get('log.retention.ms'))[0]).toEqual(['log.retention.ms', '7200000', DYNAMIC_DEFAULT_BROKER_CONFIG])

    await alterBroker('0', { 'log.retention.ms': '3600000' })
    configs = await describeResource(ConfigResourceTypes.BROKER, '0', ['log.retention.ms'])
    expect(configs.get('log.retention.ms')).toMatchObject({ configValue: '3600000', configSource: DYNAMIC_BROKER_CONFIG })
    expect(synonyms(configs.get('log.retention.ms'))).toEqual([
      ['log.retention.ms', '3600000', DYNAMIC_BROKER_CONFIG],
      ['log.retention.ms', '7200000', DYNAMIC_DEFAULT_BROKER_CONFIG],
      ['log.retention.ms', STATIC_RETENTION, STATIC_BROKER_CONFIG],
      ['log.retention.hours', '168', DEFAULT_CONFIG]
    ])
    // The default resource describes the cluster defaults alone.
    expect(await describeDefaults()).toEqual([['log.retention.ms', '7200000', DYNAMIC_DEFAULT_BROKER_CONFIG]])

    // AlterConfigs replaces a scope's set: an empty set removes this broker's value.
    await alterBroker('0', {})
    await alterBroker('', {})
    configs = await describeResource(ConfigResourceTypes.BROKER, '0', ['log.retention.ms'])
    expect(configs.get('log.retention.ms')).toMatchObject({ configValue: STATIC_RETENTION, configSource: STATIC_BROKER_CONFIG })
  })

  it('a topic without its own override follows a dynamic log default at once; one with an override keeps it', async () => {
    await create('dyn-follows')
    await create('dyn-own', { 'max.message.bytes': '500000' })
    await alterBroker('0', { 'message.max.bytes': '2000', 'log.retention.ms': '5400000' })
    const follows = await describeResource(ConfigResourceTypes.TOPIC, 'dyn-follows', ['retention.ms', 'max.message.bytes'])
    expect(follows.get('retention.ms')).toMatchObject({ configValue: '5400000', configSource: DYNAMIC_BROKER_CONFIG })
    expect(follows.get('max.message.bytes')).toMatchObject({ configValue: '2000', configSource: DYNAMIC_BROKER_CONFIG })
    const own = await describeResource(ConfigResourceTypes.TOPIC, 'dyn-own', ['max.message.bytes'])
    expect(own.get('max.message.bytes')).toMatchObject({ configValue: '500000', configSource: TOPIC_CONFIG })
    expect(synonyms(own.get('max.message.bytes')).map(s => s[2])).toEqual([TOPIC_CONFIG, DYNAMIC_BROKER_CONFIG, DEFAULT_CONFIG])

    // The produce path applies the dynamic limit: a 5 kB record is too large for the topic that follows it.
    const big = { value: 'x'.repeat(5000) }
    await expect(producer.send({ topic: 'dyn-follows', acks: -1, messages: [big] })).rejects.toMatchObject({ type: 'MESSAGE_TOO_LARGE' })
    await producer.send({ topic: 'dyn-own', acks: -1, messages: [big] })

    // Removed, the static value applies again.
    await alterBroker('0', {})
    await producer.send({ topic: 'dyn-follows', acks: -1, messages: [big] })
    expect((await describeResource(ConfigResourceTypes.TOPIC, 'dyn-follows', ['retention.ms'])).get('retention.ms'))
      .toMatchObject({ configValue: STATIC_RETENTION, configSource: STATIC_BROKER_CONFIG })
  })

  it('the storage applies dynamic log defaults to existing topics: retention deletes segments of one without an override', async () => {
    await create('dyn-retained')
    await create('dyn-kept', { 'retention.bytes': '-1' })
    await alterBroker('0', { 'log.segment.bytes': '1024', 'log.retention.bytes': '2048' })
    for (let i = 0; i < 30; i++) {
      await producer.send({ topic: 'dyn-retained', acks: -1, messages: [{ value: 'r'.repeat(200) }] })
      await producer.send({ topic: 'dyn-kept', acks: -1, messages: [{ value: 'k'.repeat(200) }] })
    }
    const low = async (topic: string): Promise<number> => Number((await admin.fetchTopicOffsets(topic))[0]?.low)
    const deadline = Date.now() + 30_000
    while (await low('dyn-retained') === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100))
    expect(await low('dyn-retained')).toBeGreaterThan(0)
    expect(await low('dyn-kept')).toBe(0)
    await alterBroker('0', {})
  })

  it('refuses what Kafka does not change at run time, and a bad value; validateOnly changes nothing', async () => {
    await expect(alterBroker('0', { 'log.dirs': '/tmp/elsewhere', 'log.retention.ms': '1000' })).rejects.toMatchObject({ type: 'INVALID_REQUEST' })
    await expect(alterBroker('0', { 'log.retention.ms': 'soon' })).rejects.toMatchObject({ type: 'INVALID_REQUEST' })
    await expect(alterBroker('', { 'log.retention.ms': 'soon' })).rejects.toThrow()
    await alterBroker('0', { 'log.retention.ms': '1000' }, true)
    expect((await describeResource(ConfigResourceTypes.BROKER, '0', ['log.retention.ms'])).get('log.retention.ms')?.configSource).toBe(STATIC_BROKER_CONFIG)
  })

  it('IncrementalAlterConfigs sets, appends to and deletes single configs; a config Sluice gives no effect is stored like the rest', async () => {
    const alter = async (resourceName: string, configs: Array<{ name: string, configOperation: number, value?: string }>): Promise<void> => {
      await platformatic.incrementalAlterConfigs({ resources: [{ resourceType: BROKER, resourceName, configs: configs as never }] })
    }
    await alter('0', [{ name: 'log.cleanup.policy', configOperation: APPEND, value: 'compact' }, { name: 'sasl.kerberos.min.time.before.relogin', configOperation: SET, value: '58000' }])
    let configs = await describeResource(ConfigResourceTypes.BROKER, '0')
    expect(configs.get('log.cleanup.policy')).toMatchObject({ configValue: 'delete,compact', configSource: DYNAMIC_BROKER_CONFIG })
    expect(configs.get('sasl.kerberos.min.time.before.relogin')).toMatchObject({ configValue: '58000', configSource: DYNAMIC_BROKER_CONFIG })
    await alter('0', [{ name: 'log.cleanup.policy', configOperation: DELETE }])
    configs = await describeResource(ConfigResourceTypes.BROKER, '0')
    expect(configs.get('log.cleanup.policy')).toMatchObject({ configValue: 'delete', configSource: DEFAULT_CONFIG })
    expect(configs.get('sasl.kerberos.min.time.before.relogin')?.configValue).toBe('58000')
    await expect(alter('', [{ name: 'node.id', configOperation: SET, value: '3' }])).rejects.toThrow()
    // Kafka's per-broker configs are refused on the cluster default.
    await expect(alter('', [{ name: 'sasl.kerberos.min.time.before.relogin', configOperation: SET, value: '58000' }])).rejects.toThrow()
    expect(await describeDefaults()).toEqual([])
  })

  it('a restart keeps them, and applies them to the topics again', async () => {
    await create('dyn-restarted')
    await alterBroker('', { 'log.segment.bytes': '1048576', 'message.max.bytes': '3000' })
    await disconnect()
    await broker.restart()
    await connect()
    expect(await describeDefaults()).toEqual([['log.segment.bytes', '1048576', DYNAMIC_DEFAULT_BROKER_CONFIG], ['message.max.bytes', '3000', DYNAMIC_DEFAULT_BROKER_CONFIG]])
    expect((await describeResource(ConfigResourceTypes.TOPIC, 'dyn-restarted', ['segment.bytes'])).get('segment.bytes'))
      .toMatchObject({ configValue: '1048576', configSource: DYNAMIC_DEFAULT_BROKER_CONFIG })
    await expect(producer.send({ topic: 'dyn-restarted', acks: -1, messages: [{ value: 'x'.repeat(5000) }] })).rejects.toMatchObject({ type: 'MESSAGE_TOO_LARGE' })
  })
})
