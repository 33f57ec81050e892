// The Kafka listeners, as Kafka configures them:
//   listeners=PLAINTEXT://127.0.0.1:9092,CLIENT://127.0.0.1:9093,SSL://127.0.0.1:9094
//   listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CLIENT:SASL_PLAINTEXT,SSL:SSL
//   advertised.listeners=CLIENT://broker.example:9093          (matched by listener name)
//   sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256                 (or listener.name.client.sasl.enabled.mechanisms)
//   listener.name.client.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";
//   connections.max.reauth.ms=3600000                           (KIP-368; or listener.name.client.connections.max.reauth.ms)
//   listener.name.client.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;
//   listener.name.client.oauthbearer.sasl.server.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler
//   sasl.oauthbearer.jwks.endpoint.url=https://idp.example/jwks     (or file:; or listener.name.client.oauthbearer.sasl.oauthbearer.…)
//   ssl.keystore.location=…, ssl.truststore.location=…           (or listener.name.ssl.ssl.keystore.location; src/broker/tls/tls-config.ts)
// SASL_SSL is SASL over TLS: both sets of settings apply.
// OAUTHBEARER validates tokens as Kafka's two validators do: without a callback handler class, the
// unsecured one (alg "none" JWTs, options from the OAuthBearerLoginModule's unsecuredValidator*
// options); with OAuthBearerValidatorCallbackHandler, signed JWTs verified with the JWKS's keys.
// As Kafka's broker, JAAS is read only from the listener- and mechanism-prefixed key. Listeners named
// in controller.listener.names are not bound: a single node has no controller quorum to serve.
// Every problem is a ConfigError naming the key, so start-up stops before anything opens.
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { BrokerConfig } from './broker-config.js'
import { SSL_SETTINGS, tlsSettings, type TlsSettings } from '../broker/tls/tls-config.js'
import { ConfigError } from './settings.js'

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL'
const SECURITY_PROTOCOLS: readonly string[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] as const
export type SaslMechanism = (typeof SASL_MECHANISMS)[number]

export interface SaslSettings {
  mechanisms: SaslMechanism[]
  /** PLAIN's users and passwords, from the PlainLoginModule's user_<name>="<password>" options. */
  plainUsers: ReadonlyMap<string, string>
  /** connections.max.reauth.ms: 0 means sessions never expire (session_lifetime_ms 0). */
  reauthMs: number
  /** How OAUTHBEARER tokens are validated, if OAUTHBEARER is enabled. */
  oauthbearer: OAuthBearerSettings | null
}

/** Kafka's OAuthBearerUnsecuredValidatorCallbackHandler: unsigned JWTs, for development and tests. */
export interface UnsecuredValidatorSettings {
  validator: 'unsecured'
  principalClaim: string
  scopeClaim: string
  /** Every one of these must be in the token's scope. */
  requiredScope: string[]
  clockSkewMs: number
}

/** One key of the JWKS, with the members that choose it for a token's header. */
export interface VerificationKey { kid: string | undefined, alg: string | undefined, use: string | undefined, kty: string, key: KeyObject }

/** Kafka's OAuthBearerValidatorCallbackHandler: JWTs signed by a key of the JWKS. */
export interface JwksValidatorSettings {
  validator: 'jwks'
  jwks: JwksSource
  /** Empty: a token must carry no aud (jose4j's default, which Kafka keeps). */
  audience: string[]
  /** Empty: iss is not checked. */
  issuer: string
  subClaim: string
  scopeClaim: string
  clockSkewMs: number
}

export type OAuthBearerSettings = UnsecuredValidatorSettings | JwksValidatorSettings

/** The JWKS's keys: read from a file: URL here, or fetched over HTTP(S) by the broker (sasl/jwks.ts). */
export interface JwksSource {
  keys: VerificationKey[]
  /** The http(s) URL the broker fetches before serving and every refreshMs; null for a file. */
  remote: { url: string, refreshMs: number } | null
  /** Told when a token names a key the set lacks (a fetched set is then fetched again soon). */
  onMissingKey: (() => void) | null
}

