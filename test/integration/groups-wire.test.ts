// The group APIs on the wire, with our own protocol encoders over raw sockets, for what clients hide:
// error codes (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, INVALID_GROUP_ID), version rules (no
// MEMBER_ID_REQUIRED below JoinGroup v4, batched FindCoordinator, multi-group OffsetFetch),
// static membership keeping the generation across a restart, and session expiry moving a silent
// member's partitions to a kafkajs member. Issue #4.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Kafka, logLevel } from 'kafkajs'
import {
  decodeDescribeGroupsResponse, decodeFindCoordinatorResponse, decodeHeartbeatResponse, decodeJoinGroupResponse, decodeListGroupsResponse,
  decodeMetadataResponse, decodeOffsetCommitResponse, decodeOffsetFetchResponse, decodeSyncGroupResponse,
  encodeDescribeGroupsRequest, encodeFindCoordinatorRequest, encodeHeartbeatRequest, encodeJoinGroupRequest, encodeListGroupsRequest,
  encodeMetadataRequest, encodeOffsetCommitRequest, encodeOffsetFetchRequest, encodeSyncGroupRequest, ErrorCode
} from '../../src/protocol/index.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { api, WireClient as Client } from '../helpers/wire-client.js'

const Metadata = api(3, encodeMetadataRequest, decodeMetadataResponse)
const OffsetCommit = api(8, encodeOffsetCommitRequest, decodeOffsetCommitResponse)
const OffsetFetch = api(9, encodeOffsetFetchRequest, decodeOffsetFetchResponse)
const FindCoordinator = api(10, encodeFindCoordinatorRequest, decodeFindCoordinatorResponse)
const JoinGroup = api(11, encodeJoinGroupRequest, decodeJoinGroupResponse)
const Heartbeat = api(12, encodeHeartbeatRequest, decodeHeartbeatResponse)
const SyncGroup = api(14, encodeSyncGroupRequest, decodeSyncGroupResponse)
const DescribeGroups = api(15, encodeDescribeGroupsRequest, decodeDescribeGroupsResponse)
const ListGroups = api(16, encodeListGroupsRequest, decodeListGroupsResponse)


/** ConsumerProtocolSubscription v0 for `topics`, which kafkajs's assigners read. */
function subscription (...topics: string[]): Buffer {
  const parts = [Buffer.from([0, 0]), int32(topics.length)]
  for (const t of topics) parts.push(Buffer.from([0, t.length]), Buffer.from(t))
  return Buffer.concat([...parts, int32(-1)])
}

function int32 (n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeInt32BE(n)
  return b
}

let broker: RunningBroker
const clients: Client[] = []

beforeAll(async () => {
  broker = await startBroker({ settings: { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 500, 'num.partitions': 6 } })
})

afterAll(async () => {
  for (const c of clients) c.close()
  await broker?.stop()
})

async function client (): Promise<Client> {
  const c = await Client.open(broker)
  clients.push(c)
  return c
}

const joinMessage = (groupId: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: subscription('wire') }], ...extra
})

