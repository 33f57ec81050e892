// The gateway's /v1/stream WebSocket against a real broker, with real WebSocket clients (the `ws`
// package): records produced by kafkajs arrive live, in order, with offset, timestamp, key, value and
// headers, as JSON or binary frames; read_committed subscriptions skip aborted transactions and stop
// at the last stable offset; batches produced over the socket are acknowledged in order and
// read back by kafkajs; one turn's produce for a partition becomes one append, and fan-out reads are
// shared; bad frames get an error and nothing else; a slow reader is paused, bounded, told and
// dropped. Issue #6.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Kafka, type Admin, type Producer } from 'kafkajs'
import WebSocket from 'ws'
import { closeKafkajs, connectKafkajs } from '../helpers/kafkajs-fixture.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { fetchRawBatches } from './support/raw-api.js'

const WAIT_MS = 15_000
const MAX_BUFFERED = 256 * 1024

let broker: RunningBroker
let admin: Admin
let producer: Producer
let kafka: Kafka

beforeAll(async () => {
  broker = await startBroker({
    http: true,
    settings: { 'http.ws.max.buffered.bytes': MAX_BUFFERED, 'http.ws.slow.client.ms': 1500, 'http.ws.max.message.bytes': 1024 * 1024 }
  })
  ;({ kafka, admin, producer } = await connectKafkajs(broker, { clientId: 'sluice-gateway-ws' }))
})

afterAll(async () => {
  await closeKafkajs({ producer, admin, broker })
})

/** A WebSocket that queues what it receives and lets a test wait for a message matching a predicate. */
class Client {
  readonly socket: WebSocket
  readonly received: any[] = []
  private waiters: Array<{ match: (m: any) => boolean, resolve: (m: any) => void }> = []
  readonly closed: Promise<{ code: number, reason: string }>

  constructor (query = '') {
    this.socket = new WebSocket(`ws://127.0.0.1:${broker.httpPort!}/v1/stream${query}`)
    this.socket.on('message', (data: Buffer, isBinary: boolean) => {
      const message = isBinary ? data : JSON.parse(data.toString('utf8'))
      this.received.push(message)
      for (const w of [...this.waiters]) {
        if (w.match(message)) { this.waiters.splice(this.waiters.indexOf(w), 1); w.resolve(message) }
      }
    })
    this.closed = new Promise(resolve => this.socket.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })))
  }

  async open (): Promise<this> {
    await new Promise((resolve, reject) => { this.socket.once('open', resolve); this.socket.once('error', reject) })
    return this
  }

  send (message: object | Buffer): void { this.socket.send(Buffer.isBuffer(message) ? message : JSON.stringify(message)) }

  /** The first message (already received or still to come) that matches. */
  async next (match: (m: any) => boolean, what = 'a message'): Promise<any> {
    const seen = this.received.find(match)
    if (seen !== undefined) { this.received.splice(this.received.indexOf(seen), 1); return seen }
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${WAIT_MS} ms; got ${JSON.stringify(this.received).slice(0, 500)}`)), WAIT_MS)
      this.waiters.push({ match, resolve: m => { clearTimeout(timer); this.received.splice(this.received.indexOf(m), 1); resolve(m) } })
    })
  }

  /** Collects `count` records from JSON records frames of topic-partition. */
  async records (topic: string, partition: number, count: number): Promise<any[]> {
    const out: any[] = []
    while (out.length < count) {
      const frame = await this.next(m => !Buffer.isBuffer(m) && m.type === 'records' && m.topic === topic && m.partition === partition, `records of ${topic}-${partition}`)
      out.push(...frame.records)
    }
    return out
  }

  close (): void { this.socket.close() }
}

async function createTopic (topic: string, numPartitions = 1): Promise<void> {
  expect(await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1 }] })).toBe(true)
}

async function metric (name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${broker.httpPort!}/metrics`)).text()
  const line = text.split('\n').find(l => l.startsWith(name + ' ') || l.startsWith(name + '{'))
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1))
}