const OAUTH_LOGIN_MODULE = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule'
const UNSECURED_VALIDATOR = 'org.apache.kafka.common.security.oauthbearer.internals.unsecured.OAuthBearerUnsecuredValidatorCallbackHandler'
/** The JWKS validator, under its Kafka 3.4+ name and its KIP-768 (Kafka 3.1) one. */
const JWKS_VALIDATORS = [
  'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
  'org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerValidatorCallbackHandler'
]
/** The sasl.oauthbearer.* settings the JWKS validator reads, globally or as listener.name.<l>.oauthbearer.<key>. */
const OAUTH_KEYS = ['sasl.oauthbearer.jwks.endpoint.url', 'sasl.oauthbearer.jwks.endpoint.refresh.ms', 'sasl.oauthbearer.expected.audience', 'sasl.oauthbearer.expected.issuer',
  'sasl.oauthbearer.sub.claim.name', 'sasl.oauthbearer.scope.claim.name', 'sasl.oauthbearer.clock.skew.seconds'] as const

export interface HostPort { host: string, port: number }

export interface ListenerSpec extends HostPort {
  /** Upper case, as Kafka compares listener names. */
  name: string
  protocol: SecurityProtocol
  /** From advertised.listeners, if it names this listener. */
  advertised: HostPort | null
  sasl: SaslSettings | null
  /** Its TLS settings on an SSL or SASL_SSL listener. */
  tls: TlsSettings | null
}

/** Listener-prefixed keys Sluice reads: listener.name.<listener>.<one of these>. */
const LISTENER_KEY = new RegExp('^listener\\.name\\.([^.]+)\\.(sasl\\.enabled\\.mechanisms|connections\\.max\\.reauth\\.ms|' +
  '(plain|scram-sha-256|scram-sha-512|oauthbearer)\\.sasl\\.jaas\\.config|oauthbearer\\.sasl\\.server\\.callback\\.handler\\.class|' +
  `oauthbearer\\.(?:${OAUTH_KEYS.map(k => k.replace(/\./g, '\\.')).join('|')})|` +
  SSL_SETTINGS.map(key => key.replace(/\./g, '\\.')).join('|') + ')$')

export function isListenerSetting (key: string): boolean {
  return LISTENER_KEY.test(key)
}

/** `NAME://host:port` entries; a missing scheme reads as PLAINTEXT, an empty host binds every address. */
export function parseEndpoints (value: string, key: string): Array<HostPort & { name: string }> {
  const out: Array<HostPort & { name: string }> = []
  for (const entry of value.split(',').map(e => e.trim()).filter(e => e !== '')) {
    const match = /^(?:([A-Za-z0-9_]+):\/\/)?(\[[^\]]*\]|[^:/]*):(\d+)$/.exec(entry)
    const port = Number(match?.[3])
    if (match === null || !Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(key, value, `"${entry}": expected NAME://HOST:PORT`)
    const name = (match[1] ?? 'PLAINTEXT').toUpperCase()
    if (out.some(e => e.name === name)) throw new ConfigError(key, value, `listener name ${name} appears twice`)
    out.push({ name, host: (match[2] ?? '').replace(/^\[|\]$/g, ''), port })
  }
  if (out.length === 0) throw new ConfigError(key, value, 'expected at least one NAME://HOST:PORT')
  return out
}

function protocolMap (config: BrokerConfig): Map<string, string> {
  const key = 'listener.security.protocol.map'
  const map = new Map<string, string>()
  for (const pair of config[key].split(',').map(p => p.trim()).filter(p => p !== '')) {
    const [name, protocol, extra] = pair.split(':').map(p => p.trim())
    if (name === undefined || name === '' || protocol === undefined || extra !== undefined) throw new ConfigError(key, config[key], `"${pair}": expected NAME:PROTOCOL`)
    map.set(name.toUpperCase(), protocol.toUpperCase())
  }
  return map
}

