// The TLS settings of an SSL or SASL_SSL listener, from Kafka's ssl.* settings, each overridable per
// listener as listener.name.<listener>.ssl.* (Kafka's rule: the prefixed key wins). The key store, trust
// store, versions and ciphers become one Node SecureContext, built at start-up so that a missing file
// or a wrong password stops it with a ConfigError naming the key.
//
// ssl.client.auth on a SASL_SSL listener counts only listener-prefixed, as in Kafka (KIP-684): there
// the client is authenticated by SASL, and mutual TLS is an extra asked for that listener alone.
import { createPrivateKey } from 'node:crypto'
import { createSecureContext, getCiphers, type SecureContext, type SecureContextOptions } from 'node:tls'
import type { BrokerConfig } from '../../config/broker-config.js'
import { brokerSettings, ConfigError, parseSetting, settingsWithoutEffect, type BrokerSettingName } from '../../config/settings.js'
import { keyMaterial, trustedCertificates, type KeyMaterial, type Setting } from './key-stores.js'
import { principalMapper, type PrincipalMapper } from './principal.js'

export type ClientAuth = 'none' | 'requested' | 'required'

export interface TlsSettings {
  /** Key, certificate chain, trusted CAs, versions and ciphers. */
  context: SecureContext
  clientAuth: ClientAuth
  /** ssl.principal.mapping.rules: the principal name for a client certificate's subject. */
  principalName: PrincipalMapper
}

/** The ssl.* keys a listener may override (those without effect too, so that Kafka's configs load). */
export const SSL_SETTINGS: readonly string[] = [...Object.keys(brokerSettings), ...Object.keys(settingsWithoutEffect)].filter(k => k.startsWith('ssl.'))

const PROTOCOLS = ['TLSv1.2', 'TLSv1.3'] as const

export function tlsSettings (config: BrokerConfig, listener: string, sasl: boolean): TlsSettings {
  const setting = (name: BrokerSettingName): Setting => {
    const key = `listener.name.${listener}.${name}`
    const raw = config.listenerSettings[key]
    if (raw === undefined) return { key: name, value: String(config[name]) }
    return { key, value: String(parseSetting(key, brokerSettings[name], raw)) }
  }
  const keys = keyMaterial({
    type: setting('ssl.keystore.type'),
    location: setting('ssl.keystore.location'),
    password: setting('ssl.keystore.password'),
    keyPassword: setting('ssl.key.password'),
    certificateChain: setting('ssl.keystore.certificate.chain'),
    key: setting('ssl.keystore.key')
  })
  if (keys === null) {
    throw new ConfigError(setting('ssl.keystore.location').key, '', `listener ${listener.toUpperCase()} is ${sasl ? 'SASL_SSL' : 'SSL'} and needs a key store ` +
      '(ssl.keystore.location, or ssl.keystore.type=PEM with ssl.keystore.certificate.chain and ssl.keystore.key)')
  }
  checkKeys(keys, setting)
  const trustStore = { type: setting('ssl.truststore.type'), location: setting('ssl.truststore.location'), password: setting('ssl.truststore.password'), certificates: setting('ssl.truststore.certificates') }
  const ca = trustedCertificates(trustStore)
  if (ca !== null) contextOr({ ca }, trustStore.certificates.value !== '' ? trustStore.certificates : trustStore.location, 'no trusted certificate could be read')
  setting('ssl.protocol') // validated only: ssl.enabled.protocols picks the versions, as it restricts Java's context
  const options: SecureContextOptions = { ...keys, ...(ca === null ? {} : { ca }), ...versions(setting('ssl.enabled.protocols')) }
  const ciphers = setting('ssl.cipher.suites')
  if (ciphers.value !== '') options.ciphers = cipherList(ciphers)
  const clientAuthKey = `listener.name.${listener}.ssl.client.auth`
  const clientAuth = (sasl && config.listenerSettings[clientAuthKey] === undefined ? 'none' : setting('ssl.client.auth').value) as ClientAuth
  const rules = setting('ssl.principal.mapping.rules')
  return { context: contextOr(options, ciphers, 'OpenSSL refused these settings'), clientAuth, principalName: principalMapper(rules.key, rules.value) }
}

