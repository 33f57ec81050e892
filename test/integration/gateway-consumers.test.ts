// REST Proxy v2 consumer instances against a real broker, over real HTTP: create, subscribe, fetch
// records, commit, committed offsets, seek, manual assignment, delete; isolation.level read_committed; a REST instance and a kafkajs
// consumer share one group's partitions and together read every record once; a WebSocket group
// subscription is a member too. Issue #6.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Kafka, type Admin, type Consumer, type Producer } from 'kafkajs'
import { request } from 'node:http'
import WebSocket from 'ws'
import { closeKafkajs, connectKafkajs } from '../helpers/kafkajs-fixture.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'

const V2 = 'application/vnd.kafka.v2+json'
const BINARY_V2 = 'application/vnd.kafka.binary.v2+json'
const WAIT_MS = 20_000

let broker: RunningBroker
let base: string
let admin: Admin
let producer: Producer
let kafka: Kafka

beforeAll(async () => {
  broker = await startBroker({ http: true, settings: { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 500 } })
  base = `http://127.0.0.1:${broker.httpPort!}`
  ;({ kafka, admin, producer } = await connectKafkajs(broker, { clientId: 'sluice-gateway-consumers' }))
})

afterAll(async () => {
  await closeKafkajs({ producer, admin, broker })
})

async function call (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number, json: any }> {
  if (method === 'GET' && body !== undefined) return await getWithBody(path, body)
  const response = await fetch(base + path, {
    method,
    headers: { 'Content-Type': V2, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await response.text()
  return { status: response.status, json: text === '' ? null : JSON.parse(text) }
}

/** GET .../offsets carries a body in the REST Proxy API, which fetch() refuses to send. */
async function getWithBody (path: string, body: unknown): Promise<{ status: number, json: any }> {
  const payload = Buffer.from(JSON.stringify(body))
  return await new Promise((resolve, reject) => {
    const req = request(base + path, { method: 'GET', headers: { 'Content-Type': V2, 'Content-Length': payload.length } }, res => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) }))
    })
    req.on('error', reject)
    req.end(payload)
  })
}

async function createTopic (topic: string, numPartitions: number): Promise<void> {
  expect(await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1 }] })).toBe(true)
}

async function produce (topic: string, values: string[]): Promise<void> {
  await producer.send({ topic, messages: values.map((value, i) => ({ key: `k${i}`, value })) })
}

/** GET .../records until `count` records came back or WAIT_MS passed; decoded from binary. */
async function fetchRecords (instance: string, count: number): Promise<Array<{ partition: number, offset: number, value: string }>> {
  const out: Array<{ partition: number, offset: number, value: string }> = []
  const deadline = Date.now() + WAIT_MS
  while (out.length < count && Date.now() < deadline) {
    const { status, json } = await call('GET', `${instance}/records?timeout=500`, undefined, { Accept: BINARY_V2 })
    expect(status).toBe(200)
    for (const r of json) out.push({ partition: r.partition, offset: r.offset, value: Buffer.from(r.value, 'base64').toString() })
  }
  return out
}

interface GroupSocket { socket: WebSocket, messages: any[], next: (match: (m: any) => boolean) => Promise<any> }

/** A /v1/stream socket subscribed as a member of `group` (from earliest), once `records` records arrived. */
async function openGroupSocket (group: string, records: number): Promise<GroupSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${broker.httpPort!}/v1/stream`)
  const messages: any[] = []
  const waiters: Array<{ match: (m: any) => boolean, resolve: (m: any) => void }> = []
  socket.on('message', data => {
    const message = JSON.parse(data.toString())
    messages.push(message)
    for (const w of [...waiters]) if (w.match(message)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(message) }
  })
  const next = async (match: (m: any) => boolean): Promise<any> => await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing matched; got ${JSON.stringify(messages)}`)), WAIT_MS)
    waiters.push({ match, resolve: m => { clearTimeout(timer); resolve(m) } })
  })
  await new Promise(resolve => socket.once('open', resolve))
  socket.send(JSON.stringify({ op: 'subscribe', group, topics: ['rc-ws-group'], from: 'earliest' }))
  while (values(messages).length < records) await next(m => m.type === 'records')
  return { socket, messages, next }
}

