// DescribeConfigs of the time settings Kafka spells three ways (log.retention.ms / .minutes / .hours,
// log.roll.ms / .hours), on a broker started with the coarse spellings as a Kafka server.properties
// has them. As Kafka's ConfigHelper answers: the broker resource lists each spelling with the value it
// was given (or Kafka's default, null for log.retention.minutes), and a topic's retention.ms or
// segment.ms has synonyms only from log.retention.ms / log.roll.ms on: none here, so its source is
// DEFAULT_CONFIG although its value is the one the hours give; the other topic configs' defaults are
// named after Kafka's broker keys (log.cleaner.delete.retention.ms, ...). Through kafkajs (includeSynonyms) and
// confluent-kafka 1.7.0 (librdkafka asks for synonyms too).
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigResourceTypes, Kafka, logLevel, type Admin } from 'kafkajs'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { has, runPython } from '../helpers/clients.js'

const TOPIC_CONFIG = 1
const STATIC_BROKER_CONFIG = 4
const DEFAULT_CONFIG = 5
const FIVE_HOURS_MS = String(5 * 3_600_000)
const THREE_HOURS_MS = String(3 * 3_600_000)
const CONFLUENT_SCRIPT = fileURLToPath(new URL('py/admin_confluent.py', import.meta.url))

interface Entry { value: string | null, source: number, synonyms: Array<[string, string | null, number]> }

let broker: RunningBroker
let admin: Admin

beforeAll(async () => {
  broker = await startBroker({ settings: { 'auto.create.topics.enable': false, 'log.retention.hours': 5, 'log.roll.hours': 3 } })
  admin = new Kafka({ clientId: 'sluice-config-synonyms', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 1 } }).admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'syn-plain' }, { topic: 'syn-override', configEntries: [{ name: 'retention.ms', value: '60000' }] }] })
})

afterAll(async () => {
  await admin?.disconnect()
  await broker?.stop()
})

async function describeWithKafkajs (type: ConfigResourceTypes, name: string): Promise<Map<string, Entry>> {
  const described = await admin.describeConfigs({ includeSynonyms: true, resources: [{ type, name }] })
  return new Map((described.resources[0]?.configEntries ?? []).map(e => [e.configName, {
    value: e.configValue,
    source: e.configSource,
    synonyms: e.configSynonyms.map(s => [s.configName, s.configValue, s.configSource] as [string, string | null, number])
  }]))
}

describe('through kafkajs', () => {
  it('the broker resource lists the coarse spellings with their given values and Kafka\'s defaults', async () => {
    const configs = await describeWithKafkajs(ConfigResourceTypes.BROKER, '0')
    expect(configs.get('log.retention.hours')).toEqual({
      value: '5', source: STATIC_BROKER_CONFIG, synonyms: [['log.retention.hours', '5', STATIC_BROKER_CONFIG], ['log.retention.hours', '168', DEFAULT_CONFIG]]
    })
    expect(configs.get('log.retention.minutes')).toEqual({ value: null, source: DEFAULT_CONFIG, synonyms: [] })
    expect(configs.get('log.roll.hours')).toEqual({
      value: '3', source: STATIC_BROKER_CONFIG, synonyms: [['log.roll.hours', '3', STATIC_BROKER_CONFIG], ['log.roll.hours', '168', DEFAULT_CONFIG]]
    })
    // The value in effect; not given itself, so no synonyms and the default's source.
    expect(configs.get('log.retention.ms')).toEqual({ value: FIVE_HOURS_MS, source: DEFAULT_CONFIG, synonyms: [] })
  })

  it('a topic\'s retention.ms and segment.ms take the hours\' value, with Kafka\'s sources and synonyms', async () => {
    const plain = await describeWithKafkajs(ConfigResourceTypes.TOPIC, 'syn-plain')
    expect(plain.get('retention.ms')).toEqual({ value: FIVE_HOURS_MS, source: DEFAULT_CONFIG, synonyms: [] })
    expect(plain.get('segment.ms')).toEqual({ value: THREE_HOURS_MS, source: DEFAULT_CONFIG, synonyms: [] })
    // Defaults Sluice has no broker setting for are named after Kafka's broker key, or have none, as in Kafka.
    expect(plain.get('delete.retention.ms')).toEqual({ value: '86400000', source: DEFAULT_CONFIG, synonyms: [['log.cleaner.delete.retention.ms', '86400000', DEFAULT_CONFIG]] })
    expect(plain.get('min.insync.replicas')?.synonyms).toEqual([['min.insync.replicas', '1', DEFAULT_CONFIG]])
    expect(plain.get('remote.storage.enable')).toEqual({ value: 'false', source: DEFAULT_CONFIG, synonyms: [] })
    expect(plain.get('segment.jitter.ms')).toEqual({ value: '0', source: DEFAULT_CONFIG, synonyms: [] })
    const override = await describeWithKafkajs(ConfigResourceTypes.TOPIC, 'syn-override')
    expect(override.get('retention.ms')).toEqual({ value: '60000', source: TOPIC_CONFIG, synonyms: [['retention.ms', '60000', TOPIC_CONFIG]] })
  })
})

describe.skipIf(!has.confluentKafka)('through confluent-kafka 1.7.0 (librdkafka 2.0.2)', () => {
  interface Described { error: number, configs: Record<string, { value: string | null, source: number, synonyms: Array<{ name: string, value: string | null, source: number }> }> }
  const describeWithConfluent = async (type: string, name: string): Promise<Described> =>
    await runPython<Described>('confluent_kafka', CONFLUENT_SCRIPT, { op: 'describe_configs', bootstrap: broker.bootstrap, type, name })

  // (confluent-kafka keys synonyms by name, so a name listed twice shows once; the sources are checked above.)
  it('describe_configs shows the same values and sources', async () => {
    const brokerConfigs = await describeWithConfluent('broker', '0')
    expect(brokerConfigs.error).toBe(0)
    expect(brokerConfigs.configs['log.retention.hours']).toMatchObject({ value: '5', source: STATIC_BROKER_CONFIG })
    expect(brokerConfigs.configs['log.retention.minutes']).toMatchObject({ value: null, source: DEFAULT_CONFIG })
    const topic = await describeWithConfluent('topic', 'syn-plain')
    expect(topic.configs['retention.ms']).toMatchObject({ value: FIVE_HOURS_MS, source: DEFAULT_CONFIG, synonyms: [] })
  })
})
