// Dynamic broker configs (Kafka's KIP-226): set at run time by AlterConfigs / IncrementalAlterConfigs
// on a broker resource, for this broker (resource name: the node id) or as the cluster-wide default
// (resource name ""). Precedence: this broker's > the cluster default > static (start-up) > default
// value; DescribeConfigs shows them with sources DYNAMIC_BROKER_CONFIG and DYNAMIC_DEFAULT_BROKER_CONFIG.
// Kept in `<data dir>/broker-configs.json`, rewritten whole (temp file, fsync, rename) on every change,
// read at start.
// Which keys (Kafka's DynamicBrokerConfig):
//   - the log defaults Kafka's DynamicLogConfig reconfigures that Sluice has as settings (the broker
//     settings that supply a topic config's default) take effect at once: every topic without its own
//     override follows them (live config, re-applied to the partitions);
//   - Kafka-dynamic keys Sluice gives no effect at all (KAFKA_DYNAMIC_WITHOUT_EFFECT, and keys Sluice
//     does not know, which Kafka accepts as custom configs: sasl.kerberos.*, log.cleaner.io.*, ...) are
//     stored and described, without effect, as at start-up;
//   - every other setting Sluice knows is refused with Kafka's INVALID_REQUEST "Cannot update these
//     configs dynamically: Set(...)": Kafka's static ones, and the few Kafka reconfigures that Sluice
//     reads only at start (listeners, listener.name.*, log.retention.hours, ...).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { copyConfig, type BrokerConfig } from '../config/broker-config.js'
import { isListenerSetting } from '../config/listener-config.js'
import { brokerSettings, coarserSettings, ConfigError, parseSetting, settingsWithoutEffect, type BrokerSettingName, type SettingSpec } from '../config/settings.js'
import { ErrorCode, KafkaError } from '../protocol/errors.js'
import { writeFileDurably } from '../storage/durable-file.js'

export type Scope = 'broker' | 'default'

/** The broker settings applied at run time: those that are a topic config's default. */
export const APPLIED_DYNAMIC = new Set((Object.keys(brokerSettings) as BrokerSettingName[])
  .filter(name => (brokerSettings[name] as SettingSpec).topicConfig !== undefined))

/** Settings Kafka reconfigures at run time that have no effect on Sluice at all (settingsWithoutEffect). */
const KAFKA_DYNAMIC_WITHOUT_EFFECT = new Set([
  'log.index.size.max.bytes', 'log.roll.jitter.ms', 'log.roll.jitter.hours', 'log.segment.delete.delay.ms', 'log.preallocate',
  'log.message.downconversion.enable', 'compression.gzip.level', 'compression.lz4.level', 'compression.zstd.level',
  'unclean.leader.election.enable', 'min.insync.replicas', 'log.local.retention.ms', 'log.local.retention.bytes',
  'num.io.threads', 'num.network.threads', 'num.replica.fetchers', 'num.recovery.threads.per.data.dir', 'background.threads',
  'log.cleaner.threads', 'sasl.mechanism.inter.broker.protocol'
])

/**
 * Kafka's per-broker dynamic configs (DynamicListenerConfig's) that Sluice stores: refused on the
 * cluster default resource, as Kafka refuses them. The others are Sluice settings read at start.
 */
const PER_BROKER_ONLY = new Set([
  'sasl.mechanism.inter.broker.protocol', 'sasl.kerberos.service.name', 'sasl.kerberos.kinit.cmd', 'sasl.kerberos.ticket.renew.window.factor',
  'sasl.kerberos.ticket.renew.jitter', 'sasl.kerberos.min.time.before.relogin', 'sasl.kerberos.principal.to.local.rules',
  'sasl.login.refresh.window.factor', 'sasl.login.refresh.window.jitter', 'sasl.login.refresh.min.period.seconds',
  'sasl.login.refresh.buffer.seconds', 'principal.builder.class', 'ssl.engine.factory.class'
])

/** The layers under a broker setting's value, for DescribeConfigs. */
export interface BrokerLayers {
  static: BrokerConfig
  perBroker: Readonly<Record<string, string>>
  clusterDefault: Readonly<Record<string, string>>
}