function values (messages: any[]): string[] {
  return messages.filter(m => m.type === 'records').flatMap(m => m.records.map((r: any) => r.value as string)).sort()
}

describe('REST v2 consumer instances', () => {
  it('create, subscribe, read, commit and delete an instance; committed offsets survive it', async () => {
    await createTopic('rc-basic', 2)
    await produce('rc-basic', ['a', 'b', 'c', 'd'])
    const created = await call('POST', '/consumers/rc-group', { name: 'one', format: 'binary', 'auto.offset.reset': 'earliest', 'auto.commit.enable': 'false' })
    expect(created).toEqual({ status: 200, json: { instance_id: 'one', base_uri: `http://127.0.0.1:${broker.httpPort!}/consumers/rc-group/instances/one` } })
    const path = '/consumers/rc-group/instances/one'
    expect((await call('POST', `${path}/subscription`, { topics: ['rc-basic'] })).status).toBe(204)
    expect((await call('GET', `${path}/subscription`)).json).toEqual({ topics: ['rc-basic'] })
    const records = await fetchRecords(path, 4)
    expect(records.map(r => r.value).sort()).toEqual(['a', 'b', 'c', 'd'])
    expect((await call('GET', `${path}/assignments`)).json.partitions).toHaveLength(2)
    expect((await call('POST', `${path}/offsets`)).status).toBe(200)
    const committed = await call('GET', `${path}/offsets`, { partitions: [{ topic: 'rc-basic', partition: 0 }, { topic: 'rc-basic', partition: 1 }] })
    const ends = await admin.fetchTopicOffsets('rc-basic')
    expect(committed.json.offsets.map((o: any) => [o.partition, o.offset])).toEqual(ends.map(e => [e.partition, Number(e.offset)]))
    expect((await call('DELETE', path)).status).toBe(204)
    expect(await call('GET', `${path}/records`, undefined, { Accept: BINARY_V2 })).toMatchObject({ status: 404, json: { error_code: 40403 } })
    const groups = await admin.fetchOffsets({ groupId: 'rc-group', topics: ['rc-basic'] })
    expect(groups[0]!.partitions.map(p => Number(p.offset)).reduce((a, b) => a + b, 0)).toBe(4)
  })

  it('the json format returns values as JSON; a mismatched Accept is 406 with 40601; seeks move positions', async () => {
    await createTopic('rc-json', 1)
    await producer.send({ topic: 'rc-json', messages: [{ value: '{"n":1}' }, { value: '{"n":2}' }, { value: '{"n":3}' }] })
    await call('POST', '/consumers/rc-json-group', { name: 'j', format: 'json', 'auto.offset.reset': 'earliest' })
    const path = '/consumers/rc-json-group/instances/j'
    await call('POST', `${path}/assignments`, { partitions: [{ topic: 'rc-json', partition: 0 }] })
    expect(await call('GET', `${path}/records`, undefined, { Accept: BINARY_V2 })).toMatchObject({ status: 406, json: { error_code: 40601 } })
    const first = await call('GET', `${path}/records?timeout=2000`, undefined, { Accept: 'application/vnd.kafka.json.v2+json' })
    expect(first.json.map((r: any) => r.value)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }])
    expect((await call('POST', `${path}/positions`, { offsets: [{ topic: 'rc-json', partition: 0, offset: 1 }] })).status).toBe(204)
    const again = await call('GET', `${path}/records?timeout=2000`, undefined, { Accept: 'application/vnd.kafka.json.v2+json' })
    expect(again.json.map((r: any) => r.offset)).toEqual([1, 2])
    await call('POST', `${path}/positions/beginning`, { partitions: [{ topic: 'rc-json', partition: 0 }] })
    expect((await call('GET', `${path}/records?timeout=2000`, undefined, { Accept: 'application/vnd.kafka.json.v2+json' })).json).toHaveLength(3)
    await call('DELETE', path)
  })

  it('errors: a duplicate name is 409 with 40902, a bad config 422 with 42204, an unknown instance 404 with 40403', async () => {
    await call('POST', '/consumers/rc-errors', { name: 'dup' })
    expect(await call('POST', '/consumers/rc-errors', { name: 'dup' })).toMatchObject({ status: 409, json: { error_code: 40902 } })
    expect(await call('POST', '/consumers/rc-errors', { name: 'bad', format: 'avro' })).toMatchObject({ status: 422, json: { error_code: 42204 } })
    expect(await call('POST', '/consumers/rc-errors/instances/ghost/subscription', { topics: ['x'] })).toMatchObject({ status: 404, json: { error_code: 40403 } })
    expect(await call('POST', '/consumers/rc-errors/instances/dup/assignments', { partitions: [{ topic: 'nope', partition: 0 }] })).toMatchObject({ status: 404, json: { error_code: 40401 } })
    await call('DELETE', '/consumers/rc-errors/instances/dup')
  })
})

