// Transactions across a broker crash (issue #5): SIGKILL while a kafkajs transaction is open, restart on
// the same data directory. What was committed before the crash stays readable and its offsets stay
// committed; the open transaction is aborted by the restarted coordinator (its timeout), so neither its
// records nor its offsets ever become visible to read_committed, and the last stable offset moves on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Kafka, logLevel, Partitioners, type Admin } from 'kafkajs'
import { consumeUntil } from '../helpers/kafkajs-consume.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'

let broker: RunningBroker

beforeAll(async () => {
  broker = await startBroker({
    settings: {
      'group.initial.rebalance.delay.ms': 0,
      'group.min.session.timeout.ms': 500,
      'transaction.abort.timed.out.transaction.cleanup.interval.ms': 200
    }
  })
})

afterAll(async () => {
  await broker?.stop()
})

function client (): Kafka {
  return new Kafka({ clientId: 'sluice-txn-restart', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } })
}

describe('transactions across a broker crash', () => {
  it('after SIGKILL mid-transaction nothing committed is lost and nothing of the open transaction becomes visible', async () => {
    const before = client()
    const admin: Admin = before.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'crash-out' }, { topic: 'crash-src' }] })
    await admin.disconnect()

    const committer = before.producer({ transactionalId: 'crash-committed', maxInFlightRequests: 1, idempotent: true, createPartitioner: Partitioners.DefaultPartitioner })
    await committer.connect()
    const done = await committer.transaction()
    await done.send({ topic: 'crash-out', messages: [{ value: 'c1' }, { value: 'c2' }] })
    await done.sendOffsets({ consumerGroupId: 'crash-group', topics: [{ topic: 'crash-src', partitions: [{ partition: 0, offset: '2' }] }] })
    await done.commit()
    await committer.disconnect()

    const crasher = before.producer({ transactionalId: 'crash-open', transactionTimeout: 2000, maxInFlightRequests: 1, idempotent: true, createPartitioner: Partitioners.DefaultPartitioner })
    await crasher.connect()
    const open = await crasher.transaction()
    await open.send({ topic: 'crash-out', messages: [{ value: 'o1' }, { value: 'o2' }] })
    await open.sendOffsets({ consumerGroupId: 'crash-group', topics: [{ topic: 'crash-src', partitions: [{ partition: 0, offset: '10' }] }] })

    await broker.kill()
    await crasher.disconnect().catch(() => undefined)
    await broker.restart()

    const after = client()
    const later = after.producer({ transactionalId: 'crash-after', maxInFlightRequests: 1, idempotent: true, createPartitioner: Partitioners.DefaultPartitioner })
    await later.connect()
    const txn = await later.transaction()
    await txn.send({ topic: 'crash-out', messages: [{ value: 'after' }] })
    await txn.commit()
    await later.disconnect()

    // 'after' lies beyond the open transaction: read_committed reaches it only once that was aborted.
    expect(await consumeUntil(after, 'crash-out', false, v => v.includes('after'))).toEqual(['c1', 'c2', 'after'])
    expect(await consumeUntil(after, 'crash-out', true, v => v.includes('after'))).toEqual(['c1', 'c2', 'o1', 'o2', 'after'])
    const adminAfter = after.admin()
    await adminAfter.connect()
    const [offsets] = await adminAfter.fetchOffsets({ groupId: 'crash-group', topics: ['crash-src'] })
    await adminAfter.disconnect()
    expect(offsets?.partitions[0]?.offset).toBe('2')
  })

  it('a committed transaction does not replace an offset committed after its own, live and after a restart', async () => {
    const kafka = client()
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'order-src', numPartitions: 2 }] })
    const producer = kafka.producer({ transactionalId: 'order-txn', maxInFlightRequests: 1, idempotent: true, createPartitioner: Partitioners.DefaultPartitioner })
    await producer.connect()
    const fetchOffsets = async (): Promise<string[]> => {
      const [offsets] = await admin.fetchOffsets({ groupId: 'order-group', topics: ['order-src'] })
      return [...(offsets?.partitions ?? [])].sort((a, b) => a.partition - b.partition).map(p => p.offset)
    }

    // Partition 0: the transaction's offset is written first, a plain commit after it; the plain one wins.
    // Partition 1: a plain commit first, the transaction's offset after it; the transaction's wins.
    await admin.setOffsets({ groupId: 'order-group', topic: 'order-src', partitions: [{ partition: 1, offset: '20' }] })
    const txn = await producer.transaction()
    await txn.sendOffsets({ consumerGroupId: 'order-group', topics: [{ topic: 'order-src', partitions: [{ partition: 0, offset: '5' }, { partition: 1, offset: '7' }] }] })
    await admin.setOffsets({ groupId: 'order-group', topic: 'order-src', partitions: [{ partition: 0, offset: '9' }] })
    await txn.commit()
    await producer.disconnect()
    expect(await fetchOffsets()).toEqual(['9', '7'])
    await admin.disconnect()

    await broker.kill()
    await broker.restart()
    const adminAfter = client().admin()
    await adminAfter.connect()
    const [offsets] = await adminAfter.fetchOffsets({ groupId: 'order-group', topics: ['order-src'] })
    await adminAfter.disconnect()
    expect([...(offsets?.partitions ?? [])].sort((a, b) => a.partition - b.partition).map(p => p.offset)).toEqual(['9', '7'])
  })
})
