// The HTTP gateway's REST Proxy v2 topic and produce API against a real broker, with real HTTP requests
// (fetch): what HTTP produces, kafkajs and kcat read back; keyed records land where a Kafka client's
// partitioner puts them; every kind of bad input gets the documented status and error body and leaves
// the broker serving. Issue #6.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Kafka, type Admin, type Producer } from 'kafkajs'
import { closeKafkajs, connectKafkajs } from '../helpers/kafkajs-fixture.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { has, kcat } from '../helpers/clients.js'
import { fetchRawBatches } from './support/raw-api.js'

const JSON_V2 = 'application/vnd.kafka.json.v2+json'
const BINARY_V2 = 'application/vnd.kafka.binary.v2+json'

let broker: RunningBroker
let base: string
let admin: Admin
let producer: Producer
let kafka: Kafka

beforeAll(async () => {
  broker = await startBroker({ http: true, settings: { 'auto.create.topics.enable': false, 'http.max.body.bytes': 65536 } })
  base = `http://127.0.0.1:${broker.httpPort!}`
  ;({ kafka, admin, producer } = await connectKafkajs(broker, { clientId: 'sluice-gateway-rest' }))
})

afterAll(async () => {
  await closeKafkajs({ producer, admin, broker })
})

async function createTopic (topic: string, numPartitions = 1, configEntries: Array<{ name: string, value: string }> = []): Promise<void> {
  expect(await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1, configEntries }] })).toBe(true)
}

