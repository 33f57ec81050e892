// One typed config object, from defaults < server.properties file < SLUICE_* environment < flags.
// Unknown keys and out-of-range values stop start-up with a message naming key, value and rule.
import { readFileSync } from 'node:fs'
import { isListenerSetting, listenerSpecs } from './listener-config.js'
import { brokerSettings, coarserSettings, ConfigError, parseSetting, settingsWithoutEffect, type BrokerSettingName } from './settings.js'

type ValueOf<N extends BrokerSettingName> = (typeof brokerSettings)[N]['default'] extends number
  ? number
  : (typeof brokerSettings)[N]['default'] extends boolean ? boolean : string

export type BrokerConfig = { -readonly [N in BrokerSettingName]: ValueOf<N> } & {
  /** Listener-prefixed settings (listener.name.<listener>.…, listener-config.ts), by full key. */
  listenerSettings: Record<string, string>
}

export interface ConfigSources {
  /** Contents of a server.properties file (already read), if any. */
  properties?: string
  /** Usually process.env; only SLUICE_* variables are read. */
  env?: Record<string, string | undefined>
  /** Settings given on the command line, by Kafka name. */
  flags?: Record<string, string>
  /** Told of every Kafka setting that was given but has no effect here (settingsWithoutEffect). */
  onIgnored?: (key: string, why: string) => void
}

export function defaultConfig (): BrokerConfig {
  const out: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(brokerSettings)) out[name] = spec.default
  out.listenerSettings = {}
  return out as BrokerConfig
}

const specs = brokerSettings as Record<string, (typeof brokerSettings)[BrokerSettingName]>
const HOURS_OR_MINUTES = { type: 'int', default: 0, min: -1, max: 2_147_483_647, doc: '' } as const

export function loadConfig (sources: ConfigSources = {}): BrokerConfig {
  // Later sources win key by key; a coarser spelling (log.retention.hours) counts only where no source
  // gave a finer one, whichever source that was.
  const given = new Map<string, { raw: string, origin: string }>()
  const collect = (entries: Iterable<[string, string]>, origin: string): void => {
    for (const [key, raw] of entries) {
      if (specs[key] === undefined && coarserSettings[key] === undefined && settingsWithoutEffect[key] === undefined && !isListenerSetting(key)) {
        throw new ConfigError(key, raw, `unknown setting (from ${origin}); known settings: ${Object.keys(brokerSettings).join(', ')}`)
      }
      given.set(key, { raw, origin })
    }
  }
  if (sources.properties !== undefined) collect(parseProperties(sources.properties), 'the config file')
  if (sources.env !== undefined) collect(envSettings(sources.env), 'the environment')
  if (sources.flags !== undefined) collect(Object.entries(sources.flags), 'the command line')

  const config = defaultConfig() as Record<string, unknown>
  const coarserGiven: Record<string, GivenCoarserSetting> = {}
  for (const [key, { raw }] of given) {
    const spec = specs[key]
    const coarser = coarserSettings[key]
    if (spec !== undefined) {
      config[key] = parseSetting(key, spec, raw)
    } else if (isListenerSetting(key)) {
      (config.listenerSettings as Record<string, string>)[key] = raw.trim()
    } else if (coarser !== undefined) {
      const units = parseSetting(key, HOURS_OR_MINUTES, raw) as number
      const applied = !coarser.finer.some(finer => given.has(finer))
      // As Kafka: a negative time means no limit, which the millisecond setting spells -1.
      if (applied) config[coarser.target] = units < 0 ? -1 : units * coarser.unitMs
      coarserGiven[key] = { units, applied }
    } else {
      sources.onIgnored?.(key, settingsWithoutEffect[key] ?? '')
    }
  }
  coarserSettingsGiven.set(config as BrokerConfig, coarserGiven)
  listenerSpecs(config as BrokerConfig) // validates now: a bad listener or SASL setting stops start-up before anything opens
  checkAuthorizer(config as BrokerConfig, given)
  return config as BrokerConfig
}

/** The HTTP gateway does not authenticate its clients: beside an authorizer it would bypass every ACL.
 *  So an authorizer turns it off (a Kafka server.properties with authorizer.class.name must start as it
 *  does on Kafka), and asking for both explicitly (http.enabled=true) stops start-up. */
function checkAuthorizer (config: BrokerConfig, given: ReadonlyMap<string, unknown>): void {
  const name = config['authorizer.class.name']
  if (name === '' || !config['http.enabled'] || config['http.port'] < 0) return
  if (given.has('http.enabled')) {
    throw new ConfigError('authorizer.class.name', name, 'the HTTP gateway does not authenticate its clients and would bypass the ACLs: ' +
      'with an authorizer set http.enabled=false (or leave http.enabled out: an authorizer turns the gateway off)')
  }
  config['http.enabled'] = false
}

/** A coarser spelling as given (log.retention.hours=5: units 5), and whether it set its target. */
export interface GivenCoarserSetting { units: number, applied: boolean }

// Kept beside the config rather than in it: BrokerConfig holds values only; DescribeConfigs wants to
// name log.retention.hours and friends as Kafka does, with the value they were given.
const coarserSettingsGiven = new WeakMap<BrokerConfig, Readonly<Record<string, GivenCoarserSetting>>>()

/** The coarser spellings loadConfig was given for this config (none for one built otherwise). */
export function givenCoarserSettings (config: BrokerConfig): Readonly<Record<string, GivenCoarserSetting>> {
  return coarserSettingsGiven.get(config) ?? {}
}

/** A copy of a config, with what its coarser settings were given as. */
export function copyConfig (config: BrokerConfig): BrokerConfig {
  const copy = { ...config, listenerSettings: { ...config.listenerSettings } }
  const coarser = coarserSettingsGiven.get(config)
  if (coarser !== undefined) coarserSettingsGiven.set(copy, coarser)
  return copy
}

export function readPropertiesFile (path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError('--config', path, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  }
}

/** Java .properties subset: `key=value` or `key: value`, `#`/`!` comments, trailing-backslash continuation. */
export function parseProperties (text: string): Array<[string, string]> {
  const out: Array<[string, string]> = []
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? '').trim()
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + (lines[++i] ?? '').trim()
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue
    const at = line.search(/[=:]/)
    if (at < 0) out.push([line, ''])
    else out.push([line.slice(0, at).trim(), line.slice(at + 1).trim()])
  }
  return out
}

/** SLUICE_LOG_RETENTION_MS=… names log.retention.ms; only variables that name a setting Kafka or Sluice knows count. */
function envSettings (env: Record<string, string | undefined>): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const name of [...Object.keys(brokerSettings), ...Object.keys(coarserSettings), ...Object.keys(settingsWithoutEffect)]) {
    const value = env['SLUICE_' + name.toUpperCase().replace(/\./g, '_')]
    if (value !== undefined) out.push([name, value])
  }
  return out
}
