// SSL and SASL_SSL listeners with real clients: kcat (librdkafka), confluent-kafka, kafka-python,
// kafkajs and @platformatic/kafka produce and consume over TLS, with and without a client
// certificate (ssl.client.auth=requested); a catch-up read large enough to take the native send on a
// plaintext listener reads the same bytes over TLS; SCRAM over SASL_SSL.
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs'
import { alterUserScramCredentialsV0, Connection, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka'
import { BROKER_ENTRY, startBroker, type RunningBroker } from '../helpers/broker.js'
import { has, kcat, run, runPython } from '../helpers/clients.js'
import { consumeUntil } from '../helpers/kafkajs-consume.js'
import { SHA_256, upsertion } from '../helpers/sasl.js'
import { makeCertificates, sslSettings, STORE_PASSWORD, type Certificates } from '../helpers/tls.js'

const KAFKA_PYTHON = fileURLToPath(new URL('py/kafka_python_client.py', import.meta.url))
const CONFLUENT = fileURLToPath(new URL('py/confluent_client.py', import.meta.url))

let certs: Certificates
let broker: RunningBroker

const ssl = (): string => `127.0.0.1:${broker.listenerPorts.SSL!}`
const saslSsl = (): string => `127.0.0.1:${broker.listenerPorts.SASL_SSL!}`
const plaintext = (): string => `127.0.0.1:${broker.listenerPorts.PLAINTEXT!}`
const rdkafkaSsl = (withCert: boolean): string[] => [
  '-b', ssl(), '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${certs.ca}`,
  ...(withCert ? ['-X', `ssl.certificate.location=${certs.alice.cert}`, '-X', `ssl.key.location=${certs.alice.key}`] : [])
]

beforeAll(async () => {
  certs = makeCertificates()
  broker = await startBroker({
    settings: sslSettings(certs, {
      listeners: 'SSL://127.0.0.1:0,SASL_SSL://127.0.0.1:0,PLAINTEXT://127.0.0.1:0',
      'ssl.client.auth': 'requested',
      'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'SCRAM-SHA-256'
    })
  })
  const admin = new Connection('sluice-tls-admin')
  try {
    await admin.connect('127.0.0.1', broker.listenerPorts.PLAINTEXT!)
    const altered = await alterUserScramCredentialsV0.api.async(admin, [], [upsertion('carol', SHA_256, 'carol-secret')])
    expect(altered.results.every(r => r.errorCode === 0)).toBe(true)
  } finally {
    await admin.close()
  }
}, 60_000)

afterAll(async () => {
  await broker?.stop()
  certs?.remove()
})

describe.skipIf(!has.kcat)('kcat (librdkafka) over SSL', () => {
  it('produces and consumes with the CA only, and with a client certificate', async () => {
    await kcat([...rdkafkaSsl(false), '-P', '-t', 'rd-ssl', '-p', '0'], { input: 'one\ntwo\n' })
    await kcat([...rdkafkaSsl(true), '-P', '-t', 'rd-ssl', '-p', '0'], { input: 'three\n' })
    expect(await kcat([...rdkafkaSsl(true), '-C', '-t', 'rd-ssl', '-p', '0', '-o', 'beginning', '-e', '-q'])).toBe('one\ntwo\nthree\n')
  }, 60_000)

  it('refuses an untrusted client certificate even when one is only requested, and a plaintext client; the broker keeps serving', async () => {
    const stranger = ['-X', `ssl.certificate.location=${certs.stranger.cert}`, '-X', `ssl.key.location=${certs.stranger.key}`]
    const untrusted = await run('kcat', [...rdkafkaSsl(false), ...stranger, '-L', '-m', '5'], { timeoutMs: 30_000 })
    expect(untrusted.code).not.toBe(0)
    const plaintextClient = await run('kcat', ['-b', ssl(), '-L', '-m', '5'], { timeoutMs: 30_000 })
    expect(plaintextClient.code).not.toBe(0)
    expect(await kcat([...rdkafkaSsl(true), '-L', '-m', '10'])).toContain('1 brokers:')
  }, 60_000)

  it('reads a catch-up answer larger than the native send threshold byte for byte, as plaintext does', async () => {
    // 3,000 records of ~1 KB: librdkafka's Fetch answers are up to 1 MiB, well above 256 KiB.
    const lines = Array.from({ length: 3_000 }, (_, i) => `${String(i).padStart(6, '0')}-${'x'.repeat(1_000)}`)
    const input = lines.join('\n') + '\n'
    await kcat(['-b', plaintext(), '-P', '-t', 'rd-large', '-p', '0', '-z', 'none', '-X', 'batch.num.messages=500'], { input, timeoutMs: 60_000 })
    const overTls = await kcat([...rdkafkaSsl(false), '-C', '-t', 'rd-large', '-p', '0', '-o', 'beginning', '-e', '-q'], { timeoutMs: 60_000 })
    const overPlaintext = await kcat(['-b', plaintext(), '-C', '-t', 'rd-large', '-p', '0', '-o', 'beginning', '-e', '-q'], { timeoutMs: 60_000 })
    expect(overTls.length).toBe(input.length)
    expect(overTls === input).toBe(true)
    expect(overPlaintext === input).toBe(true)
  }, 120_000)

  it('produces and consumes over SASL_SSL with SCRAM-SHA-256, and a wrong password fails', async () => {
    const scram = (password: string): string[] => [
      '-b', saslSsl(), '-X', 'security.protocol=sasl_ssl', '-X', `ssl.ca.location=${certs.ca}`,
      '-X', 'sasl.mechanisms=SCRAM-SHA-256', '-X', 'sasl.username=carol', '-X', `sasl.password=${password}`
    ]
    await kcat([...scram('carol-secret'), '-P', '-t', 'rd-sasl-ssl', '-p', '0'], { input: 'scram over tls\n' })
    expect(await kcat([...scram('carol-secret'), '-C', '-t', 'rd-sasl-ssl', '-p', '0', '-o', 'beginning', '-e', '-q'])).toBe('scram over tls\n')
    await expect(kcat([...scram('wrong'), '-L', '-m', '5'], { timeoutMs: 30_000 })).rejects.toThrow(/Authentication failed/)
  }, 60_000)
})

describe.skipIf(!has.confluentKafka)('confluent-kafka over SSL', () => {
  it('produces and consumes with a client certificate', async () => {
    const config = { 'security.protocol': 'SSL', 'ssl.ca.location': certs.ca, 'ssl.certificate.location': certs.alice.cert, 'ssl.key.location': certs.alice.key }
    const records = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `confluent ${i}`, partition: 0 }))
    const produced = await runPython<{ undelivered: number }>('confluent_kafka', CONFLUENT, { op: 'produce', bootstrap: ssl(), topic: 'ck-ssl', records, config })
    expect(produced.undelivered).toBe(0)
    const consumed = await runPython<Array<{ value: string }>>('confluent_kafka', CONFLUENT, { op: 'consume', bootstrap: ssl(), topic: 'ck-ssl', partitions: [0], count: 20, config })
    expect(consumed.map(r => r.value)).toEqual(records.map(r => r.value))
  }, 60_000)
})

