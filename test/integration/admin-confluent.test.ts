// The admin APIs through the AdminClient of confluent-kafka-python 1.7.0 over librdkafka 2.0.2
// (driven by py/admin_confluent.py): describe_configs of a topic and of the broker, alter_configs,
// create_partitions. librdkafka picks its own, non-flexible versions and maps sources and flags in its
// own code, so this checks our answers against a third decoder.
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { has, runPython } from '../helpers/clients.js'

const SCRIPT = fileURLToPath(new URL('py/admin_confluent.py', import.meta.url))
const UNKNOWN_TOPIC_OR_PARTITION = 3
const INVALID_PARTITIONS = 37
const INVALID_CONFIG = 40
const INVALID_REQUEST = 42
const TOPIC_CONFIG = 1
const DYNAMIC_BROKER_CONFIG = 2
const STATIC_BROKER_CONFIG = 4
const DEFAULT_CONFIG = 5

interface Entry { value: string | null, source: number, read_only: boolean, default: boolean, sensitive: boolean, synonyms: Array<{ name: string, value: string | null, source: number }> }
interface Described { error: number, configs: Record<string, Entry> }

describe.skipIf(!has.confluentKafka)('admin through confluent-kafka 1.7.0 (librdkafka 2.0.2)', () => {
  let broker: RunningBroker

  beforeAll(async () => {
    broker = await startBroker({ settings: { 'auto.create.topics.enable': false, 'log.segment.bytes': 16_777_216 } })
  })

  afterAll(async () => {
    await broker?.stop()
  })

  const call = <T>(op: string, request: object): Promise<T> => runPython<T>('confluent_kafka', SCRIPT, { op, bootstrap: broker.bootstrap, ...request })

  async function create (name: string, partitions: number, configs: Record<string, string> = {}): Promise<void> {
    expect(await call('create_topics', { topics: [{ name, partitions, configs }] })).toEqual({ [name]: 0 })
  }

  it('describe_configs of a topic reports overrides, broker-set values and defaults with their sources', async () => {
    await create('ck-described', 1, { 'retention.ms': '60000' })
    const { error, configs } = await call<Described>('describe_configs', { type: 'topic', name: 'ck-described' })
    expect(error).toBe(0)
    expect(configs['retention.ms']).toMatchObject({ value: '60000', source: TOPIC_CONFIG, read_only: false, default: false, sensitive: false })
    expect(configs['segment.bytes']).toMatchObject({ value: '16777216', source: STATIC_BROKER_CONFIG })
    expect(configs['cleanup.policy']).toMatchObject({ value: 'delete', source: DEFAULT_CONFIG, default: true })
  })

  it('describe_configs of an unknown topic fails with UNKNOWN_TOPIC_OR_PARTITION', async () => {
    expect(await call<Described>('describe_configs', { type: 'topic', name: 'ck-nowhere' })).toEqual({ error: UNKNOWN_TOPIC_OR_PARTITION, configs: {} })
  })

  it('describe_configs of the broker lists its settings, read-only but the dynamic ones', async () => {
    const { error, configs } = await call<Described>('describe_configs', { type: 'broker', name: '0' })
    expect(error).toBe(0)
    expect(configs['log.segment.bytes']).toMatchObject({ value: '16777216', source: STATIC_BROKER_CONFIG, read_only: false })
    expect(configs['auto.create.topics.enable']).toMatchObject({ value: 'false', source: STATIC_BROKER_CONFIG, read_only: true })
    expect(configs['num.partitions']).toMatchObject({ value: '1', source: DEFAULT_CONFIG, read_only: true })
  })

  it('alter_configs replaces the overrides, and refuses a bad value without changing them', async () => {
    await create('ck-altered', 1, { 'retention.ms': '60000' })
    expect(await call('alter_configs', { type: 'topic', name: 'ck-altered', configs: { 'max.message.bytes': '2000000' } })).toEqual({ error: 0 })
    const after = (await call<Described>('describe_configs', { type: 'topic', name: 'ck-altered' })).configs
    expect(after['max.message.bytes']).toMatchObject({ value: '2000000', source: TOPIC_CONFIG })
    expect(after['retention.ms']?.source).not.toBe(TOPIC_CONFIG)
    expect(await call('alter_configs', { type: 'topic', name: 'ck-altered', configs: { 'compression.type': 'brotli' } })).toEqual({ error: INVALID_CONFIG })
    expect((await call<Described>('describe_configs', { type: 'topic', name: 'ck-altered' })).configs['compression.type']?.source).toBe(DEFAULT_CONFIG)
  })

  it('alter_configs of a broker setting Kafka does not change at run time is INVALID_REQUEST', async () => {
    expect(await call('alter_configs', { type: 'broker', name: '0', configs: { 'num.partitions': '4' } })).toEqual({ error: INVALID_REQUEST })
  })

  it('alter_configs of the broker sets a dynamic config, described as DYNAMIC_BROKER_CONFIG over the static value', async () => {
    expect(await call('alter_configs', { type: 'broker', name: '0', configs: { 'log.segment.bytes': '8388608' } })).toEqual({ error: 0 })
    const described = (await call<Described>('describe_configs', { type: 'broker', name: '0' })).configs['log.segment.bytes']
    expect(described).toMatchObject({ value: '8388608', source: DYNAMIC_BROKER_CONFIG, read_only: false })
    expect(await call('alter_configs', { type: 'broker', name: '0', configs: {} })).toEqual({ error: 0 })
    expect((await call<Described>('describe_configs', { type: 'broker', name: '0' })).configs['log.segment.bytes']?.source).toBe(STATIC_BROKER_CONFIG)
  })

  it('create_partitions grows a topic; validate_only and a shrinking count change nothing', async () => {
    await create('ck-grown', 2)
    expect(await call('create_partitions', { topic: 'ck-grown', count: 4, validate_only: true })).toEqual({ error: 0 })
    expect(await call('partitions', { topic: 'ck-grown' })).toEqual({ partitions: [0, 1] })
    expect(await call('create_partitions', { topic: 'ck-grown', count: 1 })).toEqual({ error: INVALID_PARTITIONS })
    expect(await call('create_partitions', { topic: 'ck-grown', count: 5 })).toEqual({ error: 0 })
    expect(await call('partitions', { topic: 'ck-grown' })).toEqual({ partitions: [0, 1, 2, 3, 4] })
  })
})
