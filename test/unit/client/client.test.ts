// KafkaClient, Producer, Consumer and GroupConsumer against a real broker: addresses, partitioning,
// offsets, every codec, start positions, and a two-member group.
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KafkaClient } from '../../../src/client/client.js'
import { Consumer, type ConsumedRecord } from '../../../src/client/consumer.js'
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../../../src/client/consumer-protocol.js'
import { GroupConsumer } from '../../../src/client/group-consumer.js'
import { Producer, type Compression } from '../../../src/client/producer.js'
import { rangeAssign } from '../../../src/client/range-assignor.js'
import { partitionForKey } from '../../../src/protocol/partitioner.js'
import { startBroker, type RunningBroker } from '../../helpers/broker.js'

const HOOK_TIMEOUT = 30_000
const TEST_TIMEOUT = 20_000

describe('KafkaClient with a real broker', () => {
  let broker: RunningBroker
  let client: KafkaClient

  beforeAll(async () => {
    broker = await startBroker({ settings: { 'group.initial.rebalance.delay.ms': 0 } })
    client = new KafkaClient({ bootstrap: broker.bootstrap })
    await client.connect()
  }, HOOK_TIMEOUT)

  afterAll(async () => {
    await client?.close()
    await broker?.stop()
  }, HOOK_TIMEOUT)

  /** Reads partitions from `from` until `count` records arrived (bounded by rounds). */
  async function readBack (topic: string, count: number, partitions: number[], from: 'earliest' | number = 'earliest'): Promise<ConsumedRecord[]> {
    const consumer = new Consumer(client, { maxWaitMs: 200 })
    await consumer.assign(partitions.map(partition => ({ topic, partition, offset: from })))
    const out: ConsumedRecord[] = []
    for (let round = 0; round < 50 && out.length < count; round++) out.push(...await consumer.poll())
    return out
  }

  it('sends requests to the address the broker advertises, not the bootstrap one', async () => {
    const bootstrap = await client.bootstrapConnection()
    expect(bootstrap.address).toBe(`127.0.0.1:${broker.port}`)
    const leader = await client.connectionTo(0)
    expect(leader.address).toBe(`${broker.host}:${broker.port}`)
  })

  it('tries the next bootstrap address when the first has no broker', async () => {
    const other = new KafkaClient({ bootstrap: ['127.0.0.1:1', broker.bootstrap] })
    try {
      const cluster = await other.connect()
      expect(cluster.brokers.map(b => b.port)).toEqual([broker.port])
    } finally {
      await other.close()
    }
  })

  it('puts keyed records where the Java partitioner would and numbers them per partition', async () => {
    await client.admin.createTopics([{ name: 'keyed', partitions: 4 }])
    const producer = new Producer(client, { lingerMs: 1 })
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`)
    const metas = await Promise.all(keys.map(key => producer.send({ topic: 'keyed', key, value: `v-${key}` })))
    for (const [i, meta] of metas.entries()) expect(meta.partition).toBe(partitionForKey(Buffer.from(keys[i] as string), 4))
    for (const partition of [0, 1, 2, 3]) {
      const offsets = metas.filter(m => m.partition === partition).map(m => m.offset)
      expect(offsets).toEqual(offsets.map((_, i) => i))
    }
    const records = await readBack('keyed', keys.length, [0, 1, 2, 3])
    expect(records.map(r => `${r.key?.toString() ?? ''}=${r.value?.toString() ?? ''}`).sort()).toEqual(keys.map(k => `${k}=v-${k}`).sort())
  }, TEST_TIMEOUT)

  it.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'] as Compression[])('round-trips keys, values and headers compressed with %s', async (compression) => {
    const topic = `codec-${compression}`
    await client.admin.createTopics([{ name: topic, partitions: 1 }])
    const producer = new Producer(client, { compression, acks: 1 })
    for (let i = 0; i < 200; i++) producer.write({ topic, key: `k${i}`, value: `value ${i} ${'z'.repeat(i)}`, headers: [{ key: 'n', value: String(i) }] })
    await producer.flush()
    const records = await readBack(topic, 200, [0])
    expect(records.map(r => r.offset)).toEqual(Array.from({ length: 200 }, (_, i) => i))
    expect(records[150]?.value?.toString()).toBe(`value 150 ${'z'.repeat(150)}`)
    expect(records[150]?.headers.map(h => [h.key, h.value?.toString()])).toEqual([['n', '150']])
  }, TEST_TIMEOUT)

  it('starts at an absolute offset, n before the end, the end, or the first record at a time', async () => {
    await client.admin.createTopics([{ name: 'positions', partitions: 1 }])
    const producer = new Producer(client)
    const base = 1_700_000_000_000
    for (let i = 0; i < 10; i++) producer.write({ topic: 'positions', value: String(i), timestamp: base + i * 1000, partition: 0 })
    await producer.flush()
    const first = async (offset: Parameters<Consumer['assign']>[0][number]['offset']): Promise<number> => {
      const consumer = new Consumer(client, { maxWaitMs: 100 })
      await consumer.assign([{ topic: 'positions', partition: 0, offset }])
      return consumer.assignment()[0]?.offset ?? -1
    }
    expect(await first(4)).toBe(4)
    expect(await first({ fromEnd: 3 })).toBe(7)
    expect(await first({ fromEnd: 30 })).toBe(0)
    expect(await first('latest')).toBe(10)
    expect(await first({ timestamp: base + 5500 })).toBe(6)
    expect(await first({ timestamp: base + 99_000 })).toBe(10)
  }, TEST_TIMEOUT)

  it('fails a record for a partition the topic does not have, and reports it to flush() for write()', async () => {
    await client.admin.createTopics([{ name: 'two-partitions', partitions: 2 }])
    const producer = new Producer(client)
    await expect(producer.send({ topic: 'two-partitions', value: 'x', partition: 5 })).rejects.toThrow('the topic has 2 partitions')
    producer.write({ topic: 'two-partitions', value: 'x', partition: 7 })
    producer.write({ topic: 'two-partitions', value: 'y', partition: 1 })
    await expect(producer.flush()).rejects.toMatchObject({ failedRecords: 1 })
    await producer.flush()
  }, TEST_TIMEOUT)

  it('splits a topic between two group members by range and resumes from committed offsets', async () => {
    await client.admin.createTopics([{ name: 'grouped', partitions: 4 }])
    const producer = new Producer(client)
    for (let p = 0; p < 4; p++) for (let i = 0; i < 5; i++) producer.write({ topic: 'grouped', value: `${p}-${i}`, partition: p })
    await producer.flush()
    const options = { groupId: 'two-members', topics: ['grouped'], autoOffsetReset: 'earliest' as const, maxWaitMs: 100, heartbeatIntervalMs: 300, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000 }
    const a = new GroupConsumer(client, options)
    const b = new GroupConsumer(client, options)
    try {
      // Both join one generation: a's join waits in the rebalance until b joins too.
      await Promise.all([a.poll(), b.poll()])
      for (let round = 0; round < 20 && (a.generation !== b.generation || a.assignment().length === 0 || b.assignment().length === 0); round++) {
        await Promise.all([a.poll(), b.poll()])
      }
      const held = [...a.assignment(), ...b.assignment()].flatMap(t => t.partitions).sort()
      expect(held).toEqual([0, 1, 2, 3])
      const first = [a, b].sort((x, y) => x.member.localeCompare(y.member))[0] as GroupConsumer
      expect(first.assignment()).toEqual([{ topic: 'grouped', partitions: [0, 1] }])
      expect(await first.commit([{ topic: 'grouped', partition: 0, offset: 3 }])).toBe(true)
      const committed = await client.groups.fetchOffsets('two-members')
      expect(committed).toEqual([{ topic: 'grouped', partition: 0, offset: 3, metadata: '' }])
    } finally {
      await Promise.all([a.close(), b.close()])
    }
    const description = await client.groups.describeGroup('two-members')
    expect(description.members).toEqual([])
    const solo = new GroupConsumer(client, options)
    try {
      const got: ConsumedRecord[] = []
      for (let round = 0; round < 30 && got.length < 17; round++) got.push(...await solo.poll())
      expect(got.filter(r => r.partition === 0).map(r => r.value?.toString())).toEqual(['0-3', '0-4'])
      expect(got).toHaveLength(17)
    } finally {
      await solo.close()
    }
  }, TEST_TIMEOUT)
})

describe('range assignor', () => {
  it('gives the first members in id order one extra partition each', () => {
    const assignment = rangeAssign([{ memberId: 'b', topics: ['t'] }, { memberId: 'a', topics: ['t'] }, { memberId: 'c', topics: ['t'] }], new Map([['t', 7]]))
    expect(Object.fromEntries(assignment)).toEqual({
      a: [{ topic: 't', partitions: [0, 1, 2] }],
      b: [{ topic: 't', partitions: [3, 4] }],
      c: [{ topic: 't', partitions: [5, 6] }]
    })
  })

  it('assigns each topic only among its subscribers and leaves surplus members empty', () => {
    const assignment = rangeAssign([{ memberId: 'm1', topics: ['x', 'y'] }, { memberId: 'm2', topics: ['y'] }, { memberId: 'm3', topics: ['y'] }], new Map([['x', 2], ['y', 2]]))
    expect(assignment.get('m1')).toEqual([{ topic: 'x', partitions: [0, 1] }, { topic: 'y', partitions: [0] }])
    expect(assignment.get('m2')).toEqual([{ topic: 'y', partitions: [1] }])
    expect(assignment.get('m3')).toEqual([])
  })
})

describe('consumer protocol bytes', () => {
  const require = createRequire(import.meta.url)
  const { MemberMetadata, MemberAssignment } = require('kafkajs/src/consumer/assignerProtocol.js') as {
    MemberMetadata: { encode: (m: object) => Buffer, decode: (b: Buffer) => { version: number, topics: string[] } }
    MemberAssignment: { encode: (m: object) => Buffer, decode: (b: Buffer) => { assignment: Record<string, number[]> } }
  }

  it('reads subscriptions and assignments that kafkajs wrote', () => {
    expect(decodeSubscription(MemberMetadata.encode({ version: 0, topics: ['a', 'b'] })).topics).toEqual(['a', 'b'])
    expect(decodeAssignment(MemberAssignment.encode({ version: 0, assignment: { t: [0, 2] } })).partitions).toEqual([{ topic: 't', partitions: [0, 2] }])
  })

  it('writes subscriptions and assignments that kafkajs reads', () => {
    expect(MemberMetadata.decode(encodeSubscription(['orders'])).topics).toEqual(['orders'])
    expect(MemberAssignment.decode(encodeAssignment([{ topic: 'orders', partitions: [1, 3] }])).assignment).toEqual({ orders: [1, 3] })
  })

  it('reads an empty assignment as no partitions', () => {
    expect(decodeAssignment(Buffer.alloc(0))).toEqual({ partitions: [], userData: null })
  })
})