async function post (path: string, body: unknown, contentType = JSON_V2): Promise<{ status: number, json: any }> {
  const response = await fetch(base + path, { method: 'POST', headers: { 'Content-Type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) })
  return { status: response.status, json: await response.json() }
}

async function get (path: string): Promise<{ status: number, json: any }> {
  const response = await fetch(base + path)
  return { status: response.status, json: await response.json() }
}

/** Every record of `topic` read from the beginning with a kafkajs consumer, as partition:key=value. */
async function readWithKafkajs (topic: string, expected: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `reader-${topic}`, maxWaitTimeInMs: 100 })
  const seen: string[] = []
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${seen.length} of ${expected} records arrived`)), 20_000)
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.push(`${partition}:${message.key?.toString() ?? ''}=${message.value?.toString() ?? ''}`)
        if (seen.length === expected) { clearTimeout(timer); resolve() }
      }
    })
  })
  await consumer.disconnect()
  return seen.sort()
}

describe('REST Proxy v2 produce', () => {
  it('JSON records posted over HTTP are read back by kafkajs with their keys and values, offsets per record', async () => {
    await createTopic('rest-json', 3)
    const { status, json } = await post('/topics/rest-json', {
      records: [{ key: 'k1', value: { n: 1 } }, { key: 'k2', value: [1, 2] }, { value: 'plain', partition: 2 }]
    })
    expect(status).toBe(200)
    expect(json.key_schema_id).toBeNull()
    expect(json.offsets).toHaveLength(3)
    for (const o of json.offsets) expect(o).toMatchObject({ error_code: null, error: null, offset: expect.any(Number) })
    expect(json.offsets[2].partition).toBe(2)
    const read = await readWithKafkajs('rest-json', 3)
    expect(read).toEqual([
      `${json.offsets[0].partition}:"k1"={"n":1}`,
      `${json.offsets[1].partition}:"k2"=[1,2]`,
      '2:="plain"'
    ].sort())
  })

  it('binary records posted to one partition keep their bytes exactly, and kcat reads them', async () => {
    await createTopic('rest-binary', 2)
    const values = [Buffer.from([0, 1, 2, 255]), Buffer.from('ünïcødé')]
    const { status, json } = await post('/topics/rest-binary/partitions/1', {
      records: values.map((v, i) => ({ key: Buffer.from(`key${i}`).toString('base64'), value: v.toString('base64') }))
    }, BINARY_V2)
    expect(status).toBe(200)
    expect(json.offsets.map((o: any) => [o.partition, o.offset])).toEqual([[1, 0], [1, 1]])
    const fetched = await fetchRawBatches(broker.host, broker.port, { topic: 'rest-binary', partition: 1 })
    expect(fetched.highWatermark).toBe(2n)
    if (has.kcat) {
      const out = await kcat(['-b', broker.bootstrap, '-C', '-t', 'rest-binary', '-p', '1', '-o', 'beginning', '-e', '-q', '-f', '%k=%S\\n'])
      expect(out.trim().split('\n')).toEqual(['key0=4', `key1=${values[1]!.length}`])
    }
  })

  it('keyed records land on the partition a kafkajs producer picks for the same keys (murmur2)', async () => {
    await createTopic('rest-keys', 7)
    const keys = Array.from({ length: 40 }, (_, i) => `customer-${i}`)
    const { json } = await post('/topics/rest-keys', { records: keys.map(key => ({ key, value: 1 })) })
    // The json format stores the key as JSON text, so kafkajs must send the same bytes: "customer-i" quoted.
    await producer.send({ topic: 'rest-keys', messages: keys.map(key => ({ key: JSON.stringify(key), value: '1' })) })
    expect(new Set(json.offsets.map((o: any) => o.partition)).size).toBeGreaterThan(3)
    const read = await readWithKafkajs('rest-keys', 80)
    const byKey = new Map<string, Set<string>>()
    for (const line of read) {
      const [partition, rest] = line.split(':', 2) as [string, string]
      const key = rest.slice(0, rest.indexOf('='))
      byKey.set(key, (byKey.get(key) ?? new Set()).add(partition))
    }
    // Each key was sent twice, once over HTTP and once by kafkajs: both copies share one partition.
    expect(byKey.size).toBe(40)
    for (const partitions of byKey.values()) expect(partitions.size).toBe(1)
  })

  it('GET /topics, /topics/{t}, partitions and offsets describe the topic', async () => {
    await createTopic('rest-meta', 2, [{ name: 'retention.ms', value: '3600000' }])
    await post('/topics/rest-meta/partitions/0', { records: [{ value: 1 }, { value: 2 }] })
    expect((await get('/topics')).json).toEqual(expect.arrayContaining(['rest-meta']))
    expect((await get('/topics')).json).not.toContain('__consumer_offsets')
    const topic = (await get('/topics/rest-meta')).json
    expect(topic.name).toBe('rest-meta')
    expect(topic.configs['retention.ms']).toBe('3600000')
    expect(topic.partitions).toHaveLength(2)
    expect(topic.partitions[0]).toEqual({ partition: 0, leader: expect.any(Number), replicas: [{ broker: expect.any(Number), leader: true, in_sync: true }] })
    expect((await get('/topics/rest-meta/partitions/1')).json.partition).toBe(1)
    expect((await get('/topics/rest-meta/partitions')).json).toHaveLength(2)
    expect((await get('/topics/rest-meta/partitions/0/offsets')).json).toEqual({ beginning_offset: 0, end_offset: 2 })
  })
})

describe('bad input gets the documented error and affects nothing else', () => {
  it('an unknown topic is 404 with error_code 40401, an unknown partition 404 with 40402', async () => {
    expect(await post('/topics/no-such-topic', { records: [{ value: 1 }] })).toEqual({ status: 404, json: { error_code: 40401, message: expect.any(String) } })
    await createTopic('bad-partition', 2)
    expect(await post('/topics/bad-partition/partitions/5', { records: [{ value: 1 }] })).toMatchObject({ status: 404, json: { error_code: 40402 } })
    // One record naming a missing partition refuses the whole request: nothing is written.
    expect(await post('/topics/bad-partition', { records: [{ value: 1 }, { value: 2, partition: 9 }] })).toMatchObject({ status: 404, json: { error_code: 40402 } })
    expect((await get('/topics/bad-partition/partitions/0/offsets')).json.end_offset + (await get('/topics/bad-partition/partitions/1/offsets')).json.end_offset).toBe(0)
    expect(await get('/topics/no-such-topic/partitions/0/offsets')).toMatchObject({ status: 404, json: { error_code: 40401 } })
  })

  it('a wrong or schema content type is 415; malformed JSON is 400; a body without records is 422', async () => {
    await createTopic('bad-body')
    expect(await post('/topics/bad-body', { records: [{ value: 1 }] }, 'text/plain')).toMatchObject({ status: 415, json: { error_code: 415 } })
    expect(await post('/topics/bad-body', { records: [{ value: 1 }] }, 'application/vnd.kafka.avro.v2+json')).toMatchObject({ status: 415 })
    expect(await post('/topics/bad-body', '{"records": [', JSON_V2)).toMatchObject({ status: 400, json: { error_code: 400, message: expect.stringContaining('JSON') } })
    expect(await post('/topics/bad-body', { nothing: true })).toMatchObject({ status: 422, json: { error_code: 422 } })
    expect(await post('/topics/bad-body', { records: [{ value: 'not base64!' }] }, BINARY_V2)).toMatchObject({ status: 422 })
    expect(await post('/topics/bad-body', { records: [{ value: 'still fine' }] })).toMatchObject({ status: 200 })
  })

  it('a record larger than the topic\'s max.message.bytes fails alone with a non-retriable error; its neighbours are written', async () => {
    await createTopic('bad-size', 1, [{ name: 'max.message.bytes', value: '2000' }])
    const { status, json } = await post('/topics/bad-size', { records: [{ value: 'small' }, { value: 'x'.repeat(5000) }, { value: 'also small' }] })
    expect(status).toBe(200)
    expect(json.offsets[0]).toMatchObject({ offset: 0, error_code: null })
    expect(json.offsets[1]).toMatchObject({ offset: null, error_code: 1, error: expect.stringContaining('MESSAGE_TOO_LARGE') })
    expect(json.offsets[2]).toMatchObject({ offset: 1, error_code: null })
  })

  it('a body over http.max.body.bytes is 413, and the next request is served normally', async () => {
    await createTopic('bad-huge')
    const huge = JSON.stringify({ records: [{ value: 'y'.repeat(100_000) }] })
    const response = await fetch(`${base}/topics/bad-huge`, { method: 'POST', headers: { 'Content-Type': JSON_V2 }, body: huge })
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ error_code: 413 })
    expect(await post('/topics/bad-huge', { records: [{ value: 'ok' }] })).toMatchObject({ status: 200 })
    expect((await get('/nowhere')).status).toBe(404)
  })
})