describe('REST v2 consumers with isolation.level read_committed', () => {
  it('read only committed transactional records and stop at the last stable offset until the open transaction ends', async () => {
    await createTopic('rc-txn', 1)
    const txnProducer = kafka.producer({ transactionalId: 'rc-txn-producer', idempotent: true, maxInFlightRequests: 1 })
    await txnProducer.connect()
    const aborted = await txnProducer.transaction()
    await aborted.send({ topic: 'rc-txn', messages: [{ value: 'aborted-1' }, { value: 'aborted-2' }] })
    await aborted.abort()
    const kept = await txnProducer.transaction()
    await kept.send({ topic: 'rc-txn', messages: [{ value: 'committed-1' }, { value: 'committed-2' }] })
    await kept.commit()
    const open = await txnProducer.transaction()
    await open.send({ topic: 'rc-txn', messages: [{ value: 'pending' }] })
    await producer.send({ topic: 'rc-txn', messages: [{ value: 'after-pending' }] })

    const instances = { committed: '/consumers/rc-txn-group/instances/committed', uncommitted: '/consumers/rc-txn-group/instances/uncommitted' }
    await call('POST', '/consumers/rc-txn-group', { name: 'committed', format: 'binary', 'auto.offset.reset': 'earliest', 'isolation.level': 'read_committed' })
    await call('POST', '/consumers/rc-txn-group', { name: 'uncommitted', format: 'binary', 'auto.offset.reset': 'earliest' })
    for (const path of Object.values(instances)) await call('POST', `${path}/assignments`, { partitions: [{ topic: 'rc-txn', partition: 0 }] })
    const all = await fetchRecords(instances.uncommitted, 6)
    expect(all.map(r => r.value)).toEqual(['aborted-1', 'aborted-2', 'committed-1', 'committed-2', 'pending', 'after-pending'])
    // The committed records come back; then polls wait out their timeout at the open transaction.
    expect((await fetchRecords(instances.committed, 2)).map(r => r.value)).toEqual(['committed-1', 'committed-2'])
    expect(await call('GET', `${instances.committed}/records?timeout=300`, undefined, { Accept: BINARY_V2 })).toEqual({ status: 200, json: [] })
    // Seeking to the end stops at the last stable offset too: the pending transaction's first record.
    const pendingOffset = all.find(r => r.value === 'pending')!.offset
    await call('POST', `${instances.committed}/positions/end`, { partitions: [{ topic: 'rc-txn', partition: 0 }] })
    await open.commit()
    const rest = await fetchRecords(instances.committed, 2)
    expect(rest.map(r => [r.offset, r.value])).toEqual([[pendingOffset, 'pending'], [pendingOffset + 1, 'after-pending']])
    await txnProducer.disconnect()
    for (const path of Object.values(instances)) await call('DELETE', path)
  })

  it('an unknown isolation.level is 422 with 42204', async () => {
    expect(await call('POST', '/consumers/rc-txn-errors', { name: 'x', 'isolation.level': 'serializable' })).toMatchObject({ status: 422, json: { error_code: 42204 } })
  })
})