describe('live subscriptions', () => {
  it('records produced by kafkajs arrive live over JSON frames with offset, timestamp, key, value and headers, in order', async () => {
    await createTopic('ws-live', 2)
    const client = await new Client().open()
    client.send({ op: 'subscribe', ref: 1, topic: 'ws-live', from: 'latest' })
    const subscribed = await client.next(m => m.type === 'subscribed')
    expect(subscribed).toMatchObject({ ref: 1, topic: 'ws-live', partitions: [{ partition: 0, offset: 0 }, { partition: 1, offset: 0 }] })
    const before = Date.now()
    for (let i = 0; i < 5; i++) {
      await producer.send({ topic: 'ws-live', messages: [{ partition: 1, key: `k${i}`, value: `v${i}`, headers: { source: 'kafkajs', n: String(i) } }] })
    }
    const records = await client.records('ws-live', 1, 5)
    expect(records.map(r => r.offset)).toEqual([0, 1, 2, 3, 4])
    expect(records.map(r => `${r.key as string}=${r.value as string}`)).toEqual(['k0=v0', 'k1=v1', 'k2=v2', 'k3=v3', 'k4=v4'])
    expect(records[3].headers).toEqual({ source: 'kafkajs', n: '3' })
    expect(records[0].timestamp).toBeGreaterThanOrEqual(before - 1000)
    client.close()
  })

  it('subscriptions start at earliest, at an offset or at a timestamp', async () => {
    await createTopic('ws-start')
    await producer.send({ topic: 'ws-start', messages: [{ value: 'a', timestamp: '1000' }, { value: 'b', timestamp: '2000' }, { value: 'c', timestamp: '3000' }] })
    const client = await new Client().open()
    client.send({ op: 'subscribe', topic: 'ws-start', from: 'earliest' })
    expect(await client.next(m => m.type === 'subscribed')).toMatchObject({ partitions: [{ partition: 0, offset: 0 }] })
    expect((await client.records('ws-start', 0, 3)).map(r => r.value)).toEqual(['a', 'b', 'c'])
    client.send({ op: 'unsubscribe', topic: 'ws-start' })
    await client.next(m => m.type === 'unsubscribed')
    client.send({ op: 'subscribe', topic: 'ws-start', from: { offset: 1 } })
    expect(await client.next(m => m.type === 'subscribed')).toMatchObject({ partitions: [{ partition: 0, offset: 1 }] })
    expect((await client.records('ws-start', 0, 2)).map(r => r.value)).toEqual(['b', 'c'])
    client.send({ op: 'unsubscribe', topic: 'ws-start' })
    await client.next(m => m.type === 'unsubscribed')
    client.send({ op: 'subscribe', topic: 'ws-start', from: { timestamp: 2500 } })
    expect(await client.next(m => m.type === 'subscribed')).toMatchObject({ partitions: [{ partition: 0, offset: 2 }] })
    expect((await client.records('ws-start', 0, 1)).map(r => r.value)).toEqual(['c'])
    client.close()
  })

  it('binary framing carries the same records: kind, topic, partition, offset, timestamp, key, value, headers', async () => {
    await createTopic('ws-binary')
    const client = await new Client('?format=binary').open()
    client.send({ op: 'subscribe', topic: 'ws-binary', from: 'earliest' })
    await client.next(m => !Buffer.isBuffer(m) && m.type === 'subscribed')
    await producer.send({ topic: 'ws-binary', messages: [{ key: null, value: Buffer.from([1, 2, 3]), headers: { h: 'x' }, timestamp: '1234' }] })
    const frame: Buffer = await client.next(m => Buffer.isBuffer(m), 'a binary frame')
    // Decoded by hand from the framing documented in src/gateway/ws-frames.ts.
    let at = 0
    expect(frame.readInt8(at)).toBe(1); at += 1
    const topicLength = frame.readInt16BE(at); at += 2
    expect(frame.toString('utf8', at, at + topicLength)).toBe('ws-binary'); at += topicLength
    expect(frame.readInt32BE(at)).toBe(0); at += 4
    expect(frame.readInt32BE(at)).toBe(1); at += 4
    expect(frame.readBigInt64BE(at)).toBe(0n); at += 8
    expect(frame.readBigInt64BE(at)).toBe(1234n); at += 8
    expect(frame.readInt32BE(at)).toBe(-1); at += 4
    expect(frame.readInt32BE(at)).toBe(3); at += 4
    expect([...frame.subarray(at, at + 3)]).toEqual([1, 2, 3]); at += 3
    expect(frame.readInt32BE(at)).toBe(1); at += 4
    expect(frame.readInt16BE(at)).toBe(1); at += 2
    expect(frame.toString('utf8', at, at + 1)).toBe('h'); at += 1
    expect(frame.readInt32BE(at)).toBe(1); at += 4
    expect(frame.toString('utf8', at, at + 1)).toBe('x'); at += 1
    expect(at).toBe(frame.length)
    client.close()
  })

  it('twenty subscribers of one partition share each read: one store read per append turn, twenty deliveries', async () => {
    await createTopic('ws-fanout')
    const clients = await Promise.all(Array.from({ length: 20 }, async () => await new Client().open()))
    for (const c of clients) c.send({ op: 'subscribe', topic: 'ws-fanout', from: 'latest' })
    await Promise.all(clients.map(async c => await c.next(m => m.type === 'subscribed')))
    const reads = await metric('sluice_gateway_feed_reads_total')
    const deliveries = await metric('sluice_gateway_feed_deliveries_total')
    await producer.send({ topic: 'ws-fanout', messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}` })) })
    for (const c of clients) expect((await c.records('ws-fanout', 0, 10)).map(r => r.value)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`))
    expect(await metric('sluice_gateway_feed_reads_total') - reads).toBe(1)
    expect(await metric('sluice_gateway_feed_deliveries_total') - deliveries).toBe(20)
    for (const c of clients) c.close()
  })
})

