// Effective per-topic configuration: a topic's own overrides over the broker's defaults (Kafka's
// synonyms: segment.bytes <- log.segment.bytes, ...), and the LogConfig the storage core needs.
import { givenCoarserSettings, type BrokerConfig } from '../config/broker-config.js'
import { brokerSettings, coarserSettings, parseSetting, topicConfigs, type BrokerSettingName, type SettingSpec } from '../config/settings.js'
import type { LifecycleConfig, LogConfig } from '../storage/native.js'
import type { BrokerLayers } from './dynamic-broker-configs.js'

export type ConfigSource = 'topic' | 'broker-default' | 'default'

export interface EffectiveConfig { name: string; value: string; source: ConfigSource; spec: SettingSpec }

/** Every topic config with its value and where the value comes from (DescribeConfigs). */
export function effectiveTopicConfigs (broker: BrokerConfig, overrides: Record<string, string>): EffectiveConfig[] {
  return Object.entries(topicConfigs).map(([name, { spec, brokerSynonym }]) => {
    const own = overrides[name]
    if (own !== undefined) return { name, value: own, source: 'topic', spec }
    if (brokerSynonym !== undefined) return { name, value: settingText(broker[brokerSynonym], spec), source: 'broker-default', spec }
    return { name, value: settingText(spec.default, spec), source: 'default', spec }
  })
}

/** Kafka's Long.MAX_VALUE, which Sluice holds as Number.MAX_SAFE_INTEGER ("never", "no limit"). */
const LONG_MAX_TEXT = '9223372036854775807'

/** A setting's value as DescribeConfigs shows it: a long at "no limit" reads as Kafka's Long.MAX_VALUE. */
function settingText (value: string | number | boolean, spec: SettingSpec): string {
  return spec.type === 'long' && typeof value === 'number' && value >= Number.MAX_SAFE_INTEGER ? LONG_MAX_TEXT : String(value)
}

