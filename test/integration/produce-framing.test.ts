// Produce requests are read into reusable slabs and lent to the handler without a copy
// (src/broker/frame-reader.ts). These tests pipeline many megabytes of Produce requests on one raw
// socket, cut at sizes that split frames and size prefixes across reads, so every slab is filled,
// released and reused several times, and one request is larger than a slab; then every record is read
// back through kafkajs and compared byte for byte.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Kafka, logLevel, type Admin } from 'kafkajs'
import { decodeProduceResponse, decodeResponseHeader, encodeProduceRequest } from '../../src/protocol/index.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { buildBatch } from '../helpers/batch.js'
import { WireConnection } from '../helpers/wire.js'
import { PartitionReader } from './support/kafkajs-reader.js'

const TOPIC = 'framing'
const PARTITIONS = 3
const REQUESTS = 40
const RECORDS_PER_BATCH = 20
const RECORD_BYTES = 3_000
/** This request's batch alone is larger than a read slab (1 MiB). */
const BIG_REQUEST = 17
const BIG_BATCH_RECORDS = 800
const PRODUCE_V = 7
const WRITE_PIECE = 7_919

let broker: RunningBroker
let admin: Admin

beforeAll(async () => {
  broker = await startBroker({ settings: { 'auto.create.topics.enable': false } })
  admin = new Kafka({ clientId: 'sluice-framing', brokers: [broker.bootstrap], logLevel: logLevel.ERROR }).admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS, configEntries: [{ name: 'max.message.bytes', value: String(8 << 20) }] }] })
})

afterAll(async () => {
  await admin?.disconnect()
  await broker?.stop()
})

/** A record's value names its request, partition and index, and fills the rest with a byte derived from them. */
function value (request: number, partition: number, index: number): Buffer {
  const out = Buffer.alloc(RECORD_BYTES, (request * 31 + partition * 7 + index) % 251)
  out.write(`r${request} p${partition} i${index} `)
  return out
}

function produceRequest (request: number): Buffer {
  const partitionData = Array.from({ length: PARTITIONS }, (_, partition) => {
    const count = request === BIG_REQUEST && partition === 0 ? BIG_BATCH_RECORDS : RECORDS_PER_BATCH
    const records = Array.from({ length: count }, (_, i) => ({ value: value(request, partition, i) }))
    return { index: partition, records: buildBatch({ records }) }
  })
  return Buffer.concat(encodeProduceRequest({ transactionalId: null, acks: 1, timeoutMs: 30_000, topicData: [{ name: TOPIC, partitionData }] },
    PRODUCE_V, { correlationId: request, clientId: 'sluice-framing' }))
}

describe('pipelined Produce requests read in place', () => {
  it('every record of megabytes of pipelined requests, split at odd sizes, is stored as sent', async () => {
    const stream = Buffer.concat(Array.from({ length: REQUESTS }, (_, r) => produceRequest(r)))
    expect(stream.length).toBeGreaterThan(8 << 20)
    const conn = await WireConnection.open(broker.host, broker.port)
    try {
      for (let at = 0; at < stream.length; at += WRITE_PIECE) conn.write(stream.subarray(at, at + WRITE_PIECE))
      for (let r = 0; r < REQUESTS; r++) {
        const response = await conn.nextResponse(30_000)
        expect(response.correlationId).toBe(r)
        const frame = Buffer.concat([Buffer.alloc(4), response.body])
        const answer = decodeProduceResponse(decodeResponseHeader(frame, 0, PRODUCE_V).body, PRODUCE_V)
        expect(answer.responses[0]?.partitionResponses.map(p => p.errorCode)).toEqual([0, 0, 0])
      }
    } finally {
      conn.close()
    }

    const reader = await PartitionReader.connect(broker.bootstrap)
    try {
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const expected: Buffer[] = []
        for (let r = 0; r < REQUESTS; r++) {
          const count = r === BIG_REQUEST && partition === 0 ? BIG_BATCH_RECORDS : RECORDS_PER_BATCH
          for (let i = 0; i < count; i++) expected.push(value(r, partition, i))
        }
        const records = await reader.read(TOPIC, partition, { count: expected.length, timeoutMs: 60_000 })
        expect(records.length).toBe(expected.length)
        const wrong = records.findIndex((record, i) => record.value === null || !record.value.equals(expected[i]!))
        expect(wrong).toBe(-1)
      }
    } finally {
      await reader.close()
    }
  })
})
