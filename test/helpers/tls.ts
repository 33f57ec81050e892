// Certificates for the TLS suites, made with the openssl CLI into a temp directory: a CA, the broker's
// certificate (SAN localhost and 127.0.0.1) as a PKCS12 key store, a PEM key store (key and chain in
// one file) and an encrypted PEM key, the CA as a PKCS12 trust store, and client certificates signed
// by the CA, plus one that is not.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const STORE_PASSWORD = 'store-secret'
export const KEY_PASSWORD = 'key-secret'
/** The client certificates' subjects, as openssl takes them (most general first). */
export const CLIENT_SUBJECTS = { alice: '/C=US/O=Example/OU=eng/CN=alice', bob: '/C=US/O=Example/OU=ops/CN=bob' } as const

export interface ClientCertificate { cert: string, key: string, certPem: string, keyPem: string }

export interface Certificates {
  dir: string
  /** The CA certificate (PEM file, and its text). */
  ca: string
  caPem: string
  /** The broker's PKCS12 key store (password STORE_PASSWORD). */
  serverP12: string
  /** A PKCS12 trust store holding the CA certificate (password STORE_PASSWORD). */
  trustP12: string
  /** The broker's key and certificate chain in one PEM file (key unencrypted). */
  serverPem: string
  /** The broker's key encrypted with KEY_PASSWORD (PKCS#8 PEM), and its certificate chain. */
  serverEncryptedKey: string
  serverChain: string
  alice: ClientCertificate
  bob: ClientCertificate
  /** A client certificate the CA did not sign. */
  stranger: ClientCertificate
  remove: () => void
}

/** EC P-256 keys: an RSA key takes openssl ~1 s to make on a loaded machine. */
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1']

const openssl = (args: string[], cwd: string): void => {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
}

function issue (dir: string, name: string, subject: string, options: { ca?: string, caKey?: string, ext?: string }): ClientCertificate {
  openssl(['req', ...NEW_KEY, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], dir)
  const ca = options.ca ?? 'ca.pem'
  const caKey = options.caKey ?? 'ca.key'
  const extArgs = options.ext === undefined ? [] : ['-extfile', options.ext]
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-days', '2', '-out', `${name}.pem`, ...extArgs], dir)
  const cert = join(dir, `${name}.pem`)
  const key = join(dir, `${name}.key`)
  return { cert, key, certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') }
}

export function makeCertificates (): Certificates {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-tls-'))
  openssl(['req', '-x509', ...NEW_KEY, '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Sluice Test CA'], dir)
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n')
  const server = issue(dir, 'server', '/CN=localhost', { ext: 'server.ext' })
  openssl(['pkcs12', '-export', '-inkey', 'server.key', '-in', 'server.pem', '-certfile', 'ca.pem', '-out', 'server.p12', '-passout', `pass:${STORE_PASSWORD}`], dir)
  openssl(['pkcs12', '-export', '-nokeys', '-in', 'ca.pem', '-out', 'trust.p12', '-passout', `pass:${STORE_PASSWORD}`], dir)
  writeFileSync(join(dir, 'server-store.pem'), server.keyPem + server.certPem)
  openssl(['pkcs8', '-topk8', '-in', 'server.key', '-out', 'server-encrypted.key', '-passout', `pass:${KEY_PASSWORD}`], dir)
  const alice = issue(dir, 'alice', CLIENT_SUBJECTS.alice, {})
  const bob = issue(dir, 'bob', CLIENT_SUBJECTS.bob, {})
  openssl(['req', '-x509', ...NEW_KEY, '-nodes', '-keyout', 'other-ca.key', '-out', 'other-ca.pem', '-days', '2', '-subj', '/CN=Other CA'], dir)
  const stranger = issue(dir, 'stranger', '/CN=stranger', { ca: 'other-ca.pem', caKey: 'other-ca.key' })
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    serverP12: join(dir, 'server.p12'),
    trustP12: join(dir, 'trust.p12'),
    serverPem: join(dir, 'server-store.pem'),
    serverEncryptedKey: readFileSync(join(dir, 'server-encrypted.key'), 'utf8'),
    serverChain: server.certPem,
    alice,
    bob,
    stranger,
    remove: () => { rmSync(dir, { recursive: true, force: true }) }
  }
}

/** Broker settings for an SSL listener first (the bootstrap) with the PKCS12 key store, and a PLAINTEXT one. */
export function sslSettings (certs: Certificates, extra: Record<string, string | number> = {}): Record<string, string | number> {
  return {
    listeners: 'SSL://127.0.0.1:0,PLAINTEXT://127.0.0.1:0',
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': certs.serverP12,
    'ssl.keystore.password': STORE_PASSWORD,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': certs.ca,
    ...extra
  }
}
