// How an SSL or SASL_SSL listener's ssl.* settings become its TLS settings (listener-prefixed keys
// winning, as in Kafka), and which mistakes stop start-up, each naming its key and never a password.
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../../../src/config/broker-config.js'
import { listenerSpecs } from '../../../../src/config/listener-config.js'
import { readJks, recoverKey } from '../../../../src/broker/tls/jks.js'
import { pkcs12Certificates } from '../../../../src/broker/tls/pkcs12.js'
import { openSslCipherName } from '../../../../src/broker/tls/tls-config.js'
import { KEY_PASSWORD, makeCertificates, STORE_PASSWORD, type Certificates } from '../../../helpers/tls.js'

const FIXTURES = new URL('../../../fixtures/jks/', import.meta.url)
const JKS_STORE = fileURLToPath(new URL('broker.jks', FIXTURES))
const JKS_TRUST = fileURLToPath(new URL('trust.jks', FIXTURES))

let certs: Certificates
beforeAll(() => { certs = makeCertificates() })
afterAll(() => { certs?.remove() })

const p12 = (): Record<string, string> => ({ 'ssl.keystore.type': 'PKCS12', 'ssl.keystore.location': certs.serverP12, 'ssl.keystore.password': STORE_PASSWORD })
const tlsOf = (flags: Record<string, string>, listener = 0): NonNullable<ReturnType<typeof listenerSpecs>[number]['tls']> => {
  const tls = listenerSpecs(loadConfig({ flags }))[listener]?.tls
  if (tls === null || tls === undefined) throw new Error('no TLS settings')
  return tls
}
const refusal = (flags: Record<string, string>): string => {
  try {
    loadConfig({ flags })
  } catch (error) {
    expect((error as Error).name).toBe('ConfigError')
    return (error as Error).message
  }
  throw new Error('loaded')
}

