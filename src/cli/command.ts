// What every `sluice` tool shares: option parsing with node:util parseArgs plus the common options
// (--bootstrap/-b, --json, --help/-h), the client's lifetime, and the exit-code contract:
//   0 ok · 1 Kafka or runtime error (no broker, unknown topic, a failed request) · 2 usage or config error
import { readFileSync } from 'node:fs'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { KafkaClient, parseBootstrap, SASL_MECHANISMS, type SaslCredentials, type TlsOptions } from '../client/index.js'
import { validateTopicName } from '../broker/topic-registry.js'
import { KafkaError } from '../protocol/index.js'
import { UsageError } from './exit.js'

export const DEFAULT_BOOTSTRAP = 'localhost:9092'

export { EXIT, UsageError } from './exit.js'

export type Options = NonNullable<ParseArgsConfig['options']>

export const COMMON_OPTIONS = {
  bootstrap: { type: 'string', short: 'b' },
  'sasl-mechanism': { type: 'string' },
  'sasl-username': { type: 'string' },
  'sasl-password': { type: 'string' },
  'sasl-oauth-token': { type: 'string' },
  'sasl-oauth-token-file': { type: 'string' },
  tls: { type: 'boolean' },
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const satisfies Options

export const COMMON_HELP = `Common options:
  -b, --bootstrap HOST:PORT   broker to start from (default $SLUICE_BOOTSTRAP or ${DEFAULT_BOOTSTRAP})
      --sasl-mechanism M      authenticate on a SASL listener: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER
      --sasl-username U       (default $SLUICE_SASL_USERNAME)
      --sasl-password P       (default $SLUICE_SASL_PASSWORD; the environment keeps it out of ps)
      --sasl-oauth-token T    OAUTHBEARER: the JWT (default $SLUICE_SASL_OAUTH_TOKEN; the environment keeps it out of ps)
      --sasl-oauth-token-file F  OAUTHBEARER: a file holding the JWT
      --tls                   connect over TLS (an SSL or SASL_SSL listener), trusting the system's CAs
      --tls-ca FILE           ... trusting the CA certificates in this PEM file instead (implies --tls)
      --tls-cert FILE         client certificate (PEM) for ssl.client.auth; with --tls-key FILE (implies --tls)
      --json                  machine-readable output where the tool has it
  -h, --help                  this help`

export interface Parsed<O extends Options> {
  values: ReturnType<typeof parseArgs<{ options: O & typeof COMMON_OPTIONS, allowPositionals: true, strict: true }>>['values']
  positionals: string[]
}

/** parseArgs with the common options; parse failures become UsageErrors that name `tool`. */
export function parse<O extends Options> (tool: string, argv: string[], options: O): Parsed<O> {
  const all: Options = { ...options, ...COMMON_OPTIONS }
  try {
    const { values, positionals } = parseArgs({ args: joinNegativeValues(argv, all), options: all, allowPositionals: true, strict: true })
    return { values, positionals } as Parsed<O>
  } catch (error) {
    if (error instanceof TypeError && 'code' in error) throw new UsageError(error.message, tool)
    throw error
  }
}

/**
 * parseArgs reads `--offset -2` as a missing value followed by an option; for options that take a
 * value, a following negative number is that value (`--offset=-2`, `-o=-2` work anyway).
 */
function joinNegativeValues (argv: string[], options: Options): string[] {
  const takesValue = new Set<string>()
  for (const [name, option] of Object.entries(options)) {
    if (option.type !== 'string') continue
    takesValue.add(`--${name}`)
    if (option.short !== undefined) takesValue.add(`-${option.short}`)
  }
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const next = argv[i + 1]
    if (takesValue.has(arg) && next !== undefined && /^-\d+$/.test(next)) {
      out.push(`${arg.startsWith('--') ? arg : `--${longName(arg, options)}`}=${next}`)
      i++
    } else {
      out.push(arg)
    }
  }
  return out
}

function longName (short: string, options: Options): string {
  return Object.entries(options).find(([, o]) => `-${o.short ?? ''}` === short)?.[0] ?? short
}

interface ClientFlags {
  bootstrap?: string | undefined
  'sasl-mechanism'?: string | undefined
  'sasl-username'?: string | undefined
  'sasl-password'?: string | undefined
  'sasl-oauth-token'?: string | undefined
  'sasl-oauth-token-file'?: string | undefined
  tls?: boolean | undefined
  'tls-ca'?: string | undefined
  'tls-cert'?: string | undefined
  'tls-key'?: string | undefined
}

