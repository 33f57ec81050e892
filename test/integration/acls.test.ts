// ACLs with an authorizer (authorizer.class.name): kafkajs's admin CreateAcls / DescribeAcls /
// DeleteAcls as a super user, and SASL users allowed and refused through kafkajs, with the error
// Kafka's clients document; PLAINTEXT clients as User:ANONYMOUS; the ACLs across a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AclOperationTypes as Op, AclPermissionTypes as Permission, AclResourceTypes as Resource, Kafka, logLevel, ResourcePatternTypes as Pattern,
  type AclEntry, type Admin, type Producer
} from 'kafkajs'
import { BROKER_ENTRY, startBroker, type RunningBroker } from '../helpers/broker.js'
import { run } from '../helpers/clients.js'
import { api, WireClient } from '../helpers/wire-client.js'
import { decodeDescribeClusterResponse, decodeMetadataResponse, encodeDescribeClusterRequest, encodeMetadataRequest } from '../../src/protocol/index.js'
import { aclSettings } from '../helpers/sasl.js'

const Metadata = api(3, encodeMetadataRequest, decodeMetadataResponse)
const DescribeCluster = api(60, encodeDescribeClusterRequest, decodeDescribeClusterResponse)
const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

let broker: RunningBroker
let admin: Admin

const kafka = (user: string | null, clientId = 'sluice-acl'): Kafka => new Kafka({
  clientId,
  brokers: [user === null ? `127.0.0.1:${broker.listenerPorts.PLAINTEXT!}` : broker.bootstrap],
  sasl: user === null ? undefined : { mechanism: 'plain', username: user, password: `${user}-secret` },
  logLevel: logLevel.NOTHING,
  retry: { retries: 0 },
  connectionTimeout: 10_000
})

const allow = (over: Partial<AclEntry>): AclEntry => ({
  resourceType: Resource.TOPIC, resourceName: 'orders', resourcePatternType: Pattern.LITERAL,
  principal: 'User:alice', host: '*', operation: Op.READ, permissionType: Permission.ALLOW, ...over
})

/** The Kafka error type kafkajs reports (a protocol error's, or an aggregate's first), else its message. */
async function failure (work: Promise<unknown>): Promise<string> {
  const error = await work.then(() => null, (e: unknown) => e) as (Error & { type?: string, errors?: Array<{ type?: string }> }) | null
  expect(error).toBeInstanceOf(Error)
  return error!.type ?? error!.errors?.[0]?.type ?? error!.message
}

/** How kafkajs's producer reports a topic Metadata refuses (TOPIC_AUTHORIZATION_FAILED, code 29). */
const TOPIC_DENIED = 'Not authorized to access topics: [Topic authorization failed]'

async function send (user: string | null, topic: string, value: string): Promise<void> {
  const producer = kafka(user).producer({ allowAutoTopicCreation: false })
  await producer.connect()
  try {
    await producer.send({ topic, messages: [{ value }] })
  } finally {
    await producer.disconnect()
  }
}

async function consumeOne (user: string, topic: string, groupId: string): Promise<string[]> {
  const consumer = kafka(user).consumer({ groupId, retry: { retries: 0 } })
  await consumer.connect()
  const seen: string[] = []
  let crashed: unknown = null
  consumer.on(consumer.events.CRASH, (event) => { crashed = event.payload.error })
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value?.toString() ?? '') } })
    const deadline = Date.now() + 30_000
    while (seen.length === 0 && crashed === null && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
  } finally {
    await consumer.disconnect()
  }
  if (crashed !== null) throw crashed
  return seen
}

beforeAll(async () => {
  broker = await startBroker({
    settings: aclSettings()
  })
  admin = kafka('admin', 'sluice-acl-admin').admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'orders' }, { topic: 'payments' }] })
}, 30_000)

afterAll(async () => {
  await admin?.disconnect()
  await broker?.stop()
})