/** Kafka's ConfigSource ids, as DescribeConfigs (v1+) and CreateTopics (v5+) report them. */
export const ConfigSourceId = { DYNAMIC_TOPIC_CONFIG: 1, DYNAMIC_BROKER_CONFIG: 2, DYNAMIC_DEFAULT_BROKER_CONFIG: 3, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const

/** No dynamic broker configs: `broker` as given at start. */
function staticLayers (broker: BrokerConfig): BrokerLayers {
  return { static: broker, perBroker: {}, clusterDefault: {} }
}

export interface ConfigSynonym { name: string; value: string | null; source: number }

/** A config as DescribeConfigs shows it: `synonyms` are every source that could supply the value, highest precedence first; the first one supplies it. */
export interface DescribedConfig { name: string; value: string | null; source: number; synonyms: ConfigSynonym[]; spec: SettingSpec }

/**
 * Every topic config of a topic with these overrides, with Kafka's source ids and synonyms. `broker`
 * holds the values in force, `layers` where they come from (dynamic broker configs).
 */
export function describeTopicConfigs (broker: BrokerConfig, overrides: Record<string, string>, layers = staticLayers(broker)): DescribedConfig[] {
  return effectiveTopicConfigs(broker, overrides).map(({ name, value, source, spec }) => {
    const brokerSynonym = topicConfigs[name]?.brokerSynonym
    const synonyms: ConfigSynonym[] = source === 'topic' ? [{ name, value, source: ConfigSourceId.DYNAMIC_TOPIC_CONFIG }] : []
    const kafkaSynonym = KAFKA_BROKER_SYNONYMS[name]
    if (brokerSynonym !== undefined) synonyms.push(...describeBrokerSetting(layers, brokerSynonym).synonyms)
    else if (kafkaSynonym !== undefined) synonyms.push({ name: kafkaSynonym, value: settingText(spec.default, spec), source: ConfigSourceId.DEFAULT_CONFIG })
    return { name, value, source: synonyms[0]?.source ?? ConfigSourceId.DEFAULT_CONFIG, synonyms, spec }
  })
}

/**
 * The Kafka broker setting (ServerTopicConfigSynonyms) that supplies the default of a topic config
 * Sluice has no broker setting for; the default synonym carries its name. Topic configs absent here
 * and without a Sluice broker setting have no synonym in Kafka either (the throttled-replica lists,
 * remote storage switches, message.downconversion.enable; segment.jitter.ms's log.roll.jitter.ms has
 * no default), so their source is DEFAULT_CONFIG with no synonyms.
 */
const KAFKA_BROKER_SYNONYMS: Partial<Record<string, string>> = {
  'delete.retention.ms': 'log.cleaner.delete.retention.ms',
  'min.compaction.lag.ms': 'log.cleaner.min.compaction.lag.ms',
  'max.compaction.lag.ms': 'log.cleaner.max.compaction.lag.ms',
  'min.cleanable.dirty.ratio': 'log.cleaner.min.cleanable.ratio',
  'file.delete.delay.ms': 'log.segment.delete.delay.ms',
  'segment.index.bytes': 'log.index.size.max.bytes',
  preallocate: 'log.preallocate',
  'message.format.version': 'log.message.format.version',
  'local.retention.ms': 'log.local.retention.ms',
  'local.retention.bytes': 'log.local.retention.bytes',
  'unclean.leader.election.enable': 'unclean.leader.election.enable',
  'min.insync.replicas': 'min.insync.replicas',
  'compression.gzip.level': 'compression.gzip.level',
  'compression.lz4.level': 'compression.lz4.level',
  'compression.zstd.level': 'compression.zstd.level'
}

/**
 * Every broker setting with its value and source, Kafka's coarser spellings of the time settings
 * (log.retention.hours, ...), and the dynamic configs Sluice has no setting for.
 */
export function describeBrokerSettings (layers: BrokerLayers): DescribedConfig[] {
  const others = new Set([...Object.keys(layers.perBroker), ...Object.keys(layers.clusterDefault)]
    .filter(name => (brokerSettings as Record<string, unknown>)[name] === undefined))
  return [
    ...(Object.keys(brokerSettings) as BrokerSettingName[]).map(name => describeBrokerSetting(layers, name)),
    ...Object.keys(coarserSettings).map(name => describeCoarserSetting(layers.static, name)),
    ...[...others].map(name => withDynamic(layers, name, UNTYPED_SPEC, { name, value: null, source: ConfigSourceId.DEFAULT_CONFIG, synonyms: [], spec: UNTYPED_SPEC }))
  ]
}

/** The cluster-wide dynamic defaults (broker resource ""), as Kafka describes them: those alone. */
export function describeClusterDefaults (layers: BrokerLayers): DescribedConfig[] {
  return Object.entries(layers.clusterDefault).map(([name, value]) => {
    const spec = (brokerSettings as Record<string, SettingSpec>)[name] ?? UNTYPED_SPEC
    const synonym = { name, value, source: ConfigSourceId.DYNAMIC_DEFAULT_BROKER_CONFIG }
    return { name, value, source: synonym.source, synonyms: [synonym], spec }
  })
}

/** A dynamic config Sluice has no setting for (and so no effect): Kafka's custom configs. */
const UNTYPED_SPEC: SettingSpec = { type: 'string', default: '', doc: 'a dynamic broker config without effect on Sluice' }

function describeBrokerSetting (layers: BrokerLayers, name: BrokerSettingName): DescribedConfig {
  return withDynamic(layers, name, brokerSettings[name], describeStaticSetting(layers.static, name))
}

/** A described setting under its dynamic values, if any: this broker's first, then the cluster default. */
function withDynamic (layers: BrokerLayers, name: string, spec: SettingSpec, described: DescribedConfig): DescribedConfig {
  const dynamic: ConfigSynonym[] = []
  const own = layers.perBroker[name]
  const fallback = layers.clusterDefault[name]
  if (own !== undefined) dynamic.push({ name, value: own, source: ConfigSourceId.DYNAMIC_BROKER_CONFIG })
  if (fallback !== undefined) dynamic.push({ name, value: fallback, source: ConfigSourceId.DYNAMIC_DEFAULT_BROKER_CONFIG })
  if (dynamic.length === 0) return described
  const synonyms = [...dynamic, ...described.synonyms]
  return { name, value: dynamic[0]?.value ?? null, source: dynamic[0]?.source ?? described.source, synonyms, spec }
}

function describeStaticSetting (broker: BrokerConfig, name: BrokerSettingName): DescribedConfig {
  const spec: SettingSpec = brokerSettings[name]
  const value = settingText(broker[name], spec)
  const chain = TIME_SYNONYMS[name]
  if (chain !== undefined) {
    // The value in effect, where Kafka answers null when only a coarser spelling was given.
    const synonyms = chainSynonyms(broker, name, chain)
    return { name, value, source: synonyms[0]?.source ?? ConfigSourceId.DEFAULT_CONFIG, synonyms, spec }
  }
  const synonyms: ConfigSynonym[] = [{ name, value: settingText(spec.default, spec), source: ConfigSourceId.DEFAULT_CONFIG }]
  // BrokerConfig keeps values, not where they came from: a setting given at its default value reads as a default.
  if (broker[name] !== spec.default) synonyms.unshift({ name, value, source: ConfigSourceId.STATIC_BROKER_CONFIG })
  return { name, value, source: synonyms[0]?.source ?? ConfigSourceId.DEFAULT_CONFIG, synonyms, spec }
}

/**
 * Kafka's broker synonyms of log.retention.ms and log.roll.ms, highest precedence first
 * (DynamicBrokerConfig.brokerConfigSynonyms), each with Kafka's default: null where it has none.
 */
const TIME_SYNONYMS: Partial<Record<string, ReadonlyArray<{ name: string, kafkaDefault: number | null }>>> = {
  'log.retention.ms': [{ name: 'log.retention.ms', kafkaDefault: null }, { name: 'log.retention.minutes', kafkaDefault: null }, { name: 'log.retention.hours', kafkaDefault: 168 }],
  'log.roll.ms': [{ name: 'log.roll.ms', kafkaDefault: null }, { name: 'log.roll.hours', kafkaDefault: 168 }]
}
/** Type and documentation of the coarser spellings; `default` goes unread (Kafka's are in TIME_SYNONYMS). */
const COARSER_SPECS: Record<string, SettingSpec> = {
  'log.retention.minutes': { type: 'int', default: -1, doc: 'log.retention.ms in minutes, used when log.retention.ms is not set' },
  'log.retention.hours': { type: 'int', default: 168, doc: 'log.retention.ms in hours, used when neither log.retention.ms nor log.retention.minutes is set' },
  'log.roll.hours': { type: 'int', default: 168, doc: 'log.roll.ms in hours, used when log.roll.ms is not set' }
}

/** A coarser spelling as Kafka describes it: its given value or Kafka's default (null for minutes). */
function describeCoarserSetting (broker: BrokerConfig, name: string): DescribedConfig {
  const target = coarserSettings[name]?.target ?? ''
  const link = TIME_SYNONYMS[target]?.find(s => s.name === name) ?? { name, kafkaDefault: null }
  const synonyms = chainSynonyms(broker, name, [link])
  const value = synonyms[0]?.value ?? null
  return { name, value, source: synonyms[0]?.source ?? ConfigSourceId.DEFAULT_CONFIG, synonyms, spec: COARSER_SPECS[name] ?? { type: 'int', default: 0, doc: '' } }
}

/**
 * Kafka's ConfigHelper.configSynonyms over a chain: the names given at start, then the names with a
 * Kafka default, each in chain order, dropping everything before the first entry named `describing`:
 * so retention.ms has no synonyms (and DEFAULT_CONFIG as its source) unless log.retention.ms was given.
 */
function chainSynonyms (broker: BrokerConfig, describing: string, chain: ReadonlyArray<{ name: string, kafkaDefault: number | null }>): ConfigSynonym[] {
  const coarser = givenCoarserSettings(broker)
  const givenText = (name: string): string | null => {
    const units = coarser[name]?.units
    if (units !== undefined) return String(units)
    const target = name as BrokerSettingName
    // A millisecond setting a coarser spelling set was not given itself.
    const fromCoarser = Object.entries(coarser).some(([key, given]) => given.applied && coarserSettings[key]?.target === target)
    return brokerSettings[target] !== undefined && broker[target] !== brokerSettings[target].default && !fromCoarser
      ? settingText(broker[target], brokerSettings[target])
      : null
  }
  const all: ConfigSynonym[] = []
  for (const { name } of chain) {
    const value = givenText(name)
    if (value !== null) all.push({ name, value, source: ConfigSourceId.STATIC_BROKER_CONFIG })
  }
  for (const { name, kafkaDefault } of chain) {
    if (kafkaDefault !== null) all.push({ name, value: String(kafkaDefault), source: ConfigSourceId.DEFAULT_CONFIG })
  }
  const first = all.findIndex(s => s.name === describing)
  return first < 0 ? [] : all.slice(first)
}

/** One effective topic config value, typed. */
export function topicSetting (broker: BrokerConfig, overrides: Record<string, string>, name: string): string | number | boolean {
  const entry = topicConfigs[name]
  if (entry === undefined) throw new Error(`not a topic config: ${name}`)
  const own = overrides[name]
  if (own !== undefined) return parseSetting(name, entry.spec, own)
  return entry.brokerSynonym !== undefined ? broker[entry.brokerSynonym] : entry.spec.default
}

export function logConfigFor (broker: BrokerConfig, overrides: Record<string, string>): LogConfig {
  const num = (name: string): number => topicSetting(broker, overrides, name) as number
  return {
    segmentBytes: num('segment.bytes'),
    segmentMs: num('segment.ms'),
    indexIntervalBytes: num('index.interval.bytes'),
    retentionMs: num('retention.ms'),
    retentionBytes: num('retention.bytes'),
    lifecycle: {
      cleanupPolicy: cleanupPolicy(String(topicSetting(broker, overrides, 'cleanup.policy'))),
      deleteRetentionMs: num('delete.retention.ms'),
      minCompactionLagMs: num('min.compaction.lag.ms'),
      maxCompactionLagMs: num('max.compaction.lag.ms'),
      minCleanableDirtyRatio: num('min.cleanable.dirty.ratio'),
      flushMessages: num('flush.messages'),
      flushMs: num('flush.ms')
    }
  }
}

function cleanupPolicy (value: string): LifecycleConfig['cleanupPolicy'] {
  const parts = new Set(value.split(',').map((p) => p.trim()))
  if (parts.has('compact')) return parts.has('delete') ? 'compact,delete' : 'compact'
  return 'delete'
}

/** Validates a set of topic config overrides; throws ConfigError naming the bad one. */
export function validateTopicConfigs (configs: Record<string, string>): void {
  for (const [name, value] of Object.entries(configs)) {
    const entry = topicConfigs[name]
    if (entry === undefined) throw new UnknownConfigError(name)
    parseSetting(name, entry.spec, value)
  }
}

export class UnknownConfigError extends Error {
  constructor (readonly key: string) {
    super(`Unknown topic config name: ${key}`)
  }
}
