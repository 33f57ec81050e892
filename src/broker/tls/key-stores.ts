// Kafka's key and trust stores (DefaultSslEngineFactory.createKeystore / createTruststore), turned
// into what Node's TLS reads: a PKCS12 file as `pfx`, PEM as `key`/`cert`/`ca`. The same combinations
// are refused as in Kafka, with its wording, as a ConfigError naming the key.
//
// JKS, Kafka's default type, is read by jks.ts. As Java does (keystore.type.compat), a store is read
// by what its file is, whichever of JKS and PKCS12 its type says. Node reads a PKCS12 key store itself
// (`pfx`) but a PKCS12 file only with a private key in it: pkcs12.ts reads trust stores.
import { createPrivateKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { SecureContextOptions } from 'node:tls'
import { ConfigError } from '../../config/settings.js'
import { certificatesPem, JKS_MAGIC, JksPasswordError, readJks, recoverKey, type JksEntries } from './jks.js'
import { pkcs12Certificates, Pkcs12PasswordError } from './pkcs12.js'

/** One ssl.* setting as it applies to a listener: the key it came from (listener-prefixed or not), '' for unset. */
export interface Setting { key: string, value: string }

export interface KeyStoreSettings {
  type: Setting
  location: Setting
  password: Setting
  keyPassword: Setting
  certificateChain: Setting
  key: Setting
}

export interface TrustStoreSettings { type: Setting, location: Setting, password: Setting, certificates: Setting }

export type KeyMaterial = Pick<SecureContextOptions, 'pfx' | 'key' | 'cert' | 'passphrase'>

function fail (s: Setting, why: string, secret = false): never {
  throw new ConfigError(s.key, secret ? '[hidden]' : s.value, why)
}

function readStore (location: Setting): Buffer {
  try {
    return readFileSync(location.value)
  } catch (error) {
    fail(location, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  }
}

const isJks = (bytes: Buffer): boolean => bytes.length >= 4 && bytes.readUInt32BE(0) === JKS_MAGIC

function jksEntries (location: Setting, password: Setting, bytes: Buffer, store: 'key store' | 'trust store'): JksEntries {
  try {
    return readJks(bytes, password.value === '' ? null : password.value)
  } catch (error) {
    if (error instanceof JksPasswordError) fail(password, `wrong password for the ${store} (its integrity check failed)`, true)
    fail(location, `cannot read the JKS ${store} (${(error as Error).message})`)
  }
}

/** The first private key of a JKS key store, and its chain, as PEM. */
function jksKeyMaterial (s: KeyStoreSettings, bytes: Buffer): KeyMaterial {
  const entry = jksEntries(s.location, s.password, bytes, 'key store').keys[0]
  if (entry === undefined) fail(s.location, 'the JKS key store holds no private key')
  const keyPassword = s.keyPassword.value !== '' ? s.keyPassword : s.password
  let pkcs8: Buffer
  try {
    pkcs8 = recoverKey(entry.protectedKey, keyPassword.value)
  } catch (error) {
    if (error instanceof JksPasswordError) fail(keyPassword, 'wrong password for the private key in the JKS key store', true)
    fail(s.location, `cannot read the private key in the JKS key store (${(error as Error).message})`)
  }
  const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' })
  return { key, cert: certificatesPem(entry.chain) }
}

/** The broker's key and certificate chain; null when none is configured. */
export function keyMaterial (s: KeyStoreSettings): KeyMaterial | null {
  const pem = s.type.value === 'PEM'
  const keyPassword = s.keyPassword.value === '' ? undefined : s.keyPassword.value
  if (s.key.value !== '') {
    if (!pem) fail(s.key, `SSL private key can be specified only for PEM, but key store type is ${s.type.value}.`, true)
    if (s.certificateChain.value === '') fail(s.key, 'SSL private key is specified, but certificate chain is not specified.', true)
    if (s.location.value !== '') fail(s.location, 'Both SSL key store location and separate private key are specified.')
    if (s.password.value !== '') fail(s.password, 'SSL key store password cannot be specified with PEM format, only key password may be specified.', true)
    return { key: s.key.value, cert: s.certificateChain.value, passphrase: keyPassword }
  }
  if (s.certificateChain.value !== '') fail(s.certificateChain, 'SSL certificate chain is specified, but private key is not specified')
  if (pem && s.location.value !== '') {
    if (s.password.value !== '') fail(s.password, 'SSL key store password cannot be specified with PEM format, only key password may be specified.', true)
    const text = readStore(s.location).toString('utf8')
    return { key: text, cert: text, passphrase: keyPassword }
  }
  if (s.location.value === '' && s.password.value !== '') fail(s.password, 'SSL key store is not specified, but key store password is specified.', true)
  if (s.location.value !== '' && s.password.value === '') fail(s.location, 'SSL key store is specified, but key store password is not specified.')
  if (s.location.value === '') return null
  const bytes = readStore(s.location)
  if (isJks(bytes)) return jksKeyMaterial(s, bytes)
  // Node gives a PKCS12 file one password for the file and its key, as keytool and openssl make them.
  return { pfx: bytes, passphrase: keyPassword ?? s.password.value }
}

/** The CA certificates client certificates are checked against; null: Node's (the system's) roots. */
export function trustedCertificates (s: TrustStoreSettings): string | null {
  const pem = s.type.value === 'PEM'
  if (s.certificates.value !== '') {
    if (!pem) fail(s.certificates, `SSL trust store certs can be specified only for PEM, but trust store type is ${s.type.value}.`)
    if (s.location.value !== '') fail(s.location, 'Both SSL trust store location and separate trust certificates are specified.')
    if (s.password.value !== '') fail(s.password, 'SSL trust store password cannot be specified for PEM format.', true)
    return s.certificates.value
  }
  if (s.location.value === '' && s.password.value !== '') fail(s.password, 'SSL trust store is not specified, but trust store password is specified.', true)
  if (s.location.value === '') return null
  if (pem) {
    if (s.password.value !== '') fail(s.password, 'SSL trust store password cannot be specified for PEM format.', true)
    return readStore(s.location).toString('utf8')
  }
  const bytes = readStore(s.location)
  if (isJks(bytes)) {
    // Java trusts a trust store's certificate entries, and the certificate of each key entry.
    const entries = jksEntries(s.location, s.password, bytes, 'trust store')
    const certificates = [...entries.trusted, ...entries.keys.flatMap(k => k.chain.slice(0, 1))]
    if (certificates.length === 0) fail(s.location, 'the JKS trust store holds no certificate')
    return certificatesPem(certificates)
  }
  let certificates: Buffer[]
  try {
    certificates = pkcs12Certificates(bytes, s.password.value === '' ? null : s.password.value)
  } catch (error) {
    if (error instanceof Pkcs12PasswordError) fail(s.password, `${s.password.value === '' ? 'the trust store\'s certificates are encrypted: give its password' : 'wrong password for the trust store'} (${error.message})`, true)
    fail(s.location, `cannot read the PKCS12 trust store (${(error as Error).message}); ` +
      `export its certificates with openssl pkcs12 -in ${s.location.value} -nokeys -out truststore.pem, and set ${s.type.key}=PEM and ${s.location.key}=truststore.pem`)
  }
  if (certificates.length === 0) fail(s.location, 'the PKCS12 trust store holds no certificate')
  return certificatesPem(certificates)
}