describe('kafkajs admin as a super user', () => {
  it('creates, describes (exact and MATCH filters) and deletes ACLs', async () => {
    const acls = [allow({ resourceName: 'acl-t' }), allow({ resourceName: 'acl-', resourcePatternType: Pattern.PREFIXED, operation: Op.WRITE, permissionType: Permission.DENY })]
    expect(await admin.createAcls({ acl: acls })).toBe(true)
    const described = await admin.describeAcls({ resourceType: Resource.TOPIC, resourceName: 'acl-t', resourcePatternType: Pattern.MATCH, operation: Op.ANY, permissionType: Permission.ANY })
    expect(described.resources.map(r => [r.resourceName, r.resourcePatternType, r.acls.map(a => [a.principal, a.operation, a.permissionType])]).sort()).toEqual([
      ['acl-', Pattern.PREFIXED, [['User:alice', Op.WRITE, Permission.DENY]]],
      ['acl-t', Pattern.LITERAL, [['User:alice', Op.READ, Permission.ALLOW]]]
    ])
    const deleted = await admin.deleteAcls({ filters: [{ resourceType: Resource.ANY, resourcePatternType: Pattern.PREFIXED, operation: Op.ANY, permissionType: Permission.ANY }] })
    expect(deleted.filterResponses[0]!.matchingAcls.map(a => [a.resourceName, a.operation])).toEqual([['acl-', Op.WRITE]])
    const left = await admin.describeAcls({ resourceType: Resource.TOPIC, resourcePatternType: Pattern.ANY, operation: Op.ANY, permissionType: Permission.ANY })
    expect(left.resources.map(r => r.resourceName)).toEqual(['acl-t'])
  })

  it('refuses an ACL without a principal type with INVALID_REQUEST', async () => {
    expect(await failure(admin.createAcls({ acl: [allow({ principal: 'alice' })] }))).toBe('INVALID_REQUEST')
  })
})

describe('SASL users', () => {
  it('alice without ACLs is refused Produce with TOPIC_AUTHORIZATION_FAILED, and allowed once granted WRITE', async () => {
    expect(await failure(send('alice', 'orders', 'refused'))).toBe(TOPIC_DENIED)
    await admin.createAcls({ acl: [allow({ operation: Op.WRITE }), allow({ resourceType: Resource.CLUSTER, resourceName: 'kafka-cluster', operation: Op.IDEMPOTENT_WRITE })] })
    await send('alice', 'orders', 'allowed')
  }, 30_000)

  it('consumes with READ on the topic and the group; with DESCRIBE only on the group, GROUP_AUTHORIZATION_FAILED', async () => {
    await admin.createAcls({
      acl: [
        allow({ operation: Op.READ }),
        allow({ resourceType: Resource.GROUP, resourceName: 'alice-', resourcePatternType: Pattern.PREFIXED, operation: Op.READ }),
        allow({ resourceType: Resource.GROUP, resourceName: 'described', operation: Op.DESCRIBE })
      ]
    })
    expect(await consumeOne('alice', 'orders', 'alice-group')).toEqual(['allowed'])
    expect(await failure(consumeOne('alice', 'orders', 'described'))).toBe('GROUP_AUTHORIZATION_FAILED')
    // Without DESCRIBE on the group FindCoordinator is refused (GROUP_AUTHORIZATION_FAILED), which kafkajs reports so.
    expect(await failure(consumeOne('alice', 'orders', 'other-group'))).toBe('Failed to find group coordinator')
  }, 60_000)

  it('a DENY of WRITE for bob wins over an ALLOW for User:* (Metadata allows him, Produce refuses him)', async () => {
    await admin.createAcls({ acl: [allow({ resourceName: 'payments', principal: 'User:*', operation: Op.WRITE }), allow({ resourceName: 'payments', principal: 'User:bob', operation: Op.WRITE, permissionType: Permission.DENY })] })
    await send('alice', 'payments', 'by alice')
    expect(await failure(send('bob', 'payments', 'by bob'))).toBe('TOPIC_AUTHORIZATION_FAILED')
  }, 30_000)

  it('lists only the topics the client may DESCRIBE, and refuses CreateTopics without CREATE', async () => {
    const bob = kafka('bob').admin()
    await bob.connect()
    try {
      expect(await bob.listTopics()).toEqual(['payments'])
      expect(await failure(bob.createTopics({ topics: [{ topic: 'bobs' }] }))).toBe('TOPIC_AUTHORIZATION_FAILED')
      expect(await failure(bob.describeAcls({ resourceType: Resource.ANY, resourcePatternType: Pattern.ANY, operation: Op.ANY, permissionType: Permission.ANY }))).toBe('CLUSTER_AUTHORIZATION_FAILED')
    } finally {
      await bob.disconnect()
    }
  }, 30_000)
})

