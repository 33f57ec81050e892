// The server side of the SASL mechanisms: PLAIN (RFC 4616) and SCRAM-SHA-256/512 (RFC 5802, 7677)
// (OAUTHBEARER: oauthbearer.ts),
// with Kafka's rules and messages (PlainSaslServer, ScramSaslServer, ScramFormatter):
// - A failure whose message may reach the client is a SaslAuthenticationError; any other failure is
//   answered with the generic "Authentication failed during authentication due to invalid
//   credentials with SASL mechanism X", so that the answer does not tell whether a user exists.
// - Usernames and passwords are compared as UTF-8 bytes, unnormalized (Kafka does no SASLprep).
// - SCRAM proofs and PLAIN passwords are compared in constant time.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { SaslMechanism } from '../../config/listener-config.js'

/** A failure whose message Kafka sends to the client (its SaslAuthenticationException). */
export class SaslAuthenticationError extends Error {
  override readonly name = 'SaslAuthenticationError'
}

export interface MechanismServer {
  /** The next challenge for `token`; throws on failure. */
  evaluate: (token: Buffer) => Buffer
  readonly complete: boolean
  /** The authenticated user name, once complete. */
  readonly user: string
}

export interface ScramCredential {
  salt: Buffer
  storedKey: Buffer
  serverKey: Buffer
  iterations: number
}

export type ScramMechanism = Exclude<SaslMechanism, 'PLAIN' | 'OAUTHBEARER'>

/** Kafka's ScramMechanism: digest, and the fewest iterations it accepts (both mechanisms: 4096). */
export const SCRAM = {
  'SCRAM-SHA-256': { hash: 'sha256', type: 1 },
  'SCRAM-SHA-512': { hash: 'sha512', type: 2 }
} as const satisfies Record<ScramMechanism, { hash: string, type: number }>
export const SCRAM_MIN_ITERATIONS = 4096
export const SCRAM_MAX_ITERATIONS = 16384

export function isScram (mechanism: string): mechanism is ScramMechanism {
  return mechanism === 'SCRAM-SHA-256' || mechanism === 'SCRAM-SHA-512'
}

/** StoredKey and ServerKey from a SaltedPassword (RFC 5802 §3). */
export function scramKeys (mechanism: ScramMechanism, saltedPassword: Buffer): { storedKey: Buffer, serverKey: Buffer } {
  const { hash } = SCRAM[mechanism]
  const clientKey = createHmac(hash, saltedPassword).update('Client Key').digest()
  return {
    storedKey: createHash(hash).update(clientKey).digest(),
    serverKey: createHmac(hash, saltedPassword).update('Server Key').digest()
  }
}

export class PlainServer implements MechanismServer {
  complete = false
  user = ''

  constructor (private readonly users: ReadonlyMap<string, string>) {}

  evaluate (token: Buffer): Buffer {
    const parts = token.toString('utf8').split('\u0000')
    if (parts.length !== 3) throw new Error(`Invalid SASL/PLAIN response: expected 3 tokens, got ${parts.length}`)
    const [authzid, user, password] = parts as [string, string, string]
    if (user === '') throw new Error('Authentication failed: username not specified')
    if (password === '') throw new Error('Authentication failed: password not specified')
    const expected = this.users.get(user)
    if (expected === undefined || !equalBytes(Buffer.from(expected), Buffer.from(password))) {
      throw new SaslAuthenticationError('Authentication failed: Invalid username or password')
    }
    if (authzid !== '' && authzid !== user) throw new SaslAuthenticationError('Authentication failed: Client requested an authorization id that is different from username')
    this.user = user
    this.complete = true
    return Buffer.alloc(0)
  }
}

const CLIENT_FIRST = /^[ny],(?:a=([^,]*))?,(n=([^,]*),r=([^,]*)(.*))$/s
const CLIENT_FINAL = /^(c=[^,]*,r=([^,]*)(?:,.*)?),p=([A-Za-z0-9+/=]+)$/s

export class ScramServer implements MechanismServer {
  complete = false
  user = ''
  private credential: ScramCredential | null = null
  private nonce = ''
  private clientNonce = ''
  /** client-first-message-bare "," server-first-message: the start of the AuthMessage. */
  private transcript = ''

  constructor (private readonly mechanism: ScramMechanism, private readonly lookup: (user: string) => ScramCredential | undefined) {}

  evaluate (token: Buffer): Buffer {
    if (this.complete) throw new Error('Unexpected challenge: the SCRAM exchange is complete')
    return this.credential === null ? this.first(token.toString('utf8')) : this.final(token.toString('utf8'))
  }

  private first (message: string): Buffer {
    const match = CLIENT_FIRST.exec(message)
    if (match === null) throw new Error('Invalid SCRAM client first message format')
    const [, authzid = '', bare = '', saslName = '', clientNonce = ''] = match
    if (/=(?!2C|3D)/.test(saslName) || clientNonce === '') throw new Error('Invalid SCRAM client first message format')
    const user = saslName.replace(/=2C/g, ',').replace(/=3D/g, '=')
    const credential = this.lookup(user)
    if (credential === undefined) throw new Error('Authentication failed: Invalid user credentials')
    if (authzid !== '' && authzid !== user) throw new SaslAuthenticationError('Authentication failed: Client requested an authorization id that is different from username')
    if (credential.iterations < SCRAM_MIN_ITERATIONS) throw new Error(`Iterations ${credential.iterations} is less than the minimum ${SCRAM_MIN_ITERATIONS} for ${this.mechanism}`)
    this.user = user
    this.credential = credential
    this.clientNonce = clientNonce
    this.nonce = clientNonce + randomBytes(24).toString('base64url')
    const serverFirst = `r=${this.nonce},s=${credential.salt.toString('base64')},i=${credential.iterations}`
    this.transcript = `${bare},${serverFirst}`
    return Buffer.from(serverFirst)
  }

  private final (message: string): Buffer {
    const credential = this.credential!
    const match = CLIENT_FINAL.exec(message)
    if (match === null) throw new Error('Invalid SCRAM client final message format')
    const [, withoutProof = '', nonce, proofText = ''] = match
    // librdkafka before 2.6.1 (confluentinc/librdkafka#4895) sends its own nonce again in front of the
    // combined one; Kafka 3.8.1-3.9 accepts that (it compares with endsWith), so the doubled form counts too.
    if (nonce !== this.nonce && nonce !== this.clientNonce + this.nonce) throw new Error('Invalid client nonce in the final client message.')
    const { hash } = SCRAM[this.mechanism]
    const authMessage = `${this.transcript},${withoutProof}`
    const clientSignature = createHmac(hash, credential.storedKey).update(authMessage).digest()
    const proof = Buffer.from(proofText, 'base64')
    if (proof.length !== clientSignature.length) throw new Error('Invalid client credentials')
    for (let i = 0; i < proof.length; i++) proof[i]! ^= clientSignature[i]!
    if (!equalBytes(createHash(hash).update(proof).digest(), credential.storedKey)) throw new Error('Invalid client credentials')
    const serverSignature = createHmac(hash, credential.serverKey).update(authMessage).digest()
    this.credential = null
    this.complete = true
    return Buffer.from(`v=${serverSignature.toString('base64')}`)
  }
}

function equalBytes (a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}