describe('group APIs on the wire', () => {
  it('JoinGroup v2 admits a first join at once; v4 first answers MEMBER_ID_REQUIRED with the id to use', async () => {
    const c = await client()
    const v2 = await c.call(JoinGroup, 2, joinMessage('wire-v2'))
    expect(v2).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, protocolName: 'range' })
    expect(v2.leader).toBe(v2.memberId)
    const v4 = await c.call(JoinGroup, 4, joinMessage('wire-v4'))
    expect(v4.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED)
    expect(v4.memberId).toMatch(/^sluice-wire-/)
    const again = await c.call(JoinGroup, 4, joinMessage('wire-v4', { memberId: v4.memberId }))
    expect(again).toMatchObject({ errorCode: ErrorCode.NONE, memberId: v4.memberId, generationId: 1 })
  })

  it('an empty group id is INVALID_GROUP_ID for JoinGroup, SyncGroup and Heartbeat', async () => {
    const c = await client()
    expect((await c.call(JoinGroup, 9, joinMessage(''))).errorCode).toBe(ErrorCode.INVALID_GROUP_ID)
    expect((await c.call(SyncGroup, 5, { groupId: '', generationId: 1, memberId: 'm', protocolType: 'consumer', protocolName: 'range', assignments: [] })).errorCode)
      .toBe(ErrorCode.INVALID_GROUP_ID)
    expect((await c.call(Heartbeat, 4, { groupId: '', generationId: 1, memberId: 'm' })).errorCode).toBe(ErrorCode.INVALID_GROUP_ID)
  })

  it('OffsetCommit answers ILLEGAL_GENERATION for a stale generation and UNKNOWN_MEMBER_ID for a stranger', async () => {
    const c = await client()
    const joined = await c.call(JoinGroup, 3, joinMessage('wire-commit'))
    await c.call(SyncGroup, 3, { groupId: 'wire-commit', generationId: joined.generationId, memberId: joined.memberId, assignments: [] })
    const commitAs = async (generationIdOrMemberEpoch: number, memberId: string): Promise<number | undefined> => (await c.call(OffsetCommit, 7, {
      groupId: 'wire-commit', generationIdOrMemberEpoch, memberId, topics: [{ name: 'wire', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] }]
    })).topics[0]?.partitions[0]?.errorCode
    await c.call(Metadata, 1, { topics: [{ name: 'wire' }] })
    expect(await commitAs(joined.generationId + 1, joined.memberId)).toBe(ErrorCode.ILLEGAL_GENERATION)
    expect(await commitAs(joined.generationId, 'stranger')).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect(await commitAs(joined.generationId, joined.memberId)).toBe(ErrorCode.NONE)
  })

  it('FindCoordinator names this broker for groups and transactions, v0 and batched v4, and refuses unknown key types', async () => {
    const c = await client()
    const v0 = await c.call(FindCoordinator, 0, { key: 'any-group' })
    expect(v0).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: 0, host: broker.host, port: broker.port })
    const v4 = await c.call(FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['a', 'b'] })
    expect(v4.coordinators.map(x => [x.key, x.nodeId, x.port, x.errorCode])).toEqual([['a', 0, broker.port, 0], ['b', 0, broker.port, 0]])
    expect((await c.call(FindCoordinator, 6, { keyType: 1, coordinatorKeys: ['txn'] })).coordinators[0]!.errorCode).toBe(ErrorCode.NONE)
    expect((await c.call(FindCoordinator, 2, { key: 'x', keyType: 7 })).errorCode).toBe(ErrorCode.INVALID_REQUEST)
  })

  it('OffsetFetch v8 answers several groups at once, -1 where nothing is committed', async () => {
    const c = await client()
    await c.call(Metadata, 1, { topics: [{ name: 'wire-multi' }] })
    for (const [groupId, offset] of [['wire-g1', 11], ['wire-g2', 22]] as const) {
      const committed = await c.call(OffsetCommit, 8, {
        groupId, generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: 'wire-multi', partitions: [{ partitionIndex: 1, committedOffset: offset, committedMetadata: 'm' }] }]
      })
      expect(committed.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE)
    }
    const fetched = await c.call(OffsetFetch, 8, {
      groups: ['wire-g1', 'wire-g2', 'wire-none'].map(groupId => ({ groupId, topics: [{ name: 'wire-multi', partitionIndexes: [1] }] }))
    })
    expect(fetched.groups.map(g => [g.groupId, g.errorCode, g.topics[0]?.partitions[0]?.committedOffset])).toEqual([
      ['wire-g1', 0, 11], ['wire-g2', 0, 22], ['wire-none', 0, -1]
    ])
    const all = await c.call(OffsetFetch, 3, { groupId: 'wire-g1', topics: null })
    expect(all.topics.map(t => [t.name, t.partitions.map(p => [p.partitionIndex, p.committedOffset, p.metadata])])).toEqual([['wire-multi', [[1, 11, 'm']]]])
  })

  it('ListGroups v4 filters by state, v5 by type; DescribeGroups answers Dead for an unknown group', async () => {
    const c = await client()
    const joined = await c.call(JoinGroup, 3, joinMessage('wire-listed'))
    await c.call(SyncGroup, 3, { groupId: 'wire-listed', generationId: joined.generationId, memberId: joined.memberId, assignments: [] })
    const stable = await c.call(ListGroups, 4, { statesFilter: ['stable'] })
    expect(stable.groups.map(g => g.groupId)).toContain('wire-listed')
    expect(stable.groups.every(g => g.groupState === 'Stable')).toBe(true)
    expect((await c.call(ListGroups, 5, { statesFilter: [], typesFilter: ['consumer'] })).groups).toEqual([])
    expect((await c.call(ListGroups, 5, { statesFilter: [], typesFilter: ['Classic'] })).groups.map(g => g.groupType)).toContain('classic')
    const described = await c.call(DescribeGroups, 5, { groups: ['wire-listed', 'wire-unknown'], includeAuthorizedOperations: false })
    expect(described.groups.map(g => [g.groupId, g.groupState, g.protocolData, g.members.length])).toEqual([
      ['wire-listed', 'Stable', 'range', 1], ['wire-unknown', 'Dead', '', 0]
    ])
  })

  it('Metadata for all topics lists __consumer_offsets, marked internal', async () => {
    const c = await client()
    const all = await c.call(Metadata, 9, { topics: null })
    const internal = all.topics.find(t => t.name === '__consumer_offsets')
    expect(internal).toMatchObject({ isInternal: true })
    expect(internal!.partitions).toHaveLength(50)
  })
})