type RecordsError = { partitions?: Array<{ error?: { type?: string } }>, cause?: RecordsError }

describe('bob, who may DESCRIBE but not change', () => {
  it('is refused DeleteTopics, DescribeConfigs, DeleteGroups and DeleteRecords with Kafka\'s codes', async () => {
    // DESCRIBE on the group lets FindCoordinator answer him, so that DeleteGroups is what refuses.
    await admin.createAcls({ acl: [allow({ principal: 'User:bob', operation: Op.DESCRIBE }), allow({ resourceType: Resource.GROUP, resourceName: 'alice-group', principal: 'User:bob', operation: Op.DESCRIBE })] })
    const bob = kafka('bob').admin()
    await bob.connect()
    try {
      expect(await failure(bob.deleteTopics({ topics: ['orders'] }))).toBe('TOPIC_AUTHORIZATION_FAILED')
      expect(await failure(bob.describeConfigs({ resources: [{ type: 2, name: 'orders' }], includeSynonyms: false }))).toBe('TOPIC_AUTHORIZATION_FAILED')
      const records = await bob.deleteTopicRecords({ topic: 'orders', partitions: [{ partition: 0, offset: '-1' }] })
        .then(() => null, (e: RecordsError) => (e.partitions ?? e.cause?.partitions)?.map(p => p.error?.type))
      expect(records).toEqual(['TOPIC_AUTHORIZATION_FAILED'])
      const groups = await bob.deleteGroups(['alice-group']).then(() => null, (e: Error & { groups?: Array<{ error?: { type?: string } }> }) => e.groups?.map(g => g.error?.type) ?? e.message)
      expect(groups).toEqual(['GROUP_AUTHORIZATION_FAILED'])
      expect((await admin.fetchTopicMetadata({ topics: ['orders'] })).topics[0]!.name).toBe('orders')
    } finally {
      await bob.disconnect()
    }
  }, 30_000)

  it('is refused an idempotent producer id without WRITE on any topic, and a transactional one without WRITE on the transactional id', async () => {
    const producer = (): Producer => kafka('bob').producer({ transactionalId: 'bob-tx', maxInFlightRequests: 1, idempotent: true, retry: { retries: 1 } })
    // His only WRITE (User:* on payments) is covered by his DENY: InitProducerId without a transactional id is refused.
    const idempotent = producer()
    expect(await failure(idempotent.connect())).toBe('CLUSTER_AUTHORIZATION_FAILED')
    await idempotent.disconnect()
    await admin.createAcls({
      acl: [
        allow({ resourceType: Resource.CLUSTER, resourceName: 'kafka-cluster', principal: 'User:bob', operation: Op.IDEMPOTENT_WRITE }),
        allow({ resourceType: Resource.TRANSACTIONAL_ID, resourceName: 'bob-tx', principal: 'User:bob', operation: Op.DESCRIBE })
      ]
    })
    const transactional = producer()
    await transactional.connect()
    expect(await failure(transactional.transaction())).toBe('TRANSACTIONAL_ID_AUTHORIZATION_FAILED')
    await transactional.disconnect()
  }, 30_000)
})

