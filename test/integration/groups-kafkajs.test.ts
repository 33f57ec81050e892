// kafkajs 2.2.4 consumer groups against a real broker (JoinGroup v5, SyncGroup v3, Heartbeat v3,
// OffsetCommit v5, OffsetFetch v4, FindCoordinator v2): three members share a 6-partition topic and
// consume every record exactly once; a leaving member's partitions move to the others; the group
// resumes from its committed offsets after every member restarts, across a broker restart. Issue #4.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Kafka, type Admin, type Consumer, type Producer } from 'kafkajs'
import { closeKafkajs, connectKafkajs } from '../helpers/kafkajs-fixture.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'

const PARTITIONS = 6
const WAIT_MS = 20_000

let broker: RunningBroker
let kafka: Kafka
let admin: Admin
let producer: Producer

beforeAll(async () => {
  broker = await startBroker({ settings: { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 500 } })
  ;({ kafka, admin, producer } = await connectKafkajs(broker, { clientId: 'sluice-groups', retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 } }))
})

afterAll(async () => {
  await closeKafkajs({ producer, admin, broker })
})

interface Received { member: number, partition: number, offset: string, value: string }

/** A group member that records what it receives and the partitions it was last assigned. */
class Member {
  readonly consumer: Consumer
  assigned: number[] = []

  constructor (readonly index: number, groupId: string, private readonly topic: string, private readonly sink: Received[]) {
    // Fetch long polls share the coordinator connection, so keep them short next to the heartbeats.
    this.consumer = kafka.consumer({ groupId, sessionTimeout: 6000, rebalanceTimeout: 6000, heartbeatInterval: 200, maxWaitTimeInMs: 100 })
    this.consumer.on(this.consumer.events.GROUP_JOIN, event => { this.assigned = [...(event.payload.memberAssignment[topic] ?? [])].sort() })
  }

  async start (): Promise<void> {
    await this.consumer.connect()
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true })
    await this.consumer.run({
      eachMessage: async ({ partition, message }) => {
        this.sink.push({ member: this.index, partition, offset: message.offset, value: message.value?.toString() ?? '' })
      }
    })
  }
}

async function produce (topic: string, prefix: string, count: number): Promise<void> {
  await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ key: `${prefix}-${i}`, value: `${prefix}-${i}` })) })
}

/** Waits for a condition that the clients' own progress makes true; bounded, and says what it saw. */
async function eventually (what: string, condition: () => boolean, members: Member[] = []): Promise<void> {
  const deadline = Date.now() + WAIT_MS
  while (!condition()) {
    if (Date.now() > deadline) {
      const assigned = JSON.stringify(members.map(m => m.assigned))
      throw new Error(`timed out waiting until ${what}; assignments ${assigned}\n${broker.output().slice(-4000)}`)
    }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** The members' assignments are disjoint and together cover every partition. */
function coversAll (members: Member[]): boolean {
  const all = members.flatMap(m => m.assigned)
  return all.length === PARTITIONS && new Set(all).size === PARTITIONS && members.every(m => m.assigned.length > 0)
}

function expectExactlyOnce (received: Received[], values: string[]): void {
  expect(received.map(r => r.value).sort()).toEqual([...values].sort())
  const positions = received.map(r => `${r.partition}:${r.offset}`)
  expect(new Set(positions).size).toBe(positions.length)
}

const valuesOf = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${i}`)

describe('kafkajs consumer group', () => {
  it('three members consume every record exactly once, take over a leaver\'s partitions, and resume from committed offsets after a broker restart', async () => {
    const topic = 'kj-group'
    const groupId = 'kj-group-app'
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] })
    const received: Received[] = []
    const members = [0, 1, 2].map(i => new Member(i, groupId, topic, received))
    for (const m of members) await m.start()
    await eventually('three members share the partitions', () => coversAll(members) && members.every(m => m.assigned.length === 2), members).catch(e => { console.log(JSON.stringify(members.map(m => m.assigned)), broker.output().slice(-6000)); throw e })

    await produce(topic, 'a', 120)
    await eventually('120 records arrived', () => received.length >= 120)
    expectExactlyOnce(received, valuesOf('a', 120))
    for (const r of received) expect(members[r.member]!.assigned).toContain(r.partition)

    const [leaver, ...stayers] = members
    await leaver!.consumer.disconnect()
    await eventually('the two remaining members own all partitions', () => coversAll(stayers), stayers)
    await produce(topic, 'b', 60)
    await eventually('180 records arrived', () => received.length >= 180)
    expectExactlyOnce(received, [...valuesOf('a', 120), ...valuesOf('b', 60)])
    expect(received.slice(120).every(r => r.member !== 0)).toBe(true)

    for (const m of stayers) await m.consumer.disconnect()
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] })
    const ends = await admin.fetchTopicOffsets(topic)
    expect(committed[0]!.partitions.map(p => [p.partition, p.offset]).sort()).toEqual(ends.map(p => [p.partition, p.offset]).sort())

    await produce(topic, 'c', 30)
    await broker.restart()
    expect((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions).toEqual(committed[0]!.partitions)

    const resumed: Received[] = []
    const restarted = [3, 4, 5].map(i => new Member(i, groupId, topic, resumed))
    for (const m of restarted) await m.start()
    await eventually('30 new records arrived', () => resumed.length >= 30)
    expectExactlyOnce(resumed, valuesOf('c', 30))
    for (const m of restarted) await m.consumer.disconnect()
  })

  it('describeGroups and listGroups show a stable group with its members and their assignments', async () => {
    const topic = 'kj-described'
    const groupId = 'kj-described-app'
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] })
    const members = [0, 1].map(i => new Member(i, groupId, topic, []))
    for (const m of members) await m.start()
    await eventually('both members are assigned', () => coversAll(members), members)
    const { groups } = await admin.describeGroups([groupId])
    expect(groups[0]).toMatchObject({ groupId, state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner' })
    expect(groups[0]!.members).toHaveLength(2)
    expect(groups[0]!.members.every(m => m.memberAssignment.length > 0 && m.clientHost === '/127.0.0.1')).toBe(true)
    expect((await admin.listGroups()).groups).toContainEqual({ groupId, protocolType: 'consumer' })
    for (const m of members) await m.consumer.disconnect()
    await admin.deleteGroups([groupId])
    expect((await admin.listGroups()).groups.map(g => g.groupId)).not.toContain(groupId)
  })
})
