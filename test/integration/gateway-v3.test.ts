// REST Proxy v3 against a real broker: topic create, list, get and delete; the records endpoint for one
// record (status = its error_code) and in streaming mode (a chunked request open while results come
// back one line per record, in order); what it writes, kafkajs reads with keys, headers and
// timestamps. Issue #6.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { request } from 'node:http'
import { Kafka, logLevel, type Admin } from 'kafkajs'
import { startBroker, type RunningBroker } from '../helpers/broker.js'

let broker: RunningBroker
let base: string
let cluster: string
let admin: Admin
let kafka: Kafka

beforeAll(async () => {
  broker = await startBroker({ http: true, settings: { 'auto.create.topics.enable': false } })
  base = `http://127.0.0.1:${broker.httpPort!}`
  kafka = new Kafka({ clientId: 'sluice-gateway-v3', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  admin = kafka.admin()
  await admin.connect()
  cluster = (await (await fetch(`${base}/v3/clusters`)).json()).data[0].cluster_id
})

afterAll(async () => {
  await admin?.disconnect()
  await broker?.stop()
})

async function call (method: string, path: string, body?: unknown): Promise<{ status: number, json: any }> {
  const response = await fetch(`${base}/v3/clusters/${cluster}${path}`, {
    method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
  })
  const text = await response.text()
  return { status: response.status, json: text === '' ? null : JSON.parse(text) }
}

describe('v3 topics', () => {
  it('create answers 201 with the topic; list, get and delete follow; a duplicate is 400 with 40002', async () => {
    const created = await call('POST', '/topics', { topic_name: 'v3-topic', partitions_count: 3, configs: [{ name: 'retention.ms', value: '60000' }] })
    expect(created.status).toBe(201)
    expect(created.json).toMatchObject({ kind: 'KafkaTopic', cluster_id: cluster, topic_name: 'v3-topic', partitions_count: 3, replication_factor: 1, is_internal: false })
    expect(await call('POST', '/topics', { topic_name: 'v3-topic', partitions_count: 1 })).toMatchObject({ status: 400, json: { error_code: 40002 } })
    const list = await call('GET', '/topics')
    expect(list.json.kind).toBe('KafkaTopicList')
    expect(list.json.data.map((t: any) => t.topic_name)).toContain('v3-topic')
    expect((await call('GET', '/topics/v3-topic')).json.partitions_count).toBe(3)
    const metadata = await admin.fetchTopicMetadata({ topics: ['v3-topic'] })
    expect(metadata.topics[0]!.partitions).toHaveLength(3)
    expect((await call('DELETE', '/topics/v3-topic')).status).toBe(204)
    expect(await call('GET', '/topics/v3-topic')).toMatchObject({ status: 404, json: { error_code: 404 } })
    expect((await fetch(`${base}/v3/clusters/not-this-one/topics`)).status).toBe(404)
  })
})

describe('v3 records', () => {
  it('one record gets one answer with partition, offset, timestamp and sizes; kafkajs reads it as sent', async () => {
    await call('POST', '/topics', { topic_name: 'v3-records', partitions_count: 2 })
    const answer = await call('POST', '/topics/v3-records/records', {
      partition_id: 1,
      headers: [{ name: 'trace', value: Buffer.from('abc').toString('base64') }],
      key: { type: 'STRING', data: 'user-1' },
      value: { type: 'JSON', data: { amount: 12 } },
      timestamp: '2024-05-01T00:00:00.000Z'
    })
    expect(answer).toEqual({
      status: 200,
      json: {
        error_code: 200,
        cluster_id: cluster,
        topic_name: 'v3-records',
        partition_id: 1,
        offset: 0,
        timestamp: '2024-05-01T00:00:00.000Z',
        key: { type: 'STRING', size: 6 },
        value: { type: 'JSON', size: 13 }
      }
    })
    const binary = await call('POST', '/topics/v3-records/records', { partition_id: 1, value: { type: 'BINARY', data: Buffer.from([9, 8, 7]).toString('base64') } })
    expect(binary.json).toMatchObject({ error_code: 200, offset: 1, key: null, value: { type: 'BINARY', size: 3 } })
    const consumer = kafka.consumer({ groupId: 'v3-reader', maxWaitTimeInMs: 100 })
    const seen: any[] = []
    await consumer.connect()
    await consumer.subscribe({ topic: 'v3-records', fromBeginning: true })
    await new Promise<void>(resolve => { void consumer.run({ eachMessage: async ({ message }) => { seen.push(message); if (seen.length === 2) resolve() } }) })
    await consumer.disconnect()
    expect(seen[0].key.toString()).toBe('user-1')
    expect(JSON.parse(seen[0].value.toString())).toEqual({ amount: 12 })
    expect(seen[0].headers.trace.toString()).toBe('abc')
    expect(seen[0].timestamp).toBe(String(Date.parse('2024-05-01T00:00:00.000Z')))
    expect([...seen[1].value]).toEqual([9, 8, 7])
  })

  it('bad records get their status: 400 malformed or mistyped, 404 unknown topic or partition, 413 too large', async () => {
    await call('POST', '/topics', { topic_name: 'v3-bad', partitions_count: 1, configs: [{ name: 'max.message.bytes', value: '1000' }] })
    expect(await call('POST', '/topics/v3-bad/records', '{"value": ')).toMatchObject({ status: 400, json: { error_code: 400 } })
    expect(await call('POST', '/topics/v3-bad/records', { value: { type: 'AVRO', data: 1 } })).toMatchObject({ status: 400 })
    expect(await call('POST', '/topics/v3-bad/records', { value: { type: 'BINARY', data: 'not base64!' } })).toMatchObject({ status: 400 })
    expect(await call('POST', '/topics/v3-none/records', { value: { type: 'STRING', data: 'x' } })).toMatchObject({ status: 404, json: { error_code: 404 } })
    expect(await call('POST', '/topics/v3-bad/records', { partition_id: 3, value: { type: 'STRING', data: 'x' } })).toMatchObject({ status: 404 })
    expect(await call('POST', '/topics/v3-bad/records', { value: { type: 'STRING', data: 'x'.repeat(2000) } })).toMatchObject({ status: 413, json: { error_code: 413 } })
    expect(await call('POST', '/topics/v3-bad/records', { value: { type: 'STRING', data: 'fits' } })).toMatchObject({ status: 200, json: { offset: 0 } })
  })

  it('streaming mode answers each record with one line while the request is still open, in order, errors in place', async () => {
    await call('POST', '/topics', { topic_name: 'v3-stream', partitions_count: 2 })
    const lines: any[] = []
    let nextLine: ((line: any) => void) | null = null
    let pending = ''
    const req = request(`${base}/v3/clusters/${cluster}/topics/v3-stream/records`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } })
    const finished = new Promise<number>((resolve, reject) => {
      req.on('response', res => {
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          pending += chunk
          let at
          while ((at = pending.indexOf('\n')) >= 0) {
            const line = JSON.parse(pending.slice(0, at))
            pending = pending.slice(at + 1)
            lines.push(line)
            nextLine?.(line)
          }
        })
        res.on('end', () => resolve(res.statusCode ?? 0))
      })
      req.on('error', reject)
    })
    const answerTo = async (body: string): Promise<any> => {
      const line = new Promise(resolve => { nextLine = resolve })
      req.write(body)
      return await line
    }
    // Each answer arrives before the next record is even written: the stream is live both ways.
    for (let i = 0; i < 5; i++) {
      expect(await answerTo(JSON.stringify({ partition_id: i % 2, value: { type: 'STRING', data: `s${i}` } }) + '\n')).toMatchObject({ error_code: 200, partition_id: i % 2, offset: Math.floor(i / 2) })
    }
    expect(await answerTo('{"value": {"type": "NOPE"}}\n')).toMatchObject({ error_code: 400 })
    // Several records in one write come back in order.
    req.write([5, 6, 7].map(i => JSON.stringify({ partition_id: 0, value: { type: 'STRING', data: `s${i}` } })).join('\n') + '\n')
    req.end()
    expect(await finished).toBe(200)
    expect(lines).toHaveLength(9)
    expect(lines.slice(6).map(l => l.offset)).toEqual([3, 4, 5])
    const offsets = await admin.fetchTopicOffsets('v3-stream')
    expect(offsets.map(o => Number(o.high)).sort()).toEqual([2, 6])
  })
})