export function listenerSpecs (config: BrokerConfig): ListenerSpec[] {
  const controllers = new Set(config['controller.listener.names'].split(',').map(n => n.trim().toUpperCase()).filter(n => n !== ''))
  const endpoints = parseEndpoints(config.listeners, 'listeners').filter(e => !controllers.has(e.name))
  if (endpoints.length === 0) throw new ConfigError('listeners', config.listeners, 'every listener is a controller listener (controller.listener.names); name one for clients')
  const advertised = config['advertised.listeners'] === '' ? [] : parseEndpoints(config['advertised.listeners'], 'advertised.listeners')
  for (const a of advertised) {
    if (!endpoints.some(e => e.name === a.name) && !controllers.has(a.name)) {
      throw new ConfigError('advertised.listeners', config['advertised.listeners'], `listener ${a.name} is not in listeners`)
    }
  }
  const protocols = protocolMap(config)
  for (const key of Object.keys(config.listenerSettings)) {
    const name = LISTENER_KEY.exec(key)?.[1]?.toUpperCase()
    if (name !== undefined && !endpoints.some(e => e.name === name) && !controllers.has(name)) {
      // JAAS options and ssl.* passwords and keys are secrets: never echoed.
      const secret = /jaas\.config$|password$|keystore\.key$/.test(key)
      throw new ConfigError(key, secret ? '[hidden]' : config.listenerSettings[key] ?? '', `listener ${name} is not in listeners`)
    }
  }
  return endpoints.map(endpoint => {
    const protocol = protocols.get(endpoint.name)
    if (protocol === undefined) {
      throw new ConfigError('listener.security.protocol.map', config['listener.security.protocol.map'], `names no security protocol for listener ${endpoint.name}`)
    }
    if (!SECURITY_PROTOCOLS.includes(protocol)) {
      throw new ConfigError('listener.security.protocol.map', config['listener.security.protocol.map'],
        `listener ${endpoint.name} is ${protocol}: expected one of ${SECURITY_PROTOCOLS.join(', ')}`)
    }
    const listener = endpoint.name.toLowerCase()
    return {
      ...endpoint,
      protocol: protocol as SecurityProtocol,
      advertised: advertised.find(a => a.name === endpoint.name) ?? null,
      sasl: protocol.startsWith('SASL_') ? saslSettings(config, listener) : null,
      tls: protocol === 'SSL' || protocol === 'SASL_SSL' ? tlsSettings(config, listener, protocol === 'SASL_SSL') : null
    } satisfies ListenerSpec
  })
}

function saslSettings (config: BrokerConfig, listener: string): SaslSettings {
  const prefix = `listener.name.${listener}.`
  const mechanismsKey = config.listenerSettings[prefix + 'sasl.enabled.mechanisms'] !== undefined ? prefix + 'sasl.enabled.mechanisms' : 'sasl.enabled.mechanisms'
  const mechanismsText = config.listenerSettings[mechanismsKey] ?? config['sasl.enabled.mechanisms']
  const mechanisms = mechanismsText.split(',').map(m => m.trim()).filter(m => m !== '')
  for (const mechanism of mechanisms) {
    if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
      throw new ConfigError(mechanismsKey, mechanismsText, `mechanism ${mechanism} is not supported; Sluice supports ${SASL_MECHANISMS.join(', ')}`)
    }
  }
  if (mechanisms.length === 0) throw new ConfigError(mechanismsKey, mechanismsText, `a SASL listener needs at least one of ${SASL_MECHANISMS.join(', ')}`)
  let plainUsers = new Map<string, string>()
  let oauthbearer: OAuthBearerSettings | null = null
  for (const mechanism of mechanisms) {
    const jaasKey = `${prefix}${mechanism.toLowerCase()}.sasl.jaas.config`
    const jaas = config.listenerSettings[jaasKey]
    if (mechanism === 'PLAIN') {
      if (jaas === undefined) throw new ConfigError(jaasKey, '', 'PLAIN is enabled on this listener but no users are configured: give a PlainLoginModule with user_<name>="<password>" options')
      plainUsers = plainUsersFrom(jaasKey, jaas)
    } else if (mechanism === 'OAUTHBEARER') {
      if (jaas === undefined) throw new ConfigError(jaasKey, '', `OAUTHBEARER is enabled on this listener, which needs a login module as on Kafka: ${OAUTH_LOGIN_MODULE} required;`)
      oauthbearer = oauthSettings(config, prefix, jaasKey, loginModule(jaasKey, jaas, OAUTH_LOGIN_MODULE))
    } else if (jaas !== undefined) {
      // Kafka's brokers need a ScramLoginModule only for inter-broker SCRAM; its credentials come from the store.
      loginModule(jaasKey, jaas, 'org.apache.kafka.common.security.scram.ScramLoginModule')
    }
  }
  const reauthKey = prefix + 'connections.max.reauth.ms'
  const reauthText = config.listenerSettings[reauthKey]
  const reauthMs = reauthText === undefined ? config['connections.max.reauth.ms'] : Number(reauthText)
  if (!Number.isInteger(reauthMs) || reauthMs < 0) throw new ConfigError(reauthKey, reauthText ?? '', 'expected an integer of at least 0')
  return { mechanisms: mechanisms as SaslMechanism[], plainUsers, reauthMs, oauthbearer }
}

