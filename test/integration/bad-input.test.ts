// Malformed, oversize and unexpected input on raw sockets. The rules (STYLE.md §3, protocol-notes.md §5):
// an oversize or malformed frame or an unknown API key closes that connection without an answer;
// ApiVersions at an unknown version is answered with the v0-body UNSUPPORTED_VERSION fallback; acks=0
// Produce gets no answer. After each, the broker keeps serving new connections. Issue #3.
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Kafka, logLevel, type Admin } from 'kafkajs'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { API_KEY, BodyWriter, WireConnection, requestFrame } from '../helpers/wire.js'
import { PartitionReader } from './support/kafkajs-reader.js'
import { askApiVersions, decodeApiVersionsV0 } from './support/raw-api.js'

const require = createRequire(import.meta.url)
// kafkajs's own Produce v3 encoder (record batch, CRC32C and all), so the acks=0 frame is one we did not build.
const produceV3 = require('kafkajs/src/protocol/requests/produce/v3/request.js') as (request: object) => { encode: () => Promise<{ buffer: Buffer }> }

const MAX_REQUEST_BYTES = 1 << 20
const UNSUPPORTED_VERSION = 35
const CLOSE_WITHIN_MS = 5_000

let broker: RunningBroker
let admin: Admin

beforeAll(async () => {
  broker = await startBroker({ settings: { 'socket.request.max.bytes': MAX_REQUEST_BYTES, 'auto.create.topics.enable': false } })
  admin = new Kafka({ clientId: 'sluice-bad-input', brokers: [broker.bootstrap], logLevel: logLevel.ERROR }).admin()
  await admin.connect()
})

afterAll(async () => {
  await admin?.disconnect()
  await broker?.stop()
})

async function open (): Promise<WireConnection> {
  return await WireConnection.open(broker.host, broker.port)
}

/** A new connection still gets a correct ApiVersions answer, and the broker process is alive. */
async function expectBrokerServing (): Promise<void> {
  const answer = await askApiVersions(broker.host, broker.port)
  expect(answer.errorCode).toBe(0)
  expect(answer.apiKeys).toEqual(expect.arrayContaining([
    expect.objectContaining({ apiKey: API_KEY.ApiVersions, minVersion: 0 }),
    expect.objectContaining({ apiKey: API_KEY.Metadata }),
    expect.objectContaining({ apiKey: API_KEY.Produce }),
    expect.objectContaining({ apiKey: API_KEY.Fetch })
  ]))
}

function sizePrefix (size: number): Buffer {
  const prefix = Buffer.alloc(4)
  prefix.writeInt32BE(size)
  return prefix
}

describe('malformed input on raw sockets', () => {
  it('a frame larger than socket.request.max.bytes closes the connection before its body arrives', async () => {
    const conn = await open()
    conn.write(Buffer.concat([sizePrefix(8 * MAX_REQUEST_BYTES), Buffer.alloc(64, 1)]))
    expect(await conn.closesWithin(CLOSE_WITHIN_MS)).toBe(true)
    await expectBrokerServing()
  })

  it('a negative frame size closes the connection', async () => {
    const conn = await open()
    conn.write(Buffer.concat([sizePrefix(-5), Buffer.alloc(16)]))
    expect(await conn.closesWithin(CLOSE_WITHIN_MS)).toBe(true)
    await expectBrokerServing()
  })

  it('a truncated frame followed by the client closing leaves the broker serving', async () => {
    const conn = await open()
    const frame = requestFrame({ apiKey: API_KEY.Metadata, apiVersion: 1, correlationId: 1, clientId: 'cut' }, Buffer.alloc(40))
    conn.write(frame.subarray(0, 13))
    conn.close()
    await conn.closed
    await expectBrokerServing()
  })

  it('an unknown API key closes the connection without an answer', async () => {
    const conn = await open()
    conn.send({ apiKey: 999, apiVersion: 0, correlationId: 2, clientId: 'unknown-key' }, Buffer.alloc(8))
    expect(await conn.closesWithin(CLOSE_WITHIN_MS)).toBe(true)
    await expect(conn.nextResponse(100)).rejects.toThrow(/closed/)
    await expectBrokerServing()
  })

  it('a Metadata version the broker does not know (v99) closes the connection', async () => {
    const conn = await open()
    conn.send({ apiKey: API_KEY.Metadata, apiVersion: 99, correlationId: 3, clientId: 'metadata-99' }, Buffer.alloc(8))
    expect(await conn.closesWithin(CLOSE_WITHIN_MS)).toBe(true)
    await expectBrokerServing()
  })

  it('ApiVersions v99 is answered with UNSUPPORTED_VERSION and a v0 body listing ApiVersions, and the connection may then ask v0', async () => {
    const conn = await open()
    // Versions >= 3 use request header v2: the header ends with an (empty) tagged-field section.
    const flexibleBody = Buffer.from([0x05, ...Buffer.from('test'), 0x04, ...Buffer.from('1.0'), 0x00])
    conn.send({ apiKey: API_KEY.ApiVersions, apiVersion: 99, correlationId: 4, clientId: 'future-client' }, Buffer.concat([Buffer.from([0x00]), flexibleBody]))
    const fallback = await conn.nextResponse()
    expect(fallback.correlationId).toBe(4)
    const decoded = decodeApiVersionsV0(fallback.body)
    expect(decoded.errorCode).toBe(UNSUPPORTED_VERSION)
    expect(decoded.apiKeys).toContainEqual(expect.objectContaining({ apiKey: API_KEY.ApiVersions, minVersion: 0 }))
    conn.send({ apiKey: API_KEY.ApiVersions, apiVersion: 0, correlationId: 5, clientId: 'future-client' }, Buffer.alloc(0))
    const retried = await conn.nextResponse()
    expect(retried.correlationId).toBe(5)
    expect(decodeApiVersionsV0(retried.body).errorCode).toBe(0)
    conn.close()
  })

  it('garbage after a valid request header is refused: the connection closes or gets an answer, and nothing else breaks', async () => {
    const conn = await open()
    // Metadata v1 whose topic array claims 2^31-1 entries followed by a few random bytes.
    const garbage = Buffer.concat([Buffer.from([0x7f, 0xff, 0xff, 0xff]), Buffer.from('not a topic name at all')])
    conn.send({ apiKey: API_KEY.Metadata, apiVersion: 1, correlationId: 6, clientId: 'garbage' }, garbage)
    const outcome = await conn.nextResponse(CLOSE_WITHIN_MS).then(
      r => r.correlationId === 6 ? 'answered' : `answer with correlation id ${r.correlationId}`,
      (error: Error) => conn.isClosed ? 'closed' : error.message)
    expect(['closed', 'answered']).toContain(outcome)
    conn.close()
    await expectBrokerServing()
  })
})

