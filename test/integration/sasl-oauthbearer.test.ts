// SASL/OAUTHBEARER with Kafka's two validators, on two SASL_PLAINTEXT listeners of one broker:
//   SASL_PLAINTEXT  the unsecured validator (alg "none" JWTs), required scope "kafka", 1 s clock skew
//   SIGNED          OAuthBearerValidatorCallbackHandler: RS256/ES256 JWTs checked against a JWKS file,
//                   expected audience and issuer
// Clients: librdkafka (kcat, confluent-kafka) with its built-in unsecured JWT, kafkajs and
// @platformatic/kafka with tokens we make and sign here, kafka-python 2.0.2, our CLI, and a raw socket for the exchange's details; and a
// broker of its own whose JWKS is fetched over HTTP from a server in this test.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Producer, stringSerializers } from '@platformatic/kafka'
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes, type SASLOptions } from 'kafkajs'
import {
  decodeApiVersionsResponse, decodeFindCoordinatorResponse, decodeMetadataResponse, decodeSaslAuthenticateResponse, decodeSaslHandshakeResponse, encodeApiVersionsRequest,
  encodeFindCoordinatorRequest, encodeMetadataRequest, encodeSaslAuthenticateRequest, encodeSaslHandshakeRequest
} from '../../src/protocol/index.js'
import { BROKER_ENTRY, startBroker, type RunningBroker } from '../helpers/broker.js'
import { has, kcat, run, runPython } from '../helpers/clients.js'
import { api, WireClient } from '../helpers/wire-client.js'

const ApiVersions = api(18, encodeApiVersionsRequest, decodeApiVersionsResponse)
const FindCoordinator = api(10, encodeFindCoordinatorRequest, decodeFindCoordinatorResponse)
const Metadata = api(3, encodeMetadataRequest, decodeMetadataResponse)
const SaslHandshake = api(17, encodeSaslHandshakeRequest, decodeSaslHandshakeResponse)
const SaslAuthenticate = api(36, encodeSaslAuthenticateRequest, decodeSaslAuthenticateResponse)

const NONE = 0
const ILLEGAL_SASL_STATE = 34
const SASL_AUTHENTICATION_FAILED = 58
const INVALID_TOKEN = '{"status":"invalid_token"}'

const CONFLUENT_SCRIPT = fileURLToPath(new URL('py/confluent_client.py', import.meta.url))
const KAFKA_PYTHON_SCRIPT = fileURLToPath(new URL('py/kafka_python_client.py', import.meta.url))
const LOGIN_MODULE = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule'
const ISSUER = 'https://issuer.sluice.test'

let broker: RunningBroker
let dir: string
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
/** A key the JWKS does not hold, under the RSA key's kid. */
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 })

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
const nowSeconds = (): number => Math.floor(Date.now() / 1000)

function unsecuredJwt (claims: Record<string, unknown>): string {
  return `${b64({ alg: 'none' })}.${b64(claims)}.`
}

function signedJwt (claims: Record<string, unknown>, { key = rsa.privateKey, kid = 'rsa-1', alg = 'RS256' }: { key?: KeyObject, kid?: string, alg?: string } = {}): string {
  const input = `${b64({ alg, kid, typ: 'JWT' })}.${b64(claims)}`
  const signature = alg === 'ES256'
    ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
    : sign('sha256', Buffer.from(input), key)
  return `${input}.${signature.toString('base64url')}`
}

const aliceClaims = (lifeSeconds = 600): Record<string, unknown> => ({ sub: 'alice', iat: nowSeconds(), exp: nowSeconds() + lifeSeconds, scope: ['kafka'] })
const signedClaims = (extra: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ sub: 'alice', iat: nowSeconds(), exp: nowSeconds() + 600, aud: 'sluice', iss: ISSUER, ...extra })