interface Saved { default: Record<string, string>, brokers: Record<string, Record<string, string>> }

export class DynamicBrokerConfigs {
  private saved: Saved = { default: {}, brokers: {} }
  /** The settings as given at start, before any dynamic value. */
  readonly static: BrokerConfig

  /** `live`: the broker's config object, which every reader shares; dynamic values are written into it. */
  private constructor (private readonly path: string, private readonly live: BrokerConfig) {
    this.static = copyConfig(live)
  }

  static open (dataDir: string, live: BrokerConfig): DynamicBrokerConfigs {
    const configs = new DynamicBrokerConfigs(join(dataDir, 'broker-configs.json'), live)
    try {
      const saved = JSON.parse(readFileSync(configs.path, 'utf8')) as Saved
      configs.saved = { default: saved.default ?? {}, brokers: saved.brokers ?? {} }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    configs.applyToLive()
    return configs
  }

  get (scope: Scope): Readonly<Record<string, string>> {
    return scope === 'default' ? this.saved.default : this.saved.brokers[String(this.live['node.id'])] ?? {}
  }

  get layers (): BrokerLayers {
    return { static: this.static, perBroker: this.get('broker'), clusterDefault: this.get('default') }
  }

  /** True when some applied log default has a dynamic value (partitions opened with the static ones need them). */
  get changesLogDefaults (): boolean {
    return [...APPLIED_DYNAMIC].some(name => this.get('broker')[name] !== undefined || this.get('default')[name] !== undefined)
  }

  /** Throws KafkaError (INVALID_REQUEST, as Kafka answers for broker resources) unless `configs` may be a scope's set. */
  validate (scope: Scope, configs: Readonly<Record<string, string>>): void {
    const names = Object.keys(configs)
    const refused = names.filter(name => !isDynamic(name))
    if (refused.length > 0) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Cannot update these configs dynamically: Set(${refused.join(', ')})`)
    }
    const perBroker = scope === 'default' ? names.filter(name => PER_BROKER_ONLY.has(name)) : []
    if (perBroker.length > 0) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Cannot update these configs at default cluster level, broker id must be specified: Set(${perBroker.join(', ')})`)
    }
    for (const name of names) {
      const spec = (brokerSettings as Record<string, SettingSpec>)[name]
      if (spec === undefined) continue
      try {
        parseSetting(name, spec, configs[name] ?? '')
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error
        throw new KafkaError(ErrorCode.INVALID_REQUEST, `Invalid config value for resource ConfigResource(type=BROKER): ${error.message}`)
      }
    }
  }

  /**
   * Replaces a scope's set (durable first: a failed write leaves the configs in force as they were);
   * answers whether an applied log default changed, so the caller re-applies topic configs.
   */
  replace (scope: Scope, configs: Readonly<Record<string, string>>): boolean {
    this.validate(scope, configs)
    const before = this.get(scope)
    const next: Saved = { default: this.saved.default, brokers: { ...this.saved.brokers } }
    if (scope === 'default') next.default = { ...configs }
    else next.brokers[String(this.live['node.id'])] = { ...configs }
    writeFileDurably(this.path, JSON.stringify(next, null, 2) + '\n')
    this.saved = next
    this.applyToLive()
    return [...APPLIED_DYNAMIC].some(name => before[name] !== configs[name])
  }

  /** Each applied setting's value in force: this broker's, else the default's, else the static one. */
  private applyToLive (): void {
    const live = this.live as unknown as Record<string, string | number | boolean>
    for (const name of APPLIED_DYNAMIC) {
      const given = this.get('broker')[name] ?? this.get('default')[name]
      live[name] = given === undefined ? this.static[name] : parseSetting(name, brokerSettings[name] as SettingSpec, given)
    }
  }
}

function isDynamic (name: string): boolean {
  if (isListenerSetting(name) || coarserSettings[name] !== undefined) return false
  if ((brokerSettings as Record<string, SettingSpec>)[name] !== undefined) return APPLIED_DYNAMIC.has(name as BrokerSettingName)
  if (settingsWithoutEffect[name] !== undefined) return KAFKA_DYNAMIC_WITHOUT_EFFECT.has(name)
  return true
}