function oauthSettings (config: BrokerConfig, prefix: string, jaasKey: string, options: Map<string, string>): OAuthBearerSettings {
  const handlerKey = `${prefix}oauthbearer.sasl.server.callback.handler.class`
  const handler = config.listenerSettings[handlerKey] ?? UNSECURED_VALIDATOR
  if (handler === UNSECURED_VALIDATOR) {
    const skewText = options.get('unsecuredValidatorAllowableClockSkewMs')?.trim() ?? ''
    const clockSkewMs = skewText === '' ? 0 : Number(skewText)
    if (!Number.isInteger(clockSkewMs) || clockSkewMs < 0 || clockSkewMs > 2_147_483_647) {
      throw new ConfigError(jaasKey, '[hidden]', `unsecuredValidatorAllowableClockSkewMs: expected a non-negative integer, got "${skewText}"`)
    }
    const option = (name: string, fallback: string): string => options.get(name)?.trim() || fallback
    return {
      validator: 'unsecured',
      principalClaim: option('unsecuredValidatorPrincipalClaimName', 'sub'),
      scopeClaim: option('unsecuredValidatorScopeClaimName', 'scope'),
      requiredScope: option('unsecuredValidatorRequiredScope', '').split(' ').filter(s => s !== ''),
      clockSkewMs
    }
  }
  if (!JWKS_VALIDATORS.includes(handler)) {
    throw new ConfigError(handlerKey, handler, `Sluice has Kafka's two OAUTHBEARER validators: ${JWKS_VALIDATORS[0]!} (signed JWTs, JWKS) and ${UNSECURED_VALIDATOR} (the default)`)
  }
  const setting = (key: (typeof OAUTH_KEYS)[number]): { key: string, value: string } => {
    const prefixed = `${prefix}oauthbearer.${key}`
    const value = config.listenerSettings[prefixed]
    return value !== undefined ? { key: prefixed, value } : { key, value: String(config[key]) }
  }
  const url = setting('sasl.oauthbearer.jwks.endpoint.url')
  const refresh = setting('sasl.oauthbearer.jwks.endpoint.refresh.ms')
  const refreshMs = Number(refresh.value)
  if (!Number.isInteger(refreshMs) || refreshMs < 1) throw new ConfigError(refresh.key, refresh.value, 'expected an integer of at least 1')
  const skew = setting('sasl.oauthbearer.clock.skew.seconds')
  const clockSkewSeconds = Number(skew.value)
  if (!Number.isInteger(clockSkewSeconds) || clockSkewSeconds < 0) throw new ConfigError(skew.key, skew.value, 'expected an integer of at least 0')
  const claim = (key: 'sasl.oauthbearer.sub.claim.name' | 'sasl.oauthbearer.scope.claim.name'): string => {
    const { key: given, value } = setting(key)
    if (value.trim() === '') throw new ConfigError(given, value, 'expected a claim name')
    return value.trim()
  }
  return {
    validator: 'jwks',
    jwks: jwksSource(url.key, url.value, refreshMs),
    audience: setting('sasl.oauthbearer.expected.audience').value.split(',').map(a => a.trim()).filter(a => a !== ''),
    issuer: setting('sasl.oauthbearer.expected.issuer').value.trim(),
    subClaim: claim('sasl.oauthbearer.sub.claim.name'),
    scopeClaim: claim('sasl.oauthbearer.scope.claim.name'),
    clockSkewMs: clockSkewSeconds * 1000
  }
}

