// One typed config object, from defaults < server.properties file < SLUICE_* environment < flags.
// Unknown keys and out-of-range values stop start-up with a message naming key, value and rule.
import { readFileSync } from 'node:fs'
import { brokerSettings, ConfigError, parseSetting, type BrokerSettingName } from './settings.js'

type ValueOf<N extends BrokerSettingName> = (typeof brokerSettings)[N]['default'] extends number
  ? number
  : (typeof brokerSettings)[N]['default'] extends boolean ? boolean : string

export type BrokerConfig = { -readonly [N in BrokerSettingName]: ValueOf<N> }

export interface ConfigSources {
  /** Contents of a server.properties file (already read), if any. */
  properties?: string
  /** Usually process.env; only SLUICE_* variables are read. */
  env?: Record<string, string | undefined>
  /** Settings given on the command line, by Kafka name. */
  flags?: Record<string, string>
}

export function defaultConfig (): BrokerConfig {
  const out: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(brokerSettings)) out[name] = spec.default
  return out as BrokerConfig
}

export function loadConfig (sources: ConfigSources = {}): BrokerConfig {
  const config = defaultConfig() as Record<string, unknown>
  const apply = (entries: Iterable<[string, string]>, origin: string): void => {
    for (const [key, raw] of entries) {
      const spec = (brokerSettings as Record<string, (typeof brokerSettings)[BrokerSettingName]>)[key]
      if (spec === undefined) {
        throw new ConfigError(key, raw, `unknown setting (from ${origin}); known settings: ${Object.keys(brokerSettings).join(', ')}`)
      }
      config[key] = parseSetting(key, spec, raw)
    }
  }
  if (sources.properties !== undefined) apply(parseProperties(sources.properties), 'the config file')
  if (sources.env !== undefined) apply(envSettings(sources.env), 'the environment')
  if (sources.flags !== undefined) apply(Object.entries(sources.flags), 'the command line')
  return config as BrokerConfig
}

export function readPropertiesFile (path: string): string {
  return readFileSync(path, 'utf8')
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

/** SLUICE_LOG_RETENTION_MS=… names log.retention.ms; only variables that name a known setting count. */
function envSettings (env: Record<string, string | undefined>): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const name of Object.keys(brokerSettings)) {
    const value = env['SLUICE_' + name.toUpperCase().replace(/\./g, '_')]
    if (value !== undefined) out.push([name, value])
  }
  return out
}

export interface Listener { host: string; port: number }

/** `PLAINTEXT://host:port` (first entry); an empty host binds every address, as in Kafka. */
export function parseListener (value: string, key: string): Listener {
  const first = value.split(',')[0]?.trim() ?? ''
  const match = /^(?:[A-Za-z_]+:\/\/)?(\[[^\]]*\]|[^:]*):(\d+)$/.exec(first)
  const port = Number(match?.[2])
  if (match === null || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(key, value, 'expected PLAINTEXT://HOST:PORT')
  }
  return { host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port }
}