describe('read_committed subscriptions', () => {
  it('deliver only committed transactional records and stop at the last stable offset until the open transaction ends', async () => {
    await createTopic('ws-txn')
    const committed = await new Client().open()
    const uncommitted = await new Client().open()
    committed.send({ op: 'subscribe', topic: 'ws-txn', from: 'earliest', isolation: 'read_committed' })
    uncommitted.send({ op: 'subscribe', topic: 'ws-txn', from: 'earliest' })
    await committed.next(m => m.type === 'subscribed')
    await uncommitted.next(m => m.type === 'subscribed')
    const txnProducer = kafka.producer({ transactionalId: 'ws-txn-producer', idempotent: true, maxInFlightRequests: 1 })
    await txnProducer.connect()
    const aborted = await txnProducer.transaction()
    await aborted.send({ topic: 'ws-txn', messages: [{ value: 'aborted-1' }, { value: 'aborted-2' }] })
    await aborted.abort()
    const kept = await txnProducer.transaction()
    await kept.send({ topic: 'ws-txn', messages: [{ value: 'committed-1' }, { value: 'committed-2' }] })
    await kept.commit()
    await producer.send({ topic: 'ws-txn', messages: [{ value: 'plain' }] })
    expect((await committed.records('ws-txn', 0, 3)).map(r => r.value)).toEqual(['committed-1', 'committed-2', 'plain'])
    expect((await uncommitted.records('ws-txn', 0, 5)).map(r => r.value)).toEqual(['aborted-1', 'aborted-2', 'committed-1', 'committed-2', 'plain'])

    // An open transaction holds read_committed back, even for a plain record appended after it.
    const open = await txnProducer.transaction()
    await open.send({ topic: 'ws-txn', messages: [{ value: 'pending' }] })
    await producer.send({ topic: 'ws-txn', messages: [{ value: 'after-pending' }] })
    expect((await uncommitted.records('ws-txn', 0, 2)).map(r => r.value)).toEqual(['pending', 'after-pending'])
    // One pump serves both sockets' streams after an append, so once the uncommitted socket has the
    // record, a reply on the committed socket comes after anything that pump sent it.
    committed.send({ op: 'unsubscribe', ref: 'probe', topic: 'other' })
    await committed.next(m => m.type === 'unsubscribed')
    expect(committed.received.filter(m => m.type === 'records')).toEqual([])
    await open.commit()
    expect((await committed.records('ws-txn', 0, 2)).map(r => r.value)).toEqual(['pending', 'after-pending'])
    await txnProducer.disconnect()
    committed.close()
    uncommitted.close()
  })

  it('an unknown isolation is a BAD_REQUEST error', async () => {
    await createTopic('ws-txn-bad')
    const client = await new Client().open()
    client.send({ op: 'subscribe', ref: 9, topic: 'ws-txn-bad', isolation: 'serializable' })
    expect(await client.next(m => m.type === 'error')).toMatchObject({ ref: 9, code: 'BAD_REQUEST', message: expect.stringContaining('isolation') })
    client.close()
  })
})