const oauth = (token: () => string): SASLOptions => ({ mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: token() }) })
const kafka = (sasl: SASLOptions, port = broker.port, options: Partial<ConstructorParameters<typeof Kafka>[0]> = {}): Kafka =>
  new Kafka({ clientId: 'sluice-oauth', brokers: [`127.0.0.1:${port}`], sasl, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 10_000, ...options })

async function produce (client: Kafka, topic: string, value: string): Promise<number | undefined> {
  const producer = client.producer()
  await producer.connect()
  try {
    const [sent] = await producer.send({ topic, messages: [{ value }] })
    return sent?.errorCode
  } finally {
    await producer.disconnect()
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-oauth-'))
  const jwks = join(dir, 'jwks.json')
  writeFileSync(jwks, JSON.stringify({
    keys: [
      { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', use: 'sig', alg: 'RS256' },
      { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1' }
    ]
  }))
  broker = await startBroker({
    settings: {
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0,SIGNED://127.0.0.1:0,PLAINTEXT://127.0.0.1:0',
      'listener.security.protocol.map': 'SASL_PLAINTEXT:SASL_PLAINTEXT,SIGNED:SASL_PLAINTEXT,PLAINTEXT:PLAINTEXT',
      'sasl.enabled.mechanisms': 'OAUTHBEARER',
      'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config':
        `${LOGIN_MODULE} required unsecuredValidatorRequiredScope="kafka" unsecuredValidatorAllowableClockSkewMs="1000";`,
      'listener.name.signed.oauthbearer.sasl.jaas.config': `${LOGIN_MODULE} required;`,
      'listener.name.signed.oauthbearer.sasl.server.callback.handler.class': 'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
      'listener.name.signed.oauthbearer.sasl.oauthbearer.jwks.endpoint.url': pathToFileURL(jwks).href,
      'sasl.oauthbearer.expected.audience': 'sluice,other',
      'sasl.oauthbearer.expected.issuer': ISSUER,
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'allow.everyone.if.no.acl.found': 'true'
    }
  })
}, 30_000)

afterAll(async () => {
  await broker?.stop()
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

describe.skipIf(!has.kcat)('kcat (librdkafka 2.0.2) with its unsecured JWT', () => {
  const rdkafka = (config: string): string[] => [
    '-b', broker.bootstrap, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=OAUTHBEARER',
    '-X', 'enable.sasl.oauthbearer.unsecure.jwt=true', '-X', `sasl.oauthbearer.config=${config}`
  ]

  it('produces and consumes as the token\'s principal', async () => {
    await kcat([...rdkafka('principal=alice scope=kafka'), '-P', '-t', 'rd-oauth', '-p', '0'], { input: 'via OAUTHBEARER\n' })
    expect(await kcat([...rdkafka('principal=alice scope=kafka'), '-C', '-t', 'rd-oauth', '-p', '0', '-o', 'beginning', '-e', '-q'])).toBe('via OAUTHBEARER\n')
  }, 60_000)

  it('fails with a token that lacks the required scope, or whose principal is not in sub, and the broker stays up', async () => {
    const scope = await run('kcat', [...rdkafka('principal=alice scope=other'), '-L', '-m', '5'], { timeoutMs: 30_000 })
    expect(scope.code).not.toBe(0)
    expect(scope.stderr).toContain('{"status":"insufficient_scope", "scope":"[kafka]"}')
    const sub = await run('kcat', [...rdkafka('principalClaimName=user principal=alice scope=kafka'), '-L', '-m', '5'], { timeoutMs: 30_000 })
    expect(sub.code).not.toBe(0)
    expect(sub.stderr).toContain(INVALID_TOKEN)
    expect(await kcat([...rdkafka('principal=alice scope=kafka'), '-C', '-t', 'rd-oauth', '-p', '0', '-o', 'beginning', '-e', '-q'])).toBe('via OAUTHBEARER\n')
  }, 90_000)
})

describe.skipIf(!has.confluentKafka)('confluent-kafka (librdkafka 2.0.2) with its unsecured JWT', () => {
  const config = (oauth: string): Record<string, string> => ({
    'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'OAUTHBEARER', 'enable.sasl.oauthbearer.unsecure.jwt': 'true', 'sasl.oauthbearer.config': oauth
  })

  it('produces and consumes; a token without the required scope is refused', async () => {
    const request = { bootstrap: broker.bootstrap, topic: 'ck-oauth', config: config('principal=alice scope=kafka') }
    const sent = await runPython<{ undelivered: number, reports: Array<{ error: string | null }> }>('confluent_kafka', CONFLUENT_SCRIPT, { op: 'produce', ...request, records: [{ value: 'ck' }] })
    expect(sent).toEqual({ undelivered: 0, reports: [{ error: null, partition: 0, offset: 0 }] })
    const read = await runPython<Array<{ value: string }>>('confluent_kafka', CONFLUENT_SCRIPT, { op: 'consume', ...request, partitions: [0], count: 1 })
    expect(read.map(r => r.value)).toEqual(['ck'])
    const refused = await runPython<{ undelivered: number, reports: Array<{ error: string | null } | null> }>('confluent_kafka', CONFLUENT_SCRIPT,
      { op: 'produce', ...request, config: { ...config('principal=alice scope=other'), 'message.timeout.ms': '3000' }, records: [{ value: 'no' }] })
    expect(refused.reports[0]?.error).toMatch(/timed out/i)
    expect(broker.output()).toContain('"reason":"{\\"status\\":\\"insufficient_scope\\", \\"scope\\":\\"[kafka]\\"}"')
  }, 90_000)

  it('is refused an expired token its oauth_cb hands over, and produces with a current one', async () => {
    const base = { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'OAUTHBEARER' }
    const request = { op: 'produce', bootstrap: broker.bootstrap, topic: 'ck-oauth-cb', config: base, records: [{ value: 'cb' }] }
    const expired = unsecuredJwt({ sub: 'alice', iat: nowSeconds() - 600, exp: nowSeconds() - 60, scope: ['kafka'] })
    const refused = await runPython<{ undelivered: number, reports: Array<{ error: string | null } | null> }>('confluent_kafka', CONFLUENT_SCRIPT,
      { ...request, config: { ...base, 'message.timeout.ms': '3000' }, oauth_token: expired })
    expect(refused.reports[0]?.error).toMatch(/timed out/i)
    // librdkafka answered the error JSON with %x01, so the exchange failed and the broker logged why.
    expect(broker.output()).toMatch(/"cause":"The indicated time [^"]* was on or after the Expiration Time value [^"]*","msg":"SASL authentication failed"/)
    const sent = await runPython<{ undelivered: number, reports: Array<{ error: string | null }> }>('confluent_kafka', CONFLUENT_SCRIPT, { ...request, oauth_token: unsecuredJwt(aliceClaims()) })
    expect(sent).toEqual({ undelivered: 0, reports: [{ error: null, partition: 0, offset: 0 }] })
  }, 90_000)
})

describe.skipIf(!has.kafkaPython)('kafka-python 2.0.2 (sasl_oauth_token_provider)', () => {
  it('produces and consumes with an unsecured JWT', async () => {
    const sasl = { mechanism: 'OAUTHBEARER', token: unsecuredJwt(aliceClaims()) }
    const sent = await runPython<Array<{ offset: number }>>('kafka', KAFKA_PYTHON_SCRIPT, { op: 'produce', bootstrap: broker.bootstrap, sasl, topic: 'py-oauth', records: [{ value: 'py' }] })
    expect(sent).toEqual([{ partition: 0, offset: 0 }])
    const read = await runPython<Array<{ value: string }>>('kafka', KAFKA_PYTHON_SCRIPT, { op: 'consume', bootstrap: broker.bootstrap, sasl, topic: 'py-oauth', partitions: [0], count: 1 })
    expect(read.map(r => r.value)).toEqual(['py'])
  }, 60_000)
})

describe('kafkajs', () => {
  it('produces with an unsecured JWT, and fails with an expired one (the broker answers its next request ILLEGAL_SASL_STATE)', async () => {
    expect(await produce(kafka(oauth(() => unsecuredJwt(aliceClaims()))), 'js-oauth', 'unsecured')).toBe(NONE)
    const expired = { sub: 'alice', iat: nowSeconds() - 600, exp: nowSeconds() - 60, scope: ['kafka'] }
    await expect(produce(kafka(oauth(() => unsecuredJwt(expired))), 'js-oauth', 'expired')).rejects.toThrow(/not valid given the current SASL state/)
  }, 30_000)

  it('produces with RS256 and ES256 tokens verified by the JWKS', async () => {
    const port = broker.listenerPorts.SIGNED!
    expect(await produce(kafka(oauth(() => signedJwt(signedClaims())), port), 'js-signed', 'rs256')).toBe(NONE)
    expect(await produce(kafka(oauth(() => signedJwt(signedClaims({ aud: ['x', 'other'] }), { key: ec.privateKey, kid: 'ec-1', alg: 'ES256' })), port), 'js-signed', 'es256')).toBe(NONE)
  }, 30_000)

  it('is refused a signed token of another audience or issuer, by a key not in the JWKS, or an unsecured one', async () => {
    const port = broker.listenerPorts.SIGNED!
    for (const token of [
      signedJwt(signedClaims({ aud: 'elsewhere' })),
      signedJwt(signedClaims({ iss: 'https://evil.test' })),
      signedJwt(signedClaims(), { key: stranger.privateKey }),
      signedJwt(signedClaims({ exp: nowSeconds() - 120 })),
      unsecuredJwt(signedClaims())
    ]) {
      await expect(produce(kafka(oauth(() => token), port), 'js-signed', 'refused')).rejects.toThrow(/not valid given the current SASL state/)
    }
  }, 60_000)

  it('ACLs see the token\'s principal', async () => {
    const admin = kafka({} as SASLOptions, broker.listenerPorts.PLAINTEXT, { sasl: undefined }).admin()
    await admin.connect()
    await admin.createAcls({
      acl: [{
        resourceType: AclResourceTypes.TOPIC, resourceName: 'acl-oauth', resourcePatternType: ResourcePatternTypes.LITERAL,
        principal: 'User:alice', host: '*', operation: AclOperationTypes.ALL, permissionType: AclPermissionTypes.ALLOW
      }]
    })
    await admin.disconnect()
    expect(await produce(kafka(oauth(() => unsecuredJwt(aliceClaims()))), 'acl-oauth', 'alice')).toBe(NONE)
    const bob = { ...aliceClaims(), sub: 'bob' }
    await expect(produce(kafka(oauth(() => unsecuredJwt(bob))), 'acl-oauth', 'bob')).rejects.toThrow(/Not authorized to access topics/)
  }, 30_000)

  it('re-authenticates before its short-lived tokens expire and keeps producing (KIP-368)', async () => {
    let tokens = 0
    // kafkajs re-authenticates this long before the session ends; Kafka lets a connection begin at most once a second.
    const client = kafka(oauth(() => { tokens++; return unsecuredJwt(aliceClaims(8)) }), broker.port, { reauthenticationThreshold: 4000 })
    const producer = client.producer()
    await producer.connect()
    try {
      const started = Date.now()
      let sent = 0
      // Sends past two token lifetimes: an expired session would close the connection and fail a send.
      while (Date.now() - started < 16_000) {
        const [answer] = await producer.send({ topic: 'js-reauth', messages: [{ value: `m${sent}` }] })
        expect(answer?.errorCode).toBe(NONE)
        sent++
        await new Promise(resolve => setTimeout(resolve, 200))
      }
      expect(tokens).toBeGreaterThan(2)
    } finally {
      await producer.disconnect()
    }
  }, 60_000)
})

describe('@platformatic/kafka', () => {
  it('produces with a signed token; a refused one fails the connection', async () => {
    const producer = (token: string): Producer<string, string, string, string> => new Producer({
      clientId: 'sluice-oauth-pk', bootstrapBrokers: [`127.0.0.1:${broker.listenerPorts.SIGNED!}`], serializers: stringSerializers, retries: 0, autocreateTopics: true,
      sasl: { mechanism: 'OAUTHBEARER', token }
    })
    const good = producer(signedJwt(signedClaims()))
    try {
      const sent = await good.send({ messages: [{ topic: 'pk-oauth', value: 'v' }] })
      expect(sent.offsets?.[0]).toMatchObject({ topic: 'pk-oauth', offset: 0n })
    } finally {
      await good.close()
    }
    const refused = producer(signedJwt(signedClaims({ iss: 'https://evil.test' })))
    try {
      const error = await refused.send({ messages: [{ topic: 'pk-oauth', value: 'no' }] }).then(() => null, (e: unknown) => e)
      // @platformatic/kafka 1.35 reports the error JSON but goes on to ApiVersions, which the broker then
      // answers ILLEGAL_SASL_STATE before closing (as Kafka); either way the producer fails.
      expect(error).toBeInstanceOf(Error)
      expect(`${String(error)} ${JSON.stringify((error as { response?: unknown }).response ?? null)}`).toMatch(/OAUTHBEARER token|"errorCode":34/)
    } finally {
      await refused.close()
    }
  }, 30_000)
})

describe('the OAUTHBEARER exchange on the wire', () => {
  const initial = (token: string, authzid = '', extensions = ''): Buffer => Buffer.from(`n,${authzid === '' ? '' : `a=${authzid}`},\u0001auth=Bearer ${token}${extensions}\u0001\u0001`)

  async function authenticating (): Promise<WireClient> {
    const client = await WireClient.open(broker)
    expect((await client.call(SaslHandshake, 1, { mechanism: 'OAUTHBEARER' })).errorCode).toBe(NONE)
    return client
  }

  it('gives the token\'s remaining lifetime as session_lifetime_ms, and accepts extensions and a matching authzid', async () => {
    const client = await authenticating()
    const exp = nowSeconds() + 30
    const answer = await client.call(SaslAuthenticate, 2, { authBytes: initial(unsecuredJwt({ sub: 'alice', exp, scope: 'kafka' }), 'alice', '\u0001traceId=abc 1') })
    expect(answer.errorCode).toBe(NONE)
    expect(answer.sessionLifetimeMs).toBeGreaterThan(0)
    expect(answer.sessionLifetimeMs).toBeLessThanOrEqual(exp * 1000 - Date.now() + 1000)
    expect((await client.call(Metadata, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })).brokers).toHaveLength(1)
    client.close()
  })

  it('answers an invalid token with RFC 7628\'s error JSON, then fails the exchange with it after the client\'s %x01, and closes', async () => {
    const client = await authenticating()
    const expired = unsecuredJwt({ sub: 'alice', iat: nowSeconds() - 60, exp: nowSeconds() - 10, scope: 'kafka' })
    const challenge = await client.call(SaslAuthenticate, 2, { authBytes: initial(expired) })
    expect(challenge.errorCode).toBe(NONE)
    expect(challenge.authBytes.toString()).toBe(INVALID_TOKEN)
    expect(await client.call(SaslAuthenticate, 2, { authBytes: Buffer.from([1]) })).toMatchObject({ errorCode: SASL_AUTHENTICATION_FAILED, errorMessage: INVALID_TOKEN })
    expect(await client.closesWithin(10_000)).toBe(true)
  })

  it('refuses an authzid other than the token\'s principal, and a malformed message, with Kafka\'s messages', async () => {
    const authzid = await authenticating()
    expect(await authzid.call(SaslAuthenticate, 2, { authBytes: initial(unsecuredJwt(aliceClaims()), 'bob') })).toMatchObject({
      errorCode: SASL_AUTHENTICATION_FAILED,
      errorMessage: 'Authentication failed: Client requested an authorization id (bob) that is different from the token\'s principal name (alice)'
    })
    expect(await authzid.closesWithin(10_000)).toBe(true)
    const malformed = await authenticating()
    expect(await malformed.call(SaslAuthenticate, 2, { authBytes: Buffer.from(`n,,auth=Bearer ${unsecuredJwt(aliceClaims())}`) })).toMatchObject({
      errorCode: SASL_AUTHENTICATION_FAILED, errorMessage: 'Authentication failed during authentication due to invalid credentials with SASL mechanism OAUTHBEARER'
    })
    expect(await malformed.closesWithin(10_000)).toBe(true)
  })

  it('answers Metadata and ApiVersions during the exchange ILLEGAL_SASL_STATE in their own format and closes, closes on another request (as Kafka)', async () => {
    const client = await authenticating()
    const answer = await client.call(Metadata, 12, { topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: 't' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })
    expect(answer.brokers).toEqual([])
    expect(answer.topics.map(t => [t.name, t.errorCode])).toEqual([['t', ILLEGAL_SASL_STATE]])
    expect(await client.closesWithin(10_000)).toBe(true)
    const versions = await authenticating()
    expect((await versions.call(ApiVersions, 3, { clientSoftwareName: 'wire', clientSoftwareVersion: '1' })).errorCode).toBe(ILLEGAL_SASL_STATE)
    expect(await versions.closesWithin(10_000)).toBe(true)
    const other = await authenticating()
    await expect(other.call(FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['g'] })).rejects.toThrow(/closed/)
  })
})

describe('a JWKS fetched over HTTP', () => {
  /** Whether the listener at `port` accepts `token` (a refused token is answered with error JSON). */
  async function accepts (port: number, token: string): Promise<boolean> {
    const client = await WireClient.open(broker, 'wire', port)
    try {
      expect((await client.call(SaslHandshake, 1, { mechanism: 'OAUTHBEARER' })).errorCode).toBe(NONE)
      const answer = await client.call(SaslAuthenticate, 2, { authBytes: Buffer.from(`n,,\u0001auth=Bearer ${token}\u0001\u0001`) })
      return answer.errorCode === NONE && answer.authBytes.length === 0
    } finally {
      client.close()
    }
  }

  it('is fetched before the broker serves, and again when a token names a key it lacks (a rotated key)', async () => {
    const rotated = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    let keys: object[] = [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1' }]
    let fetches = 0
    const server = createServer((request, response) => {
      fetches++
      response.writeHead(request.url === '/jwks' ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }))
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const fetched = await startBroker({
      settings: {
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
        'sasl.enabled.mechanisms': 'OAUTHBEARER',
        'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config': `${LOGIN_MODULE} required;`,
        'listener.name.sasl_plaintext.oauthbearer.sasl.server.callback.handler.class': 'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
        'sasl.oauthbearer.jwks.endpoint.url': `${url}/jwks`,
        'sasl.oauthbearer.expected.audience': 'sluice'
      }
    })
    try {
      expect(fetches).toBe(1)
      expect(await accepts(fetched.port, signedJwt(signedClaims()))).toBe(true)
      keys = [...keys, { ...rotated.publicKey.export({ format: 'jwk' }), kid: 'ec-2' }]
      const token = signedJwt(signedClaims(), { key: rotated.privateKey, kid: 'ec-2', alg: 'ES256' })
      // The first try finds no key ec-2 and asks for a fetch (at most one a second); a later one passes.
      const deadline = Date.now() + 20_000
      let accepted = await accepts(fetched.port, token)
      while (!accepted && Date.now() < deadline) {
        await new Promise(resolve => setTimeout(resolve, 300))
        accepted = await accepts(fetched.port, token)
      }
      expect(accepted).toBe(true)
      expect(fetches).toBeGreaterThan(1)
    } finally {
      await fetched.stop()
    }
    const refused = await startBroker({
      settings: {
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
        'sasl.enabled.mechanisms': 'OAUTHBEARER',
        'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config': `${LOGIN_MODULE} required;`,
        'listener.name.sasl_plaintext.oauthbearer.sasl.server.callback.handler.class': 'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
        'sasl.oauthbearer.jwks.endpoint.url': `${url}/missing`
      },
      readyTimeoutMs: 15_000
    }).then(async b => { await b.stop(); return null }, (e: unknown) => e)
    server.close()
    expect((refused as Error).message).toMatch(/cannot fetch the JWKS from .*\/missing: HTTP 404/)
  }, 60_000)
})

describe('the sluice CLI', () => {
  it('authenticates with --sasl-oauth-token-file and with SLUICE_SASL_OAUTH_TOKEN; a refused token fails with Kafka\'s message', async () => {
    const tokenFile = join(dir, 'token')
    writeFileSync(tokenFile, unsecuredJwt(aliceClaims()) + '\n')
    const bootstrap = `127.0.0.1:${broker.port}`
    const produced = await run(process.execPath, [BROKER_ENTRY, 'produce', 'cli-oauth', '-b', bootstrap, '--sasl-mechanism', 'OAUTHBEARER', '--sasl-oauth-token-file', tokenFile], { input: 'one\n' })
    expect(produced.code).toBe(0)
    const listed = await run(process.execPath, [BROKER_ENTRY, 'topics', 'list', '-b', bootstrap, '--sasl-mechanism', 'OAUTHBEARER'],
      { env: { ...process.env, SLUICE_SASL_OAUTH_TOKEN: unsecuredJwt(aliceClaims()) } })
    expect(listed.code).toBe(0)
    expect(listed.stdout).toContain('cli-oauth')
    const refused = await run(process.execPath, [BROKER_ENTRY, 'topics', 'list', '-b', bootstrap, '--sasl-mechanism', 'OAUTHBEARER', '--sasl-oauth-token', unsecuredJwt({ ...aliceClaims(), scope: [] })])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('SASL_AUTHENTICATION_FAILED')
    expect(refused.stderr).toContain('insufficient_scope')
  }, 60_000)
})

describe('a bad OAUTHBEARER config stops start-up, naming the key', () => {
  const refusal = async (settings: Record<string, string>): Promise<string> => {
    const base = { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'OAUTHBEARER', 'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config': `${LOGIN_MODULE} required;` }
    const error = await startBroker({ settings: { ...base, ...settings }, readyTimeoutMs: 15_000 }).then(async b => { await b.stop(); return null }, (e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    return (error as Error).message
  }
  const jwksValidator = { 'listener.name.sasl_plaintext.oauthbearer.sasl.server.callback.handler.class': 'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler' }

  it('no JWKS, or one that is not a JWKS', async () => {
    expect(await refusal(jwksValidator)).toMatch(/sasl\.oauthbearer\.jwks\.endpoint\.url.*give its URL/)
    const notJwks = join(dir, 'not-jwks.json')
    writeFileSync(notJwks, '{"kty":"RSA"}')
    expect(await refusal({ ...jwksValidator, 'sasl.oauthbearer.jwks.endpoint.url': pathToFileURL(notJwks).href })).toMatch(/sasl\.oauthbearer\.jwks\.endpoint\.url.*expected a JWKS/)
  }, 30_000)

  it('an unknown callback handler, and OAUTHBEARER without its login module', async () => {
    expect(await refusal({ 'listener.name.sasl_plaintext.oauthbearer.sasl.server.callback.handler.class': 'com.example.Handler' }))
      .toMatch(/listener\.name\.sasl_plaintext\.oauthbearer\.sasl\.server\.callback\.handler\.class.*two OAUTHBEARER validators/)
    expect(await refusal({ 'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required;' }))
      .toMatch(/oauthbearer\.sasl\.jaas\.config.*expected org\.apache\.kafka\.common\.security\.oauthbearer\.OAuthBearerLoginModule/)
  }, 30_000)
})