/** Builds a context, or stops start-up naming `key` with OpenSSL's reason. */
function contextOr (options: SecureContextOptions, key: Setting, why: string): SecureContext {
  try {
    return createSecureContext(options)
  } catch (error) {
    throw new ConfigError(key.key, key.value, `${why} (${(error as Error).message})`)
  }
}

/** Reads the key store alone first, so that a wrong password is blamed on the password's key. */
function checkKeys (keys: KeyMaterial, setting: (name: BrokerSettingName) => Setting): void {
  const located = setting('ssl.keystore.location')
  const store = located.value !== '' ? located : setting('ssl.keystore.key')
  const refuse = (key: Setting, why: string, error: unknown): never => {
    throw new ConfigError(key.key, key === located ? key.value : '[hidden]', `${why} (${(error as Error).message})`)
  }
  if (keys.key !== undefined) {
    // A PEM key: with a wrong password, AES-CBC decryption fails its padding check, or (1 in 256)
    // passes it and yields bytes that are no key; either way the password is wrong.
    try {
      createPrivateKey({ key: keys.key as string, passphrase: keys.passphrase })
    } catch (error) {
      if (keys.passphrase !== undefined || /passphrase/i.test((error as Error).message)) refuse(setting('ssl.key.password'), 'wrong password for the private key', error)
      refuse(store, 'cannot read the private key', error)
    }
  }
  try {
    createSecureContext(keys)
  } catch (error) {
    if (keys.pfx !== undefined && /mac verify failure|bad decrypt/i.test((error as Error).message)) {
      refuse(setting(setting('ssl.key.password').value === '' ? 'ssl.keystore.password' : 'ssl.key.password'), 'wrong password for the key store', error)
    }
    refuse(store, 'cannot read the key store', error)
  }
}

function versions (enabled: Setting): Pick<SecureContextOptions, 'minVersion' | 'maxVersion'> {
  const list = enabled.value.split(',').map(p => p.trim()).filter(p => p !== '')
  if (list.length === 0) return { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' }
  for (const p of list) {
    if (!(PROTOCOLS as readonly string[]).includes(p)) throw new ConfigError(enabled.key, enabled.value, `${p} is not supported; Sluice accepts ${PROTOCOLS.join(', ')}`)
  }
  return { minVersion: list.includes('TLSv1.2') ? 'TLSv1.2' : 'TLSv1.3', maxVersion: list.includes('TLSv1.3') ? 'TLSv1.3' : 'TLSv1.2' }
}

/** ssl.cipher.suites as OpenSSL's cipher list: Java (IANA) names are translated, OpenSSL's taken as they are. */
function cipherList (suites: Setting): string {
  const known = new Set(getCiphers())
  return suites.value.split(',').map(s => s.trim()).filter(s => s !== '').map(name => {
    const openssl = openSslCipherName(name)
    if (!known.has(openssl.toLowerCase())) throw new ConfigError(suites.key, suites.value, `unknown cipher suite ${name}`)
    return openssl
  }).join(':')
}

const KEY_EXCHANGES: Record<string, string> = { ECDHE_RSA: 'ECDHE-RSA-', ECDHE_ECDSA: 'ECDHE-ECDSA-', DHE_RSA: 'DHE-RSA-', RSA: '' }

/** TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 → ECDHE-RSA-AES128-GCM-SHA256; TLS 1.3 suites keep their name. */
export function openSslCipherName (name: string): string {
  const match = /^TLS_(\w+?)_WITH_(\w+)$/.exec(name)
  const exchange = match === null ? undefined : KEY_EXCHANGES[match[1]!]
  if (exchange === undefined) return name
  const cipher = match![2]!.replace(/^AES_(\d+)_/, 'AES$1_').replace('_CBC', '').replace(/^CHACHA20_POLY1305_SHA256$/, 'CHACHA20_POLY1305')
  return exchange + cipher.replace(/_/g, '-')
}
