// SASL on a SASL_PLAINTEXT listener beside a PLAINTEXT one, with real clients: kafkajs (PLAIN,
// SCRAM-SHA-256, SCRAM-SHA-512, a wrong password), @platformatic/kafka (AlterUserScramCredentials,
// DescribeUserScramCredentials and a SCRAM login) and our own encoders over a raw socket for what the
// clients hide (requests before authentication, SaslHandshake outside an exchange, re-authentication).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Kafka, logLevel, type SASLOptions } from 'kafkajs'
import { alterUserScramCredentialsV0, Connection, describeUserScramCredentialsV0, Producer, stringSerializers } from '@platformatic/kafka'
import {
  decodeApiVersionsResponse, decodeDescribeClusterResponse, decodeFindCoordinatorResponse, decodeMetadataResponse, decodeSaslAuthenticateResponse, decodeSaslHandshakeResponse, encodeApiVersionsRequest,
  encodeDescribeClusterRequest, encodeFindCoordinatorRequest, encodeMetadataRequest, encodeSaslAuthenticateRequest, encodeSaslHandshakeRequest
} from '../../src/protocol/index.js'
import { answer } from '../helpers/platformatic.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { saslSettings, SHA_256, SHA_512, upsertion } from '../helpers/sasl.js'
import { api, WireClient } from '../helpers/wire-client.js'
import { WireConnection } from '../helpers/wire.js'

const ApiVersions = api(18, encodeApiVersionsRequest, decodeApiVersionsResponse)
const Metadata = api(3, encodeMetadataRequest, decodeMetadataResponse)
const SaslHandshake = api(17, encodeSaslHandshakeRequest, decodeSaslHandshakeResponse)
const SaslAuthenticate = api(36, encodeSaslAuthenticateRequest, decodeSaslAuthenticateResponse)
const FindCoordinator = api(10, encodeFindCoordinatorRequest, decodeFindCoordinatorResponse)
const DescribeCluster = api(60, encodeDescribeClusterRequest, decodeDescribeClusterResponse)

const NONE = 0
const UNSUPPORTED_SASL_MECHANISM = 33
const ILLEGAL_SASL_STATE = 34
const SASL_AUTHENTICATION_FAILED = 58
const RESOURCE_NOT_FOUND = 91
const DUPLICATE_RESOURCE = 92
const UNACCEPTABLE_CREDENTIAL = 93

let broker: RunningBroker
let admin: Connection

const kafka = (sasl: SASLOptions, clientId = 'sluice-sasl'): Kafka =>
  new Kafka({ clientId, brokers: [broker.bootstrap], sasl, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 10_000 })

async function roundTrip (sasl: SASLOptions, topic: string): Promise<string[]> {
  const client = kafka(sasl)
  const producer = client.producer()
  await producer.connect()
  await producer.send({ topic, messages: [{ value: `hello ${sasl.mechanism}` }] })
  await producer.disconnect()
  const consumer = client.consumer({ groupId: `g-${topic}` })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const seen: string[] = []
  await consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value?.toString() ?? '') } })
  const deadline = Date.now() + 20_000
  while (seen.length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
  await consumer.disconnect()
  return seen
}

beforeAll(async () => {
  // The PLAINTEXT listener advertises another host name than it binds, to tell the listeners' answers apart.
  broker = await startBroker({ settings: saslSettings({ 'connections.max.reauth.ms': 60_000, 'advertised.listeners': 'PLAINTEXT://localhost:0' }) })
  admin = new Connection('sluice-sasl-admin')
  await admin.connect('127.0.0.1', broker.listenerPorts.PLAINTEXT!)
  const altered = await alterUserScramCredentialsV0.api.async(admin, [], [upsertion('carol', SHA_256, 'carol-secret'), upsertion('dave', SHA_512, 'dave-secret', 8192)])
  expect(altered.results.map(r => [r.user, r.errorCode]).sort()).toEqual([['carol', NONE], ['dave', NONE]])
}, 30_000)

afterAll(async () => {
  await admin?.close()
  await broker?.stop()
})