describe('produce over the socket', () => {
  it('each batch gets one acknowledgement with its offsets, in order, and kafkajs reads the records back', async () => {
    await createTopic('ws-produce', 3)
    const client = await new Client().open()
    for (let b = 0; b < 5; b++) {
      client.send({ op: 'produce', ref: b, topic: 'ws-produce', records: Array.from({ length: 4 }, (_, i) => ({ key: `key-${b}-${i}`, value: `value-${b}-${i}`, headers: { batch: String(b) } })) })
    }
    const acks = []
    for (let b = 0; b < 5; b++) acks.push(await client.next(m => m.type === 'ack', `ack ${b}`))
    expect(acks.map(a => a.ref)).toEqual([0, 1, 2, 3, 4])
    for (const ack of acks) {
      expect(ack.offsets).toHaveLength(4)
      for (const o of ack.offsets) expect(o).toEqual({ partition: expect.any(Number), offset: expect.any(Number) })
    }
    const consumer = kafka.consumer({ groupId: 'ws-produce-reader', maxWaitTimeInMs: 100 })
    const seen: string[] = []
    await consumer.connect()
    await consumer.subscribe({ topic: 'ws-produce', fromBeginning: true })
    await new Promise<void>(resolve => {
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          seen.push(`${partition}@${message.offset}:${message.key!.toString()}=${message.value!.toString()}:${message.headers!.batch!.toString()}`)
          if (seen.length === 20) resolve()
        }
      })
    })
    await consumer.disconnect()
    const expected = acks.flatMap((ack, b) => ack.offsets.map((o: any, i: number) => `${o.partition as number}@${o.offset as number}:key-${b}-${i}=value-${b}-${i}:${b}`))
    expect(seen.sort()).toEqual(expected.sort())
    client.close()
  })

  it('ten produce messages arriving in one turn for one partition become one append of one record batch', async () => {
    await createTopic('ws-coalesce')
    const client = await new Client().open()
    const appends = await metric('sluice_gateway_appends_total')
    const raw = (client.socket as any)._socket
    raw.cork()
    for (let b = 0; b < 10; b++) client.send({ op: 'produce', ref: b, topic: 'ws-coalesce', records: Array.from({ length: 10 }, (_, i) => ({ value: `${b}.${i}`, partition: 0 })) })
    process.nextTick(() => raw.uncork())
    const acks = []
    for (let b = 0; b < 10; b++) acks.push(await client.next(m => m.type === 'ack'))
    expect(acks.flatMap(a => a.offsets.map((o: any) => o.offset))).toEqual(Array.from({ length: 100 }, (_, i) => i))
    expect(await metric('sluice_gateway_appends_total') - appends).toBe(1)
    const fetched = await fetchRawBatches(broker.host, broker.port, { topic: 'ws-coalesce', partition: 0 })
    expect(fetched.batches).toHaveLength(1)
    expect(fetched.batches[0]!.recordCount).toBe(100)
    client.close()
  })

  it('a binary PRODUCE frame gets a binary ACK with partition, offset and error per record', async () => {
    await createTopic('ws-binary-produce', 2)
    const client = await new Client().open()
    const topic = Buffer.from('ws-binary-produce')
    const record = (partition: number, value: string): Buffer => {
      const v = Buffer.from(value)
      const b = Buffer.alloc(4 + 8 + 4 + 4 + v.length + 4)
      let at = b.writeInt32BE(partition, 0)
      at = b.writeBigInt64BE(-1n, at)
      at = b.writeInt32BE(-1, at)
      at = b.writeInt32BE(v.length, at)
      at += v.copy(b, at)
      b.writeInt32BE(0, at)
      return b
    }
    const head = Buffer.alloc(1 + 4 + 2)
    head.writeInt8(0x10, 0); head.writeInt32BE(77, 1); head.writeInt16BE(topic.length, 5)
    const count = Buffer.alloc(4); count.writeInt32BE(2)
    client.send(Buffer.concat([head, topic, count, record(1, 'one'), record(1, 'two')]))
    const ack: Buffer = await client.next(m => Buffer.isBuffer(m), 'a binary ack')
    expect(ack.readInt8(0)).toBe(2)
    expect(ack.readInt32BE(1)).toBe(77)
    expect(ack.readInt32BE(5)).toBe(2)
    expect([ack.readInt32BE(9), Number(ack.readBigInt64BE(13)), ack.readInt16BE(21)]).toEqual([1, 0, 0])
    expect([ack.readInt32BE(23), Number(ack.readBigInt64BE(27)), ack.readInt16BE(35)]).toEqual([1, 1, 0])
    client.close()
  })
})