describe.skipIf(!has.kafkaPython)('kafka-python over SSL', () => {
  it('produces and consumes with the CA only', async () => {
    const request = { bootstrap: ssl(), topic: 'py-ssl', ssl: { cafile: certs.ca } }
    const records = Array.from({ length: 10 }, (_, i) => ({ value: `python ${i}`, partition: 0 }))
    const sent = await runPython<Array<{ offset: number }>>('kafka', KAFKA_PYTHON, { op: 'produce', ...request, records })
    expect(sent.map(s => s.offset)).toEqual(records.map((_, i) => i))
    const consumed = await runPython<Array<{ value: string }>>('kafka', KAFKA_PYTHON, { op: 'consume', ...request, partitions: [0], count: 10 })
    expect(consumed.map(r => r.value)).toEqual(records.map(r => r.value))
  }, 60_000)
})

describe('kafkajs over SSL and SASL_SSL', () => {
  it('produces and consumes in a group with a client certificate', async () => {
    const kafka = new Kafka({
      clientId: 'sluice-tls-kafkajs', brokers: [ssl()], logLevel: logLevel.NOTHING,
      ssl: { ca: [certs.caPem], cert: certs.alice.certPem, key: certs.alice.keyPem }
    })
    const producer = kafka.producer()
    await producer.connect()
    try {
      await producer.send({ topic: 'js-ssl', messages: Array.from({ length: 50 }, (_, i) => ({ value: `kafkajs ${i}` })) })
    } finally {
      await producer.disconnect()
    }
    const values = await consumeUntil(kafka, 'js-ssl', false, seen => seen.length >= 50)
    expect(values).toEqual(Array.from({ length: 50 }, (_, i) => `kafkajs ${i}`))
  }, 60_000)

  it('sees the key store password in DescribeConfigs as sensitive, without its value', async () => {
    const admin = new Kafka({ clientId: 'sluice-tls-configs', brokers: [ssl()], logLevel: logLevel.NOTHING, ssl: { ca: [certs.caPem] } }).admin()
    await admin.connect()
    try {
      const described = await admin.describeConfigs({
        includeSynonyms: true,
        resources: [{ type: ConfigResourceTypes.BROKER, name: '0', configNames: ['ssl.keystore.password', 'ssl.keystore.location'] }]
      })
      const entries = Object.fromEntries((described.resources[0]?.configEntries ?? []).map(e => [e.configName, e]))
      expect(entries['ssl.keystore.password']).toMatchObject({ configValue: null, isSensitive: true })
      expect(JSON.stringify(entries['ssl.keystore.password'])).not.toContain(STORE_PASSWORD)
      expect(entries['ssl.keystore.location']).toMatchObject({ configValue: certs.serverP12, isSensitive: false })
    } finally {
      await admin.disconnect()
    }
  }, 60_000)

  it('authenticates with SCRAM-SHA-256 over SASL_SSL', async () => {
    const kafka = new Kafka({
      clientId: 'sluice-tls-kafkajs-scram', brokers: [saslSsl()], logLevel: logLevel.NOTHING,
      ssl: { ca: [certs.caPem] }, sasl: { mechanism: 'scram-sha-256', username: 'carol', password: 'carol-secret' }
    })
    const admin = kafka.admin()
    await admin.connect()
    try {
      await admin.createTopics({ topics: [{ topic: 'js-sasl-ssl', numPartitions: 2 }] })
      const [described] = (await admin.fetchTopicMetadata({ topics: ['js-sasl-ssl'] })).topics
      expect(described?.partitions.length).toBe(2)
    } finally {
      await admin.disconnect()
    }
  }, 60_000)
})

