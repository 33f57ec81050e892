// @platformatic/kafka transactions against a real broker (issue #5). platformatic speaks only flexible
// versions and uses what the broker advertises: InitProducerId v5, the batched AddPartitionsToTxn v5
// layout, Produce v11 and EndTxn v4. A committed and an aborted transaction; a kafkajs read_committed
// consumer sees only the committed records, a read_uncommitted one both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Producer, stringSerializers } from '@platformatic/kafka'
import { Kafka, logLevel } from 'kafkajs'
import { consumeUntil } from '../helpers/kafkajs-consume.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'

let broker: RunningBroker
let kafka: Kafka

beforeAll(async () => {
  broker = await startBroker({ settings: { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 500 } })
  kafka = new Kafka({ clientId: 'sluice-txn-platformatic', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
})

afterAll(async () => {
  await broker?.stop()
})

describe('@platformatic/kafka transactions', () => {
  it('commits one transaction and aborts another; read_committed sees only the committed one', async () => {
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'plat-txn' }] })
    await admin.disconnect()
    const producer = new Producer({
      clientId: 'sluice-platformatic-txn', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers,
      idempotent: true, transactionalId: 'plat-txn-id', autocreateTopics: false, retries: 2, timeout: 10_000
    })
    try {
      const committed = await producer.beginTransaction()
      await committed.send({ messages: [{ topic: 'plat-txn', value: 'kept-1' }, { topic: 'plat-txn', value: 'kept-2' }] })
      await committed.commit()
      const aborted = await producer.beginTransaction()
      await aborted.send({ messages: [{ topic: 'plat-txn', value: 'dropped' }] })
      await aborted.abort()
      const last = await producer.beginTransaction()
      await last.send({ messages: [{ topic: 'plat-txn', value: 'kept-3' }] })
      await last.commit()
    } finally {
      await producer.close()
    }
    expect(await consumeUntil(kafka, 'plat-txn', false, v => v.includes('kept-3'))).toEqual(['kept-1', 'kept-2', 'kept-3'])
    expect(await consumeUntil(kafka, 'plat-txn', true, v => v.includes('kept-3'))).toEqual(['kept-1', 'kept-2', 'dropped', 'kept-3'])
  })
})
