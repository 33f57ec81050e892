// Effective per-topic configuration: a topic's own overrides over the broker's defaults (Kafka's
// synonyms: segment.bytes <- log.segment.bytes, ...), and the LogConfig the storage core needs.
import type { BrokerConfig } from '../config/broker-config.js'
import { brokerSettings, parseSetting, topicConfigs, type BrokerSettingName, type SettingSpec } from '../config/settings.js'
import type { LifecycleConfig, LogConfig } from '../storage/native.js'

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
export const ConfigSourceId = { DYNAMIC_TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const

export interface ConfigSynonym { name: string; value: string; source: number }

/** A config as DescribeConfigs shows it: `synonyms` are every source that could supply the value, highest precedence first; the first one supplies it. */
export interface DescribedConfig { name: string; value: string; source: number; synonyms: ConfigSynonym[]; spec: SettingSpec }

/** Every topic config of a topic with these overrides, with Kafka's source ids and synonyms. */
export function describeTopicConfigs (broker: BrokerConfig, overrides: Record<string, string>): DescribedConfig[] {
  return effectiveTopicConfigs(broker, overrides).map(({ name, value, source, spec }) => {
    const brokerSynonym = topicConfigs[name]?.brokerSynonym
    const synonyms: ConfigSynonym[] = source === 'topic' ? [{ name, value, source: ConfigSourceId.DYNAMIC_TOPIC_CONFIG }] : []
    if (brokerSynonym !== undefined) synonyms.push(...describeBrokerSetting(broker, brokerSynonym).synonyms)
    else synonyms.push({ name, value: settingText(spec.default, spec), source: ConfigSourceId.DEFAULT_CONFIG })
    return { name, value, source: synonyms[0]?.source ?? ConfigSourceId.DEFAULT_CONFIG, synonyms, spec }
  })
}

/** Every broker setting with its value and source. All of them are static (set at start-up). */
export function describeBrokerSettings (broker: BrokerConfig): DescribedConfig[] {
  return (Object.keys(brokerSettings) as BrokerSettingName[]).map(name => describeBrokerSetting(broker, name))
}

function describeBrokerSetting (broker: BrokerConfig, name: BrokerSettingName): DescribedConfig {
  const spec: SettingSpec = brokerSettings[name]
  const value = settingText(broker[name], spec)
  const synonyms: ConfigSynonym[] = [{ name, value: settingText(spec.default, spec), source: ConfigSourceId.DEFAULT_CONFIG }]
  // BrokerConfig keeps values, not where they came from: a setting given at its default value reads as a default.
  if (broker[name] !== spec.default) synonyms.unshift({ name, value, source: ConfigSourceId.STATIC_BROKER_CONFIG })
  return { name, value, source: synonyms[0]?.source ?? ConfigSourceId.DEFAULT_CONFIG, synonyms, spec }
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