describe('bad frames', () => {
  it('malformed JSON, unknown ops, unknown topics and broken binary frames get an error; the socket keeps working', async () => {
    await createTopic('ws-bad')
    const client = await new Client().open()
    const bystander = await new Client().open()
    bystander.send({ op: 'subscribe', topic: 'ws-bad', from: 'latest' })
    await bystander.next(m => m.type === 'subscribed')
    client.send(Buffer.from('{"op": "subscribe",'))
    expect(await client.next(m => m.type === 'error')).toMatchObject({ code: 'BAD_REQUEST' })
    client.send({ op: 'dance', ref: 3 })
    expect(await client.next(m => m.type === 'error')).toMatchObject({ ref: 3, code: 'BAD_REQUEST', message: expect.stringContaining('unknown op') })
    client.send({ op: 'subscribe', ref: 4, topic: 'no-such-topic' })
    expect(await client.next(m => m.type === 'error')).toMatchObject({ ref: 4, code: 'UNKNOWN_TOPIC' })
    client.send({ op: 'produce', ref: 5, topic: 'ws-bad', records: [{ value: 'x', partition: 7 }] })
    expect(await client.next(m => m.type === 'error')).toMatchObject({ ref: 5, code: 'UNKNOWN_PARTITION' })
    client.send(Buffer.from([0x10, 0, 0, 0, 1, 0, 50]))
    expect(await client.next(m => m.type === 'error')).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('PRODUCE') })
    client.send({ op: 'produce', ref: 6, topic: 'ws-bad', records: [{ value: 'fine' }] })
    expect(await client.next(m => m.type === 'ack')).toMatchObject({ ref: 6, offsets: [{ partition: 0, offset: 0 }] })
    expect((await bystander.records('ws-bad', 0, 1))[0].value).toBe('fine')
    const huge = await new Client().open()
    huge.send(Buffer.alloc(2 * 1024 * 1024, 0x20))
    // uWS closes at once on a message over maxPayloadLength: 1009 if the close frame gets out, else 1006.
    expect([1006, 1009]).toContain((await huge.closed).code)
    client.send({ op: 'produce', ref: 8, topic: 'ws-bad', records: [{ value: 'still fine' }] })
    expect(await client.next(m => m.type === 'ack')).toMatchObject({ ref: 8 })
    client.close()
    bystander.close()
  })
})

describe('backpressure', () => {
  it('a reader that stops reading is paused at the buffer limit, then told SLOW_CONSUMER and dropped, its memory released', async () => {
    await createTopic('ws-slow')
    const slow = await new Client().open()
    slow.send({ op: 'subscribe', topic: 'ws-slow', from: 'latest' })
    await slow.next(m => m.type === 'subscribed')
    const subscriptions = await metric('sluice_websocket_subscriptions')
    const raw = (slow.socket as any)._socket
    raw.pause()
    const value = Buffer.alloc(10_000, 0x61).toString()
    let maxBuffered = 0
    let readsWhenPaused = -1
    const rounds = 300
    for (let round = 0; round < rounds; round++) {
      await producer.send({ topic: 'ws-slow', messages: Array.from({ length: 10 }, () => ({ value })) })
      if (round % 10 !== 9) continue
      maxBuffered = Math.max(maxBuffered, await metric('sluice_websocket_buffered_bytes'))
      if (readsWhenPaused < 0 && await metric('sluice_websocket_paused_subscriptions') === 1) readsWhenPaused = await metric('sluice_gateway_feed_reads_total')
    }
    // Unsent bytes stay within the limit plus one frame (a 256 KiB read of 100 KB batches, as JSON),
    // however much was produced (30 MB here).
    expect(maxBuffered).toBeGreaterThan(0)
    expect(maxBuffered).toBeLessThan(MAX_BUFFERED + 512 * 1024)
    // Once paused, nothing more is read from the store for it: what it has not read stays on disk.
    expect(readsWhenPaused).toBeGreaterThan(0)
    expect(await metric('sluice_gateway_feed_reads_total')).toBe(readsWhenPaused)
    // The drop comes http.ws.slow.client.ms (1.5 s) after the pause, which may be after the last
    // produce on a fast machine: wait for it by the clock, bounded.
    let dropped = 0
    const deadline = Date.now() + 10_000
    while (dropped === 0 && Date.now() < deadline) {
      dropped = await metric('sluice_websocket_slow_disconnects_total')
      if (dropped === 0) await new Promise(resolve => setTimeout(resolve, 50))
    }
    expect(dropped).toBe(1)
    expect(await metric('sluice_websocket_subscriptions')).toBeLessThan(subscriptions)
    expect(await metric('sluice_websocket_paused_subscriptions')).toBe(0)
    expect(await metric('sluice_websocket_buffered_bytes')).toBe(0)
    raw.resume()
    const closed = await slow.closed
    expect(closed.code).toBe(4008)
    expect(closed.reason).toMatch(/slow consumer/)
    expect(slow.received.some(m => !Buffer.isBuffer(m) && m.type === 'error' && m.code === 'SLOW_CONSUMER')).toBe(true)
  })
})