/** The SASL credentials the flags and environment give, or undefined without --sasl-mechanism. */
function saslFrom (values: ClientFlags): SaslCredentials | undefined {
  const mechanism = values['sasl-mechanism'] ?? process.env.SLUICE_SASL_MECHANISM
  if (mechanism === undefined) return undefined
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) throw new UsageError(`--sasl-mechanism: expected one of ${SASL_MECHANISMS.join(', ')}, got "${mechanism}"`)
  if (mechanism === 'OAUTHBEARER') return { mechanism, token: oauthToken(values) }
  const username = values['sasl-username'] ?? process.env.SLUICE_SASL_USERNAME
  const password = values['sasl-password'] ?? process.env.SLUICE_SASL_PASSWORD
  if (username === undefined || password === undefined) throw new UsageError(`--sasl-mechanism ${mechanism} needs --sasl-username and --sasl-password (or SLUICE_SASL_USERNAME and SLUICE_SASL_PASSWORD)`)
  return { mechanism: mechanism as 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512', username, password }
}

function oauthToken (values: ClientFlags): string {
  const file = values['sasl-oauth-token-file']
  if (file !== undefined && values['sasl-oauth-token'] !== undefined) throw new UsageError('give --sasl-oauth-token or --sasl-oauth-token-file, not both')
  let token = values['sasl-oauth-token'] ?? process.env.SLUICE_SASL_OAUTH_TOKEN
  if (file !== undefined) {
    try {
      token = readFileSync(file, 'utf8')
    } catch (error) {
      throw new UsageError(`--sasl-oauth-token-file: ${(error as Error).message}`)
    }
  }
  if (token === undefined || token.trim() === '') throw new UsageError('--sasl-mechanism OAUTHBEARER needs --sasl-oauth-token or --sasl-oauth-token-file (or SLUICE_SASL_OAUTH_TOKEN)')
  return token.trim()
}

/** The TLS options the flags give, or undefined for a plaintext connection. */
function tlsFrom (values: ClientFlags): TlsOptions | undefined {
  const { tls, 'tls-ca': ca, 'tls-cert': cert, 'tls-key': key } = values
  if (tls !== true && ca === undefined && cert === undefined && key === undefined) return undefined
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--tls-cert and --tls-key go together')
  const read = (option: string, path: string | undefined): Buffer | undefined => {
    if (path === undefined) return undefined
    try {
      return readFileSync(path)
    } catch (error) {
      throw new UsageError(`--${option}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
    }
  }
  return { ca: read('tls-ca', ca), cert: read('tls-cert', cert), key: read('tls-key', key) }
}

/** Runs `work` with a client connected to the bootstrap broker, and always closes it. */
export async function withClient<T> (values: ClientFlags, work: (client: KafkaClient) => Promise<T>): Promise<T> {
  const bootstrap = values.bootstrap ?? process.env.SLUICE_BOOTSTRAP ?? DEFAULT_BOOTSTRAP
  try {
    parseBootstrap(bootstrap)
  } catch (error) {
    throw new UsageError(`--bootstrap: ${(error as Error).message}`)
  }
  const client = new KafkaClient({ bootstrap, clientId: 'sluice-cli', sasl: saslFrom(values), tls: tlsFrom(values) })
  try {
    await client.connect()
    return await work(client)
  } finally {
    await client.close()
  }
}

/** Exactly one positional argument, named `what` in the error. */
export function onePositional (positionals: string[], what: string, tool: string): string {
  if (positionals.length === 0) throw new UsageError(`missing ${what}`, tool)
  if (positionals.length > 1) throw new UsageError(`expected one ${what}, got ${positionals.length}: ${positionals.join(' ')}`, tool)
  return positionals[0] as string
}

/** Kafka's topic name rules, checked before asking the broker: an invalid name is a usage error. */
export function checkTopicName (name: string, tool: string): string {
  try {
    validateTopicName(name)
  } catch (error) {
    if (error instanceof KafkaError) throw new UsageError(error.message, tool)
    throw error
  }
  return name
}

export function integer (value: string | undefined, flag: string, tool: string, min = Number.MIN_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${flag} must be an integer${min > Number.MIN_SAFE_INTEGER ? ` >= ${min}` : ''}, got "${value}"`, tool)
  }
  return n
}

/** ISO 8601 (2024-05-01T12:00:00Z) or milliseconds since the epoch. */
export function parseTime (text: string, flag: string, tool: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text)
  if (!Number.isFinite(ms)) throw new UsageError(`${flag}: "${text}" is not a time (use ISO 8601 like 2024-05-01T12:00:00Z, or ms since the epoch)`, tool)
  return ms
}

/** `key=value` pairs (repeatable flags) into a record; `value` may contain '='. */
export function keyValues (pairs: readonly string[] | undefined, flag: string, tool: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of pairs ?? []) {
    const at = pair.indexOf('=')
    if (at <= 0) throw new UsageError(`${flag} expects key=value, got "${pair}"`, tool)
    out[pair.slice(0, at)] = pair.slice(at + 1)
  }
  return out
}

/** Writes to stdout and waits when its buffer is full, so a slow reader slows us down instead of filling memory. */
export async function writeOut (text: string | Buffer): Promise<void> {
  if (process.stdout.write(text)) return
  await new Promise<void>(resolve => process.stdout.once('drain', resolve))
}

export function printJson (value: unknown): Promise<void> {
  return writeOut(JSON.stringify(value, null, 2) + '\n')
}