describe('kafkajs over SASL_PLAINTEXT', () => {
  it('produces and consumes as a PLAIN user of the listener\'s JAAS config', async () => {
    expect(await roundTrip({ mechanism: 'plain', username: 'alice', password: 'alice-secret' }, 'sasl-plain')).toEqual(['hello plain'])
  }, 40_000)

  it('produces and consumes as SCRAM-SHA-256 and SCRAM-SHA-512 users created by AlterUserScramCredentials', async () => {
    expect(await roundTrip({ mechanism: 'scram-sha-256', username: 'carol', password: 'carol-secret' }, 'sasl-scram-256')).toEqual(['hello scram-sha-256'])
    expect(await roundTrip({ mechanism: 'scram-sha-512', username: 'dave', password: 'dave-secret' }, 'sasl-scram-512')).toEqual(['hello scram-sha-512'])
  }, 60_000)

  it('refuses a wrong password, an unknown user and a user of another mechanism with KafkaJSSASLAuthenticationError', async () => {
    const refusal = async (sasl: SASLOptions): Promise<unknown> => {
      const producer = kafka(sasl).producer()
      const error = await producer.connect().then(() => null, (e: unknown) => e)
      await producer.disconnect()
      return error
    }
    expect(await refusal({ mechanism: 'plain', username: 'alice', password: 'wrong' }))
      .toMatchObject({ name: 'KafkaJSSASLAuthenticationError', message: expect.stringContaining('Authentication failed: Invalid username or password') })
    expect(await refusal({ mechanism: 'scram-sha-256', username: 'carol', password: 'wrong' })).toMatchObject({ name: 'KafkaJSSASLAuthenticationError' })
    // dave has only a SCRAM-SHA-512 credential: as Kafka, the answer does not say whether a user exists.
    expect(await refusal({ mechanism: 'scram-sha-256', username: 'dave', password: 'dave-secret' })).toMatchObject({
      name: 'KafkaJSSASLAuthenticationError',
      message: expect.stringContaining('Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256')
    })
  }, 30_000)
})

describe('@platformatic/kafka', () => {
  it('logs in with SCRAM-SHA-512 and produces', async () => {
    const producer = new Producer({
      clientId: 'sluice-sasl-pk', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers, retries: 0, autocreateTopics: true,
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'dave', password: 'dave-secret' }
    })
    try {
      const sent = await producer.send({ messages: [{ topic: 'sasl-pk', value: 'v' }] })
      expect(sent.offsets?.[0]).toMatchObject({ topic: 'sasl-pk', offset: 0n })
    } finally {
      await producer.close()
    }
  }, 30_000)
})

