// The client side of SASL for our own client (the CLI): after ApiVersions, SaslHandshake v1 and then
// the mechanism's tokens in SaslAuthenticate (RFC 4616 PLAIN; RFC 5802 SCRAM-SHA-256/512, whose
// server signature we verify, so a broker that does not know the password cannot pass for one that does;
// RFC 7628 OAUTHBEARER with a token we are given, answering a refusal's error JSON with %x01 as RFC 7628 §3.2.2 asks).
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto'
import { ErrorCode } from '../protocol/index.js'
import { calls } from './calls.js'
import type { KafkaConnection } from './connection.js'
import { kafkaError } from './errors.js'

export type SaslCredentials = {
  mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'
  username: string
  password: string
} | {
  mechanism: 'OAUTHBEARER'
  /** A JWT (compact serialization), as the token endpoint issued it. */
  token: string
}

export const SASL_MECHANISMS: ReadonlyArray<SaslCredentials['mechanism']> = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER']

export async function authenticate (connection: KafkaConnection, sasl: SaslCredentials, timeoutMs: number): Promise<void> {
  const subject = `SASL ${sasl.mechanism} at ${connection.address}`
  // We speak SaslHandshake v1 only: its tokens travel in SaslAuthenticate.
  const handshake = await connection.request(calls.saslHandshake, () => ({ mechanism: sasl.mechanism }), { timeoutMs })
  if (handshake.errorCode !== ErrorCode.NONE) {
    throw kafkaError(handshake.errorCode, subject, `the broker offers ${handshake.mechanisms.join(', ') || 'no mechanism here'}`)
  }
  const exchange = async (token: Buffer): Promise<Buffer> => {
    const answer = await connection.request(calls.saslAuthenticate, () => ({ authBytes: token }), { timeoutMs })
    if (answer.errorCode !== ErrorCode.NONE) throw kafkaError(answer.errorCode, subject, answer.errorMessage)
    return answer.authBytes
  }
  if (sasl.mechanism === 'OAUTHBEARER') {
    const refusal = await exchange(Buffer.from(`n,,\u0001auth=Bearer ${sasl.token}\u0001\u0001`))
    // A refused token is answered with error JSON; our %x01 ends the exchange and the broker's failure throws.
    if (refusal.length > 0) {
      await exchange(Buffer.from([1]))
      throw new Error(`${subject}: the broker refused the token but did not fail the exchange (${refusal.toString('utf8')})`)
    }
    return
  }
  if (sasl.mechanism === 'PLAIN') {
    await exchange(Buffer.from(`\u0000${sasl.username}\u0000${sasl.password}`))
    return
  }
  const [hash, length] = sasl.mechanism === 'SCRAM-SHA-512' ? ['sha512', 64] : ['sha256', 32]
  const clientNonce = randomBytes(24).toString('base64url')
  const bare = `n=${sasl.username.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${clientNonce}`
  const serverFirst = (await exchange(Buffer.from(`n,,${bare}`))).toString('utf8')
  const attrs = new Map(serverFirst.split(',').map(a => [a.slice(0, 1), a.slice(2)]))
  const nonce = attrs.get('r') ?? ''
  const iterations = Number(attrs.get('i'))
  if (!nonce.startsWith(clientNonce) || nonce === clientNonce || !Number.isInteger(iterations) || iterations < 4096) {
    throw new Error(`${subject}: unacceptable server-first-message`)
  }
  const salted = pbkdf2Sync(sasl.password, Buffer.from(attrs.get('s') ?? '', 'base64'), iterations, length, hash)
  const clientKey = createHmac(hash, salted).update('Client Key').digest()
  const withoutProof = `c=biws,r=${nonce}`
  const authMessage = `${bare},${serverFirst},${withoutProof}`
  const signature = createHmac(hash, createHash(hash).update(clientKey).digest()).update(authMessage).digest()
  const proof = clientKey.map((byte, i) => byte ^ signature[i]!)
  const serverFinal = (await exchange(Buffer.from(`${withoutProof},p=${Buffer.from(proof).toString('base64')}`))).toString('utf8')
  const expected = createHmac(hash, createHmac(hash, salted).update('Server Key').digest()).update(authMessage).digest()
  const verifier = Buffer.from(serverFinal.startsWith('v=') ? serverFinal.slice(2) : '', 'base64')
  if (verifier.length !== expected.length || !timingSafeEqual(verifier, expected)) {
    throw new Error(`${subject}: the broker's signature does not match (it does not know the password)`)
  }
}
