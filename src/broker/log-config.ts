// Effective per-topic configuration: a topic's own overrides over the broker's defaults (Kafka's
// synonyms: segment.bytes <- log.segment.bytes, ...), and the LogConfig the storage core needs.
import type { BrokerConfig } from '../config/broker-config.js'
import { parseSetting, topicConfigs, type SettingSpec } from '../config/settings.js'
import type { LogConfig } from '../storage/native.js'

export type ConfigSource = 'topic' | 'broker-default' | 'default'

export interface EffectiveConfig { name: string; value: string; source: ConfigSource; spec: SettingSpec }

/** Every topic config with its value and where the value comes from (DescribeConfigs). */
export function effectiveTopicConfigs (broker: BrokerConfig, overrides: Record<string, string>): EffectiveConfig[] {
  return Object.entries(topicConfigs).map(([name, { spec, brokerSynonym }]) => {
    const own = overrides[name]
    if (own !== undefined) return { name, value: own, source: 'topic', spec }
    if (brokerSynonym !== undefined) return { name, value: String(broker[brokerSynonym]), source: 'broker-default', spec }
    return { name, value: String(spec.default), source: 'default', spec }
  })
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
    retentionBytes: num('retention.bytes')
  }
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