describe('SCRAM credential APIs', () => {
  it('describes each user\'s mechanisms and iterations, every user when none is named', async () => {
    const all = await describeUserScramCredentialsV0.api.async(admin, [])
    const byUser = Object.fromEntries(all.results.map(r => [r.user, r.credentialInfos.map(c => [c.mechanism, c.iterations])]))
    expect(byUser).toMatchObject({ carol: [[SHA_256, 4096]], dave: [[SHA_512, 8192]] })
    const named = await answer(describeUserScramCredentialsV0.api.async(admin, [{ name: 'carol' }, { name: 'nobody' }, { name: 'dave' }, { name: 'dave' }]))
    expect(Object.fromEntries(named.results.map(r => [r.user, [r.errorCode, r.errorMessage]]))).toEqual({
      carol: [NONE, null],
      nobody: [RESOURCE_NOT_FOUND, 'Attempt to describe a user credential that does not exist: nobody'],
      dave: [DUPLICATE_RESOURCE, 'Cannot describe SCRAM credentials for the same user twice in a single request: dave']
    })
  })

  it('refuses what Kafka refuses, user by user, and applies the rest', async () => {
    const response = await answer(alterUserScramCredentialsV0.api.async(admin,
      [{ name: 'ghost', mechanism: SHA_256 }, { name: 'twice', mechanism: SHA_256 }],
      [
        upsertion('few', SHA_256, 'x', 1024), upsertion('many', SHA_512, 'x', 20_000), upsertion('', SHA_256, 'x'),
        upsertion('odd', 7, 'x'), upsertion('twice', SHA_512, 'x'), upsertion('erin', SHA_256, 'erin-secret')
      ]))
    expect(Object.fromEntries(response.results.map(r => [r.user, [r.errorCode, r.errorMessage]]))).toEqual({
      ghost: [RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist'],
      twice: [RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist'],
      few: [UNACCEPTABLE_CREDENTIAL, 'Too few iterations'],
      many: [UNACCEPTABLE_CREDENTIAL, 'Too many iterations'],
      '': [UNACCEPTABLE_CREDENTIAL, 'Username must not be empty'],
      odd: [UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism'],
      erin: [NONE, null]
    })
    const dup = await answer(alterUserScramCredentialsV0.api.async(admin, [{ name: 'erin', mechanism: SHA_256 }], [upsertion('erin', SHA_512, 'y')]))
    expect(dup.results.map(r => [r.user, r.errorCode])).toEqual([['erin', DUPLICATE_RESOURCE]])
    const removed = await alterUserScramCredentialsV0.api.async(admin, [{ name: 'erin', mechanism: SHA_256 }], [])
    expect(removed.results.map(r => [r.user, r.errorCode])).toEqual([['erin', NONE]])
    const described = await answer(describeUserScramCredentialsV0.api.async(admin, [{ name: 'erin' }]))
    expect(described.results[0]?.errorCode).toBe(RESOURCE_NOT_FOUND)
  })
})

describe('the SASL exchange on the wire', () => {
  const plainToken = (user: string, password: string): Buffer => Buffer.from(`\u0000${user}\u0000${password}`)

  it('closes a connection whose first request on the SASL listener is not ApiVersions or SaslHandshake, and stays up', async () => {
    const client = await WireClient.open(broker)
    await expect(client.call(Metadata, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })).rejects.toThrow(/closed/)
    client.close()
    const next = await WireClient.open(broker)
    expect((await next.call(ApiVersions, 3, { clientSoftwareName: 'wire', clientSoftwareVersion: '1' })).errorCode).toBe(NONE)
    next.close()
  })

  it('closes an unauthenticated connection that announces a frame above sasl.server.max.receive.size (512 KiB); an authenticated one may send more', async () => {
    const wire = await WireConnection.open('127.0.0.1', broker.port)
    const size = Buffer.alloc(4)
    size.writeInt32BE(600_000)
    wire.write(size)
    expect(await wire.closesWithin(10_000)).toBe(true)
    const producer = kafka({ mechanism: 'plain', username: 'alice', password: 'alice-secret' }).producer()
    await producer.connect()
    const [sent] = await producer.send({ topic: 'sasl-large', messages: [{ value: Buffer.alloc(700_000, 1) }] })
    expect(sent?.errorCode).toBe(NONE)
    await producer.disconnect()
  }, 30_000)

  it('answers an unknown mechanism UNSUPPORTED_SASL_MECHANISM with the enabled list, then closes', async () => {
    const client = await WireClient.open(broker)
    expect(await client.call(SaslHandshake, 1, { mechanism: 'GSSAPI' })).toEqual({ errorCode: UNSUPPORTED_SASL_MECHANISM, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] })
    expect(await client.closesWithin(10_000)).toBe(true)
  })

  it('answers a failed SaslAuthenticate SASL_AUTHENTICATION_FAILED with Kafka\'s message, then closes', async () => {
    const client = await WireClient.open(broker)
    expect((await client.call(SaslHandshake, 1, { mechanism: 'PLAIN' })).errorCode).toBe(NONE)
    const failed = await client.call(SaslAuthenticate, 2, { authBytes: plainToken('alice', 'nope') })
    expect(failed).toMatchObject({ errorCode: SASL_AUTHENTICATION_FAILED, errorMessage: 'Authentication failed: Invalid username or password' })
    expect(await client.closesWithin(10_000)).toBe(true)
  })

  it('answers SaslHandshake on a PLAINTEXT listener ILLEGAL_SASL_STATE, and keeps serving', async () => {
    const client = await WireClient.open(broker, 'wire', broker.listenerPorts.PLAINTEXT)
    expect(await client.call(SaslHandshake, 1, { mechanism: 'PLAIN' })).toEqual({ errorCode: ILLEGAL_SASL_STATE, mechanisms: [] })
    expect((await client.call(SaslAuthenticate, 1, { authBytes: plainToken('alice', 'alice-secret') })).errorCode).toBe(ILLEGAL_SASL_STATE)
    expect((await client.call(ApiVersions, 3, { clientSoftwareName: 'wire', clientSoftwareVersion: '1' })).errorCode).toBe(NONE)
    client.close()
  })

  it('gives each listener\'s clients that listener\'s advertised address in Metadata, FindCoordinator and DescribeCluster', async () => {
    const addresses = async (client: WireClient): Promise<string[]> => {
      const metadata = await client.call(Metadata, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })
      const coordinator = await client.call(FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['g-listeners'] })
      const cluster = await client.call(DescribeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 1 })
      return [...metadata.brokers, ...coordinator.coordinators, ...cluster.brokers].map(b => `${b.host}:${b.port}`)
    }
    const plain = await WireClient.open(broker, 'wire', broker.listenerPorts.PLAINTEXT)
    expect(new Set(await addresses(plain))).toEqual(new Set([`localhost:${broker.listenerPorts.PLAINTEXT!}`]))
    plain.close()
    const sasl = await WireClient.open(broker, 'wire', broker.listenerPorts.SASL_PLAINTEXT)
    expect((await sasl.call(SaslHandshake, 1, { mechanism: 'PLAIN' })).errorCode).toBe(NONE)
    expect((await sasl.call(SaslAuthenticate, 2, { authBytes: plainToken('alice', 'alice-secret') })).errorCode).toBe(NONE)
    expect(new Set(await addresses(sasl))).toEqual(new Set([`127.0.0.1:${broker.listenerPorts.SASL_PLAINTEXT!}`]))
    sasl.close()
  }, 30_000)

  it('re-authenticates an authenticated connection as the same principal (KIP-368), and refuses another one', async () => {
    const client = await WireClient.open(broker)
    expect((await client.call(SaslHandshake, 1, { mechanism: 'PLAIN' })).errorCode).toBe(NONE)
    expect(await client.call(SaslAuthenticate, 1, { authBytes: plainToken('alice', 'alice-secret') })).toMatchObject({ errorCode: NONE, sessionLifetimeMs: 60_000 })
    // Kafka lets a connection begin re-authenticating once a second; sooner is ILLEGAL_SASL_STATE.
    const deadline = Date.now() + 10_000
    let handshake = await client.call(SaslHandshake, 1, { mechanism: 'PLAIN' })
    while (handshake.errorCode === ILLEGAL_SASL_STATE && Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 200))
      handshake = await client.call(SaslHandshake, 1, { mechanism: 'PLAIN' })
    }
    expect(handshake.errorCode).toBe(NONE)
    expect(await client.call(SaslAuthenticate, 1, { authBytes: plainToken('alice', 'alice-secret') })).toMatchObject({ errorCode: NONE, sessionLifetimeMs: 60_000 })
    expect((await client.call(Metadata, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })).brokers).toHaveLength(1)
    handshake = await client.call(SaslHandshake, 1, { mechanism: 'PLAIN' })
    while (handshake.errorCode === ILLEGAL_SASL_STATE && Date.now() < deadline + 10_000) {
      await new Promise(resolve => setTimeout(resolve, 200))
      handshake = await client.call(SaslHandshake, 1, { mechanism: 'PLAIN' })
    }
    expect(handshake.errorCode).toBe(NONE)
    expect(await client.call(SaslAuthenticate, 1, { authBytes: plainToken('admin', 'admin-secret') })).toMatchObject({
      errorCode: SASL_AUTHENTICATION_FAILED, errorMessage: 'Cannot change principals during re-authentication from User.alice: User.admin'
    })
    expect(await client.closesWithin(10_000)).toBe(true)
  }, 30_000)
})