describe('request pipelining', () => {
  it('Produce with acks=0 gets no answer: the next request on the connection is answered next', async () => {
    await admin.createTopics({ topics: [{ topic: 'acks-zero', numPartitions: 1 }] })
    const produce = produceV3({ acks: 0, timeout: 5_000, topicData: [{ topic: 'acks-zero', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'fire and forget' }] }] }] })
    const conn = await open()
    conn.send({ apiKey: API_KEY.Produce, apiVersion: 3, correlationId: 100, clientId: 'acks-zero' }, (await produce.encode()).buffer)
    conn.send({ apiKey: API_KEY.ApiVersions, apiVersion: 0, correlationId: 101, clientId: 'acks-zero' }, Buffer.alloc(0))
    conn.send({ apiKey: API_KEY.ApiVersions, apiVersion: 0, correlationId: 102, clientId: 'acks-zero' }, Buffer.alloc(0))
    expect((await conn.nextResponse()).correlationId).toBe(101)
    expect((await conn.nextResponse()).correlationId).toBe(102)
    conn.close()
    const reader = await PartitionReader.connect(broker.bootstrap)
    try {
      const [record] = await reader.read('acks-zero', 0, { count: 1 })
      expect(record?.value?.toString()).toBe('fire and forget')
    } finally {
      await reader.close()
    }
  })

  it('pipelined requests are answered in the order they were sent', async () => {
    const conn = await open()
    const ids = [201, 202, 203, 204, 205]
    const metadataV1 = new BodyWriter().int32(-1).finish() // null topic array: all topics
    conn.write(Buffer.concat(ids.map((correlationId, i) => i % 2 === 0
      ? requestFrame({ apiKey: API_KEY.ApiVersions, apiVersion: 0, correlationId, clientId: 'pipeline' }, Buffer.alloc(0))
      : requestFrame({ apiKey: API_KEY.Metadata, apiVersion: 1, correlationId, clientId: 'pipeline' }, metadataV1))))
    const answered: number[] = []
    for (let i = 0; i < ids.length; i++) answered.push((await conn.nextResponse()).correlationId)
    expect(answered).toEqual(ids)
    conn.close()
  })
})

describe('after all of that', () => {
  it('kafkajs still produces and reads back records', async () => {
    await admin.createTopics({ topics: [{ topic: 'still-works', numPartitions: 1 }] })
    const producer = new Kafka({ clientId: 'sluice-bad-input-after', brokers: [broker.bootstrap], logLevel: logLevel.ERROR }).producer()
    await producer.connect()
    const reader = await PartitionReader.connect(broker.bootstrap)
    try {
      await producer.send({ topic: 'still-works', messages: [{ value: 'one' }, { value: 'two' }] })
      expect((await reader.read('still-works', 0, { count: 2 })).map(r => r.value?.toString())).toEqual(['one', 'two'])
    } finally {
      await reader.close()
      await producer.disconnect()
    }
  })
})