describe('@platformatic/kafka over SSL', () => {
  it('produces, and fetches what it produced', async () => {
    const common = { bootstrapBrokers: [ssl()], retries: 2, timeout: 10_000, tls: { ca: certs.caPem } }
    const producer = new Producer({ clientId: 'sluice-tls-platformatic', serializers: stringSerializers, autocreateTopics: true, ...common })
    const consumer = new Consumer({ clientId: 'sluice-tls-platformatic-c', groupId: 'unused', deserializers: stringDeserializers, ...common })
    try {
      const sent = await producer.send({ messages: [{ topic: 'pk-ssl', key: 'k', value: 'platformatic over tls', partition: 0 }] })
      expect(sent.offsets?.[0]).toMatchObject({ topic: 'pk-ssl', partition: 0, offset: 0n })
      const metadata = await consumer.metadata({ topics: ['pk-ssl'], forceUpdate: true })
      const topic = metadata.topics.get('pk-ssl')!
      const response = await consumer.fetch({
        node: topic.partitions[0]!.leader,
        maxWaitTime: 200,
        topics: [{ topicId: topic.id, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }]
      })
      const values = (response.responses[0]?.partitions[0]?.records ?? []).flatMap(batch => batch.records.map(r => r.value?.toString()))
      expect(values).toEqual(['platformatic over tls'])
    } finally {
      await consumer.close()
      await producer.close()
    }
  }, 60_000)
})

describe('the sluice CLI over TLS', () => {
  const sluice = (args: string[], input?: string): ReturnType<typeof run> => run(process.execPath, [BROKER_ENTRY, ...args], { input, timeoutMs: 30_000 })

  it('produces with --tls-ca and a client certificate, consumes over SASL_SSL, and refuses an unknown CA', async () => {
    const produced = await sluice(['produce', 'cli-ssl', '-b', ssl(), '--tls-ca', certs.ca, '--tls-cert', certs.alice.cert, '--tls-key', certs.alice.key], 'one\ntwo\n')
    expect(produced.code).toBe(0)
    const consumed = await sluice(['consume', 'cli-ssl', '-b', saslSsl(), '--tls-ca', certs.ca, '--sasl-mechanism', 'SCRAM-SHA-256', '--sasl-username', 'carol',
      '--sasl-password', 'carol-secret', '--from-beginning', '--end'])
    expect(consumed).toMatchObject({ code: 0, stdout: 'one\ntwo\n' })
    // --tls alone trusts the system's CAs, which never signed the test CA's certificate.
    const untrusted = await sluice(['topics', 'list', '-b', ssl(), '--tls'])
    expect(untrusted.code).toBe(1)
    expect(untrusted.stderr).toMatch(/certificate/i)
  }, 60_000)
})