describe('a SASL session with connections.max.reauth.ms', () => {
  it('kafkajs re-authenticates its connections before their sessions expire and keeps producing (KIP-368)', async () => {
    const lifetimeMs = 3000
    const short = await startBroker({ settings: saslSettings({ 'connections.max.reauth.ms': lifetimeMs }) })
    let authentications = 0
    const client = new Kafka({
      clientId: 'sluice-reauth', brokers: [short.bootstrap], sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' },
      reauthenticationThreshold: 2000, retry: { retries: 0 }, logLevel: logLevel.DEBUG,
      logCreator: () => ({ log }) => { if (log.message === 'SASL PLAIN authentication successful') authentications++ }
    })
    const producer = client.producer()
    try {
      await producer.connect()
      await producer.send({ topic: 'reauth', messages: [{ value: 'first' }] })
      const first = authentications
      const started = Date.now()
      let sent = 1
      // Sends past two session lifetimes: an expired session would close the connection and fail a send.
      while (Date.now() - started < 2.5 * lifetimeMs && Date.now() - started < 20_000) {
        await producer.send({ topic: 'reauth', messages: [{ value: `m${sent}` }] })
        sent++
        await new Promise(resolve => setTimeout(resolve, 200))
      }
      expect(authentications).toBeGreaterThan(first)
      expect(sent).toBeGreaterThan(1)
    } finally {
      await producer.disconnect()
      await short.stop()
    }
  }, 40_000)

  it('closes the connection on the first request after the session expired without re-authentication', async () => {
    const short = await startBroker({ settings: saslSettings({ 'listener.name.sasl_plaintext.connections.max.reauth.ms': 3000 }) })
    try {
      const client = await WireClient.open(short)
      expect((await client.call(SaslHandshake, 1, { mechanism: 'PLAIN' })).errorCode).toBe(NONE)
      expect(await client.call(SaslAuthenticate, 1, { authBytes: Buffer.from('\u0000alice\u0000alice-secret') })).toMatchObject({ errorCode: NONE, sessionLifetimeMs: 3000 })
      const request = { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }
      const deadline = Date.now() + 15_000
      let answered = 0
      while (Date.now() < deadline) {
        const ok = await client.call(Metadata, 12, request).then(() => true, () => false)
        if (!ok) break
        answered++
        await new Promise(resolve => setTimeout(resolve, 100))
      }
      expect(answered).toBeGreaterThan(0)
      expect(await client.closesWithin(1000)).toBe(true)
    } finally {
      await short.stop()
    }
  }, 30_000)
})