describe('membership over the wire', () => {
  it('a static member restarted within its session timeout keeps its assignment, with no rebalance and the same generation', async () => {
    const [a, b] = [await client(), await client()]
    const join = (c: Client, instance: string, memberId = ''): Promise<ReturnType<typeof decodeJoinGroupResponse>> =>
      c.call(JoinGroup, 5, joinMessage('wire-static', { groupInstanceId: instance, memberId, sessionTimeoutMs: 5000 }))
    // a forms the group alone; b's join then starts a rebalance that a joins once its heartbeat says so.
    const alone = await join(a, 'a')
    await a.call(SyncGroup, 3, { groupId: 'wire-static', generationId: alone.generationId, memberId: alone.memberId, groupInstanceId: 'a', assignments: [] })
    const joiningB = join(b, 'b')
    await eventuallyAsync(async () => (await a.call(Heartbeat, 3, {
      groupId: 'wire-static', generationId: alone.generationId, memberId: alone.memberId, groupInstanceId: 'a'
    })).errorCode === ErrorCode.REBALANCE_IN_PROGRESS)
    const [ja, jb] = await Promise.all([join(a, 'a', alone.memberId), joiningB])
    const leader = ja.memberId === ja.leader ? ja : jb
    const assignments = leader.members.map(m => ({ memberId: m.memberId, assignment: Buffer.from(`for-${m.groupInstanceId ?? ''}`) }))
    const [sa, sb] = await Promise.all([ja, jb].map(async (j, i) => await [a, b][i]!.call(SyncGroup, 3, {
      groupId: 'wire-static', generationId: j.generationId, memberId: j.memberId, groupInstanceId: i === 0 ? 'a' : 'b', assignments: j === leader ? assignments : []
    })))
    expect([sa!.assignment.toString(), sb!.assignment.toString()]).toEqual(['for-a', 'for-b'])

    b.close()
    const restarted = await client()
    const rejoined = await join(restarted, 'b')
    expect(rejoined).toMatchObject({ errorCode: ErrorCode.NONE, generationId: jb.generationId })
    expect(rejoined.memberId).not.toBe(jb.memberId)
    const synced = await restarted.call(SyncGroup, 3, { groupId: 'wire-static', generationId: rejoined.generationId, memberId: rejoined.memberId, groupInstanceId: 'b', assignments: [] })
    expect(synced.assignment.toString()).toBe('for-b')
    expect((await a.call(Heartbeat, 3, { groupId: 'wire-static', generationId: ja.generationId, memberId: ja.memberId, groupInstanceId: 'a' })).errorCode).toBe(ErrorCode.NONE)
    const zombie = await client()
    expect((await zombie.call(Heartbeat, 3, { groupId: 'wire-static', generationId: jb.generationId, memberId: jb.memberId, groupInstanceId: 'b' })).errorCode)
      .toBe(ErrorCode.FENCED_INSTANCE_ID)
  })

  it('a member that stops heartbeating is removed after its session timeout and a kafkajs member takes its partitions', async () => {
    const topic = 'wire-silent'
    const groupId = 'wire-silent-app'
    const kafka = new Kafka({ clientId: 'sluice-silent', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
    const consumer = kafka.consumer({ groupId, sessionTimeout: 5000, rebalanceTimeout: 5000, heartbeatInterval: 100, maxWaitTimeInMs: 100 })
    let assigned: number[] = []
    consumer.on(consumer.events.GROUP_JOIN, e => { assigned = [...(e.payload.memberAssignment[topic] ?? [])] })
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({ eachMessage: async () => {} })
    try {
      await eventually(() => assigned.length === 6)
      const silent = await client()
      const required = await silent.call(JoinGroup, 5, joinMessage(groupId, { protocols: [{ name: 'RoundRobinAssigner', metadata: subscription(topic) }], sessionTimeoutMs: 800 }))
      expect(required.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED)
      const joined = await silent.call(JoinGroup, 5, joinMessage(groupId, {
        memberId: required.memberId, protocols: [{ name: 'RoundRobinAssigner', metadata: subscription(topic) }], sessionTimeoutMs: 800
      }))
      const synced = await silent.call(SyncGroup, 3, { groupId, generationId: joined.generationId, memberId: joined.memberId, assignments: [] })
      const quietSince = Date.now()
      expect(synced.errorCode).toBe(ErrorCode.NONE)
      expect(synced.assignment.length).toBeGreaterThan(0)
      await eventually(() => assigned.length === 3)
      // From here the raw member sends nothing; only its session timeout can remove it.
      await eventually(() => assigned.length === 6)
      expect(Date.now() - quietSince).toBeGreaterThanOrEqual(800)
      const described = await silent.call(DescribeGroups, 0, { groups: [groupId] })
      expect(described.groups[0]!.members.map(m => m.memberId)).not.toContain(joined.memberId)
    } finally {
      await consumer.disconnect()
    }
  })
})

/** Asks until the broker's answer satisfies `condition` (a client heartbeating); bounded. */
async function eventuallyAsync (condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached within 15 s')
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

async function eventually (condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached within 15 s')
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}