describe('sluice acls', () => {
  const sluice = (args: string[]): ReturnType<typeof run> => run(process.execPath, [
    BROKER_ENTRY, 'acls', ...args, '-b', broker.bootstrap, '--sasl-mechanism', 'PLAIN'
  ], { env: { ...process.env, SLUICE_SASL_USERNAME: 'admin', SLUICE_SASL_PASSWORD: 'admin-secret' } })

  it('creates, lists (a MATCH filter) and deletes ACLs with kafka-acls\'s options, and refuses an invalid one', async () => {
    const created = await sluice(['create', '--allow-principal', 'User:carol', '--operation', 'Write', '--operation', 'Describe', '--topic', 'cli-', '--resource-pattern-type', 'prefixed', '--json'])
    expect(created.code).toBe(0)
    expect(JSON.parse(created.stdout)).toEqual(['WRITE', 'DESCRIBE'].map(operation => ({
      resourceType: 'TOPIC', resourceName: 'cli-', patternType: 'PREFIXED', principal: 'User:carol', host: '*', operation, permission: 'ALLOW'
    })))
    const listed = await sluice(['list', '--topic', 'cli-topic', '--resource-pattern-type', 'match'])
    expect(listed.code).toBe(0)
    expect(listed.stdout).toMatch(/TOPIC\s+cli-\s+PREFIXED\s+User:carol\s+\*\s+WRITE\s+ALLOW/)
    const deleted = await sluice(['delete', '--allow-principal', 'User:carol', '--operation', 'Write', '--json'])
    expect(JSON.parse(deleted.stdout)).toMatchObject([{ resourceName: 'cli-', operation: 'WRITE' }])
    const left = await sluice(['list', '--allow-principal', 'User:carol', '--json'])
    expect(JSON.parse(left.stdout)).toMatchObject([{ resourceName: 'cli-', operation: 'DESCRIBE' }])
    const refused = await sluice(['create', '--allow-principal', 'carol', '--operation', 'Read', '--group', 'g'])
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain('INVALID_REQUEST')
  }, 60_000)
})

describe('PLAINTEXT clients are User:ANONYMOUS', () => {
  it('are refused until an ACL allows User:ANONYMOUS', async () => {
    expect(await failure(send(null, 'orders', 'anonymous'))).toBe(TOPIC_DENIED)
    await admin.createAcls({ acl: [allow({ principal: 'User:ANONYMOUS', operation: Op.WRITE })] })
    await send(null, 'orders', 'anonymous')
  }, 30_000)

  it('get the authorized operations the ACLs allow them in Metadata and DescribeCluster', async () => {
    const client = await WireClient.open(broker, 'sluice-acl-wire', broker.listenerPorts.PLAINTEXT)
    try {
      const metadata = await client.call(Metadata, 12, { topics: [{ topicId: ZERO_UUID, name: 'orders' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: true })
      expect(metadata.topics.map(t => [t.name, t.errorCode, t.topicAuthorizedOperations])).toEqual([['orders', 0, (1 << Op.WRITE) | (1 << Op.DESCRIBE)]])
      const cluster = await client.call(DescribeCluster, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 })
      expect(cluster.clusterAuthorizedOperations).toBe(0)
    } finally {
      client.close()
    }
  }, 30_000)
})

describe('the ACLs', () => {
  it('survive a restart', async () => {
    await admin.disconnect()
    await broker.restart()
    admin = kafka('admin', 'sluice-acl-admin').admin() // the listeners' ports change
    await admin.connect()
    await send('alice', 'orders', 'after restart')
    expect(await failure(send('bob', 'payments', 'by bob'))).toBe('TOPIC_AUTHORIZATION_FAILED')
  }, 60_000)
})

describe('allow.everyone.if.no.acl.found', () => {
  it('lets anyone use a resource without ACLs, and no one else\'s once it has one (and the authorizer keeps the HTTP gateway off)', async () => {
    // --http-port 0 asks for the gateway; the authorizer turns it off instead of refusing to start.
    const open = await startBroker({ http: true, settings: { 'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer', 'allow.everyone.if.no.acl.found': true } })
    try {
      expect(open.httpPort).toBeUndefined()
      const client = new Kafka({ clientId: 'sluice-acl-open', brokers: [open.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } })
      const producer = client.producer()
      await producer.connect()
      await producer.send({ topic: 'free', messages: [{ value: 'x' }] })
      const anonymous = client.admin()
      await anonymous.connect()
      await anonymous.createAcls({ acl: [allow({ resourceName: 'free', principal: 'User:someone', operation: Op.WRITE })] })
      expect(await failure(producer.send({ topic: 'free', messages: [{ value: 'y' }] }))).toBe('TOPIC_AUTHORIZATION_FAILED')
      await anonymous.disconnect()
      await producer.disconnect()
    } finally {
      await open.stop()
    }
  }, 60_000)
})
