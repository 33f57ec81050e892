// ACLs as librdkafka (kcat, confluent-kafka) and kafka-python see them: a user allowed by an ACL
// produces and consumes, another refused by a DENY gets the error each client documents for
// TOPIC_AUTHORIZATION_FAILED, and Metadata lists only the topics a user may DESCRIBE.
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AclOperationTypes as Op, AclPermissionTypes as Permission, AclResourceTypes as Resource, Kafka, logLevel, ResourcePatternTypes as Pattern } from 'kafkajs'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { has, kcat, run, runPython } from '../helpers/clients.js'
import { aclSettings } from '../helpers/sasl.js'

const KAFKA_PYTHON = fileURLToPath(new URL('py/kafka_python_client.py', import.meta.url))
const CONFLUENT = fileURLToPath(new URL('py/confluent_client.py', import.meta.url))

let broker: RunningBroker

const rdkafka = (user: string): string[] => [
  '-b', broker.bootstrap, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN', '-X', `sasl.username=${user}`, '-X', `sasl.password=${user}-secret`
]
const confluentConfig = (user: string): Record<string, string> =>
  ({ 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'PLAIN', 'sasl.username': user, 'sasl.password': `${user}-secret` })
const pythonSasl = (user: string): object => ({ mechanism: 'PLAIN', username: user, password: `${user}-secret` })

beforeAll(async () => {
  broker = await startBroker({ settings: aclSettings() })
  const admin = new Kafka({ clientId: 'sluice-acl-clients', brokers: [broker.bootstrap], sasl: { mechanism: 'plain', username: 'admin', password: 'admin-secret' }, logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  try {
    await admin.createTopics({ topics: ['rd', 'ck', 'py', 'hidden'].map(topic => ({ topic })) })
    const acl = (resourceName: string, principal: string, operation: number, permissionType: number = Permission.ALLOW) =>
      ({ resourceType: Resource.TOPIC, resourceName, resourcePatternType: Pattern.LITERAL, principal, host: '*', operation, permissionType })
    await admin.createAcls({
      acl: ['rd', 'ck', 'py'].flatMap(topic => [acl(topic, 'User:*', Op.WRITE), acl(topic, 'User:bob', Op.WRITE, Permission.DENY), acl(topic, 'User:alice', Op.READ)])
    })
  } finally {
    await admin.disconnect()
  }
}, 30_000)

afterAll(async () => {
  await broker?.stop()
})

describe.skipIf(!has.kcat)('kcat (librdkafka)', () => {
  it('alice produces and consumes; bob\'s produce and fetch fail with "Topic authorization failed"', async () => {
    await kcat([...rdkafka('alice'), '-P', '-t', 'rd', '-p', '0'], { input: 'by alice\n' })
    expect(await kcat([...rdkafka('alice'), '-C', '-t', 'rd', '-p', '0', '-o', 'beginning', '-e', '-q'])).toBe('by alice\n')
    const produced = await run('kcat', [...rdkafka('bob'), '-P', '-t', 'rd', '-p', '0'], { input: 'by bob\n', timeoutMs: 30_000 })
    expect(produced.code).not.toBe(0)
    expect(produced.stderr).toContain('Delivery failed for message: Broker: Topic authorization failed')
    const consumed = await run('kcat', [...rdkafka('bob'), '-C', '-t', 'rd', '-p', '0', '-o', 'beginning', '-e', '-q'], { timeoutMs: 30_000 })
    expect(consumed.code).not.toBe(0)
    expect(consumed.stderr).toContain('Broker: Topic authorization failed')
  }, 60_000)
})

describe.skipIf(!has.confluentKafka)('confluent-kafka (librdkafka)', () => {
  it('bob\'s delivery report carries "Broker: Topic authorization failed"; alice\'s is delivered and listed topics are hers', async () => {
    const produce = (user: string): Promise<{ reports: Array<{ error: string | null }> }> =>
      runPython('confluent_kafka', CONFLUENT, { op: 'produce', bootstrap: broker.bootstrap, topic: 'ck', config: confluentConfig(user), records: [{ value: user }] })
    expect((await produce('alice')).reports).toEqual([{ error: null, partition: 0, offset: 0 }])
    expect((await produce('bob')).reports.map(r => r.error)).toEqual(['Broker: Topic authorization failed'])
    const listed = await runPython<{ topics: Record<string, unknown> }>('confluent_kafka', CONFLUENT, { op: 'list_topics', bootstrap: broker.bootstrap, config: confluentConfig('alice') })
    expect(Object.keys(listed.topics).sort()).toEqual(['ck', 'py', 'rd'])
  }, 60_000)
})

describe.skipIf(!has.kafkaPython)('kafka-python 2.0.2', () => {
  it('alice produces and consumes; bob\'s send raises TopicAuthorizationFailedError', async () => {
    const request = { op: 'produce', bootstrap: broker.bootstrap, topic: 'py', records: [{ value: 'by alice' }] }
    expect(await runPython('kafka', KAFKA_PYTHON, { ...request, sasl: pythonSasl('alice') })).toEqual([{ partition: 0, offset: 0 }])
    const read = await runPython<Array<{ value: string }>>('kafka', KAFKA_PYTHON, { op: 'consume', bootstrap: broker.bootstrap, sasl: pythonSasl('alice'), topic: 'py', partitions: [0], count: 1 })
    expect(read.map(r => r.value)).toEqual(['by alice'])
    const refused = await runPython('kafka', KAFKA_PYTHON, { ...request, sasl: pythonSasl('bob') }).then(() => null, (e: unknown) => e)
    expect(String(refused)).toContain('kafka.errors.TopicAuthorizationFailedError: [Error 29]')
  }, 90_000)
})