describe('group membership shared with Kafka clients', () => {
  it('a REST instance and a kafkajs consumer split one group\'s partitions and read every record exactly once', async () => {
    await createTopic('rc-shared', 4)
    const path = '/consumers/rc-shared-group/instances/rest'
    await call('POST', '/consumers/rc-shared-group', { name: 'rest', format: 'binary', 'auto.offset.reset': 'earliest' })
    await call('POST', `${path}/subscription`, { topics: ['rc-shared'] })
    const kafkajsSeen: Array<{ partition: number, value: string }> = []
    let kafkajsAssigned: number[] = []
    const consumer: Consumer = kafka.consumer({ groupId: 'rc-shared-group', sessionTimeout: 6000, rebalanceTimeout: 6000, heartbeatInterval: 200, maxWaitTimeInMs: 100 })
    consumer.on(consumer.events.GROUP_JOIN, event => { kafkajsAssigned = [...(event.payload.memberAssignment['rc-shared'] ?? [])].sort() })
    await consumer.connect()
    await consumer.subscribe({ topic: 'rc-shared', fromBeginning: true })
    await consumer.run({ eachMessage: async ({ partition, message }) => { kafkajsSeen.push({ partition, value: message.value!.toString() }) } })
    // Both members hold partitions: kafkajs has some and the REST instance the rest.
    const deadline = Date.now() + WAIT_MS
    let restAssigned: number[] = []
    while (Date.now() < deadline) {
      restAssigned = (await call('GET', `${path}/assignments`)).json.partitions.map((p: any) => p.partition).sort()
      if (restAssigned.length > 0 && kafkajsAssigned.length > 0 && restAssigned.length + kafkajsAssigned.length === 4) break
      await call('GET', `${path}/records?timeout=200`, undefined, { Accept: BINARY_V2 })
    }
    expect([...restAssigned, ...kafkajsAssigned].sort()).toEqual([0, 1, 2, 3])
    const values = Array.from({ length: 40 }, (_, i) => `v${i}`)
    await producer.send({ topic: 'rc-shared', messages: values.map((value, i) => ({ partition: i % 4, value })) })
    const restSeen: Array<{ partition: number, value: string }> = []
    const until = Date.now() + WAIT_MS
    while (kafkajsSeen.length + restSeen.length < values.length && Date.now() < until) {
      const { json } = await call('GET', `${path}/records?timeout=200`, undefined, { Accept: BINARY_V2 })
      for (const r of json) restSeen.push({ partition: r.partition, value: Buffer.from(r.value, 'base64').toString() })
    }
    await consumer.disconnect()
    expect([...restSeen.map(r => r.value), ...kafkajsSeen.map(r => r.value)].sort()).toEqual([...values].sort())
    expect(new Set(restSeen.map(r => r.partition))).toEqual(new Set(restAssigned))
    expect(new Set(kafkajsSeen.map(r => r.partition))).toEqual(new Set(kafkajsAssigned))
    await call('DELETE', path)
  })

  it('a WebSocket group subscription gets the partitions the group assigns it, and a later member starts at the committed offsets', async () => {
    await createTopic('rc-ws-group', 2)
    await produce('rc-ws-group', ['x', 'y', 'z'])
    const first = await openGroupSocket('rc-ws', 3)
    expect(first.messages.find(m => m.type === 'assigned').partitions.map((p: any) => p.partition).sort()).toEqual([0, 1])
    expect(values(first.messages)).toEqual(['x', 'y', 'z'])
    first.socket.send(JSON.stringify({ op: 'commit', ref: 1, group: 'rc-ws' }))
    await first.next(m => m.type === 'committed')
    const left = new Promise(resolve => first.socket.on('close', resolve))
    first.socket.close()
    await left
    const offsets = await admin.fetchOffsets({ groupId: 'rc-ws', topics: ['rc-ws-group'] })
    expect(offsets[0]!.partitions.map(p => Number(p.offset)).reduce((a, b) => a + b, 0)).toBe(3)
    await produce('rc-ws-group', ['w'])
    const second = await openGroupSocket('rc-ws', 1)
    expect(values(second.messages)).toEqual(['w'])
    second.socket.close()
  })

})