/** A file: URL's keys, read once now; an http(s) URL's are fetched by the broker before it serves. */
function jwksSource (key: string, url: string, refreshMs: number): JwksSource {
  if (url === '') throw new ConfigError(key, url, 'OAuthBearerValidatorCallbackHandler verifies tokens with the keys of a JWKS: give its URL (https: or file:)')
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ConfigError(key, url, 'expected a URL')
  }
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return { keys: [], remote: { url, refreshMs }, onMissingKey: null }
  if (parsed.protocol !== 'file:') throw new ConfigError(key, url, 'expected an https:, http: or file: URL')
  try {
    return { keys: parseJwks(readFileSync(parsed, 'utf8')), remote: null, onMissingKey: null }
  } catch (error) {
    throw new ConfigError(key, url, `cannot read the JWKS: ${(error as Error).message}`)
  }
}

/** The public keys of a JWK Set (RFC 7517 §5: {"keys": [JWK, ...]}); throws on anything else. */
export function parseJwks (text: string): VerificationKey[] {
  const jwkList = (JSON.parse(text) as { keys?: unknown } | null)?.keys
  if (!Array.isArray(jwkList) || jwkList.length === 0) throw new Error('expected a JWKS: {"keys": [ ... ]} with at least one key')
  return jwkList.map((jwk: Record<string, unknown>, i) => {
    let keyObject: KeyObject
    try {
      keyObject = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })
    } catch (error) {
      throw new Error(`key ${i} of the JWKS is not a public key: ${(error as Error).message}`)
    }
    const text = (name: string): string | undefined => typeof jwk[name] === 'string' ? jwk[name] : undefined
    return { kid: text('kid'), alg: text('alg'), use: text('use'), kty: String(jwk.kty), key: keyObject }
  })
}

/**
 * One JAAS login module entry, as sasl.jaas.config holds it:
 *   <class> <required|requisite|sufficient|optional> key="value" key=value ... ;
 * Returns its options.
 */
export function loginModule (key: string, text: string, expectedClass: string): Map<string, string> {
  const fail = (why: string): never => { throw new ConfigError(key, '[hidden]', `malformed JAAS login module: ${why}`) }
  const head = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\b/.exec(text)
  if (head === null) fail('expected "<LoginModule class> required key=\\"value\\" ...;"')
  if (head![1] !== expectedClass) fail(`expected ${expectedClass}, got ${head![1]!}`)
  const options = new Map<string, string>()
  const option = /\s*([^\s=;"]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;"]+))/y
  let at = head![0].length
  for (;;) {
    option.lastIndex = at
    const match = option.exec(text)
    if (match === null) break
    options.set(match[1]!, match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!)
    at = option.lastIndex
  }
  if (!/^\s*;\s*$/.test(text.slice(at))) fail('expected key="value" options ending with ";" (one login module only)')
  return options
}

function plainUsersFrom (key: string, jaas: string): Map<string, string> {
  const users = new Map<string, string>()
  for (const [name, value] of loginModule(key, jaas, 'org.apache.kafka.common.security.plain.PlainLoginModule')) {
    if (name.startsWith('user_') && name.length > 'user_'.length) users.set(name.slice('user_'.length), value)
  }
  if (users.size === 0) throw new ConfigError(key, '[hidden]', 'the PlainLoginModule names no users: add user_<name>="<password>" options')
  return users
}