describe('TLS listener settings', () => {
  it('reads a PKCS12 key store, a PEM key store file, and an inline PEM key with its password', () => {
    expect(tlsOf({ listeners: 'SSL://127.0.0.1:0', ...p12() }).clientAuth).toBe('none')
    expect(tlsOf({ listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.serverPem }).context).toBeDefined()
    expect(tlsOf({
      listeners: 'SSL://127.0.0.1:0',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.key': certs.serverEncryptedKey,
      'ssl.keystore.certificate.chain': certs.serverChain,
      'ssl.key.password': KEY_PASSWORD
    }).context).toBeDefined()
  })

  it('takes a JKS-typed PKCS12 file, and a PKCS12-typed JKS file, as Java does', () => {
    expect(tlsOf({ listeners: 'SSL://127.0.0.1:0', ...p12(), 'ssl.keystore.type': 'JKS' }).context).toBeDefined()
    expect(tlsOf({ listeners: 'SSL://127.0.0.1:0', ...p12(), 'ssl.keystore.location': JKS_STORE, 'ssl.keystore.password': 'store-secret', 'ssl.key.password': 'key-secret' }).context).toBeDefined()
  })

  it('lets listener.name.<listener>.ssl.* override the broker-wide key', () => {
    const flags = { listeners: 'SSL://127.0.0.1:0,INTERNAL://127.0.0.1:0', 'listener.security.protocol.map': 'SSL:SSL,INTERNAL:SSL', ...p12(), 'ssl.client.auth': 'required', 'listener.name.internal.ssl.client.auth': 'requested' }
    expect(tlsOf(flags, 0).clientAuth).toBe('required')
    expect(tlsOf(flags, 1).clientAuth).toBe('requested')
    expect(refusal({ ...flags, 'listener.name.internal.ssl.keystore.location': join(certs.dir, 'missing.p12') }))
      .toMatch(/listener\.name\.internal\.ssl\.keystore\.location=".*missing\.p12": cannot read the file \(ENOENT\)/)
  })

  it('on SASL_SSL takes ssl.client.auth only listener-prefixed (KIP-684)', () => {
    const flags = {
      listeners: 'SASL_SSL://127.0.0.1:0', 'sasl.enabled.mechanisms': 'SCRAM-SHA-256', ...p12(), 'ssl.client.auth': 'required'
    }
    expect(tlsOf(flags).clientAuth).toBe('none')
    expect(tlsOf({ ...flags, 'listener.name.sasl_ssl.ssl.client.auth': 'required' }).clientAuth).toBe('required')
  })

  it('refuses a wrong key store password naming ssl.keystore.password, without echoing it', () => {
    const message = refusal({ listeners: 'SSL://127.0.0.1:0', ...p12(), 'ssl.keystore.password': 'not-the-password' })
    expect(message).toMatch(/^invalid setting ssl\.keystore\.password="\[hidden\]": wrong password for the key store/)
    expect(message).not.toContain('not-the-password')
  })

  it('refuses every wrong PEM key password naming ssl.key.password', () => {
    // 1 wrong password in 256 passes AES-CBC's padding check and yields bytes that are no key.
    for (let i = 0; i < 1000; i++) {
      expect(refusal({
        listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.type': 'PEM', 'ssl.keystore.key': certs.serverEncryptedKey, 'ssl.keystore.certificate.chain': certs.serverChain, 'ssl.key.password': `wrong-${i}`
      })).toMatch(/^invalid setting ssl\.key\.password="\[hidden\]": wrong password/)
    }
  })

  it('reads a JKS key store with its own key password, and a JKS trust store', () => {
    const jks = { listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.location': JKS_STORE, 'ssl.keystore.password': 'store-secret', 'ssl.key.password': 'key-secret' }
    expect(tlsOf({ ...jks, 'ssl.truststore.location': JKS_TRUST, 'ssl.truststore.password': 'trust-secret' }).context).toBeDefined()
    expect(refusal({ ...jks, 'ssl.keystore.password': 'wrong' })).toMatch(/^invalid setting ssl\.keystore\.password="\[hidden\]": wrong password for the key store/)
    expect(refusal({ ...jks, 'ssl.key.password': 'wrong' })).toMatch(/^invalid setting ssl\.key\.password="\[hidden\]": wrong password for the private key/)
    expect(refusal({ ...jks, 'ssl.truststore.location': JKS_TRUST, 'ssl.truststore.password': 'wrong' })).toMatch(/^invalid setting ssl\.truststore\.password="\[hidden\]": wrong password for the trust store/)
  })

  it('reads the certificates and the private key keytool stored', () => {
    const entries = readJks(readFileSync(JKS_TRUST), 'trust-secret')
    const expected = new X509Certificate(readFileSync(new URL('broker.pem', FIXTURES)))
    expect(entries.keys).toEqual([])
    expect(entries.trusted.map(der => new X509Certificate(der).fingerprint256)).toEqual([expected.fingerprint256])
    const [entry] = readJks(readFileSync(JKS_STORE), null).keys
    const certificate = new X509Certificate(entry!.chain[0]!)
    expect(certificate.fingerprint256).toBe(expected.fingerprint256)
    expect(certificate.checkPrivateKey(createPrivateKey({ key: recoverKey(entry!.protectedKey, 'key-secret'), format: 'der', type: 'pkcs8' }))).toBe(true)
  })

  it.each([
    [{ 'ssl.keystore.password': '' }, /ssl\.keystore\.location.*SSL key store is specified, but key store password is not specified/],
    [{ 'ssl.keystore.type': 'PEM' }, /ssl\.keystore\.password="\[hidden\]".*cannot be specified with PEM format/],
    [{ 'ssl.enabled.protocols': 'TLSv1.1,TLSv1.2' }, /ssl\.enabled\.protocols.*TLSv1\.1 is not supported/],
    [{ 'ssl.cipher.suites': 'TLS_NOT_A_SUITE' }, /ssl\.cipher\.suites.*unknown cipher suite TLS_NOT_A_SUITE/],
    [{ 'ssl.client.auth': 'sometimes' }, /ssl\.client\.auth.*expected one of none, requested, required/],
    [{ 'ssl.principal.mapping.rules': 'RULE:x' }, /ssl\.principal\.mapping\.rules.*invalid rule/]
  ])('refuses %j', (extra, message) => {
    expect(refusal({ listeners: 'SSL://127.0.0.1:0', ...p12(), ...extra })).toMatch(message)
  })

  it('reads PKCS12 trust stores as openssl and keytool write them; a wrong or missing password names ssl.truststore.password', () => {
    const trust = { listeners: 'SSL://127.0.0.1:0', ...p12(), 'ssl.truststore.type': 'PKCS12', 'ssl.truststore.location': certs.trustP12, 'ssl.truststore.password': STORE_PASSWORD }
    expect(tlsOf(trust).context).toBeDefined()
    const fromKeytool = pkcs12Certificates(readFileSync(JKS_TRUST.replace(/\.jks$/, '.p12')), 'trust-secret')
    expect(fromKeytool.map(der => new X509Certificate(der).fingerprint256)).toEqual([new X509Certificate(readFileSync(new URL('broker.pem', FIXTURES))).fingerprint256])
    expect(pkcs12Certificates(readFileSync(certs.trustP12), STORE_PASSWORD).map(der => new X509Certificate(der).subject)).toEqual(['CN=Sluice Test CA'])
    expect(refusal({ ...trust, 'ssl.truststore.password': 'wrong' })).toMatch(/^invalid setting ssl\.truststore\.password="\[hidden\]": wrong password for the trust store/)
    expect(refusal({ ...trust, 'ssl.truststore.password': '' })).toMatch(/^invalid setting ssl\.truststore\.password="\[hidden\]": the trust store's certificates are encrypted/)
  })

  it('reads Java (IANA) cipher suite names as OpenSSL\'s', () => {
    expect(openSslCipherName('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')).toBe('ECDHE-RSA-AES128-GCM-SHA256')
    expect(openSslCipherName('TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256')).toBe('ECDHE-ECDSA-CHACHA20-POLY1305')
    expect(openSslCipherName('TLS_RSA_WITH_AES_256_CBC_SHA')).toBe('AES256-SHA')
    expect(openSslCipherName('TLS_AES_256_GCM_SHA384')).toBe('TLS_AES_256_GCM_SHA384')
    expect(tlsOf({ listeners: 'SSL://127.0.0.1:0', ...p12(), 'ssl.cipher.suites': 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_AES_128_GCM_SHA256' }).context).toBeDefined()
  })
})
