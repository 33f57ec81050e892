// Large Fetch answers (catch-up reads) leave the broker through the native send, which reads the
// record bytes from the segment files instead of the mapping and takes the socket over until it is
// done (src/broker/connection.ts, native/net/send.h). These tests read megabytes back byte for byte
// through answers that fill the socket many times over, with small answers pipelined around them,
// through a real client, and with clients that leave in the middle of an answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Kafka, logLevel } from 'kafkajs'
import {
  decodeFetchResponse, decodeProduceResponse, decodeResponseHeader, encodeApiVersionsRequest, encodeFetchRequest, encodeProduceRequest
} from '../../src/protocol/index.js'
import { decodeBatches } from '../../src/protocol/codec/record-batch.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { buildBatch } from '../helpers/batch.js'
import { WireConnection } from '../helpers/wire.js'
import { PartitionReader } from './support/kafkajs-reader.js'

const TOPIC = 'large-answers'
const PARTITIONS = 3
const BATCHES = 40
const RECORDS_PER_BATCH = 64
const RECORD_BYTES = 1000
const PRODUCE_V = 7
const FETCH_V = 11
const API_VERSIONS_V = 3
const RECORDS = BATCHES * RECORDS_PER_BATCH

let broker: RunningBroker

/** Each record's value names its partition and offset; the rest is a byte derived from them. */
function value (partition: number, offset: number): Buffer {
  const out = Buffer.alloc(RECORD_BYTES, (partition * 13 + offset) % 251)
  out.write(`p${partition} o${offset} `)
  return out
}

function produceRequest (batch: number): Buffer {
  const partitionData = Array.from({ length: PARTITIONS }, (_, partition) => ({
    index: partition,
    records: buildBatch({ records: Array.from({ length: RECORDS_PER_BATCH }, (_, i) => ({ value: value(partition, batch * RECORDS_PER_BATCH + i) })) })
  }))
  return Buffer.concat(encodeProduceRequest({ transactionalId: null, acks: 1, timeoutMs: 30_000, topicData: [{ name: TOPIC, partitionData }] },
    PRODUCE_V, { correlationId: batch, clientId: 'sluice-large-answers' }))
}

function fetchRequest (correlationId: number, offsets: number[], partitionMaxBytes: number): Buffer {
  const partitions = offsets.map((fetchOffset, partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes }))
  return Buffer.concat(encodeFetchRequest({
    replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 64 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: TOPIC, partitions }], forgottenTopicsData: [], rackId: ''
  }, FETCH_V, { correlationId, clientId: 'sluice-large-answers' }))
}

function apiVersionsRequest (correlationId: number): Buffer {
  return Buffer.concat(encodeApiVersionsRequest({ clientSoftwareName: 'test', clientSoftwareVersion: '1' }, API_VERSIONS_V, { correlationId, clientId: 'sluice-large-answers' }))
}

/** Every record of a Fetch answer by partition, checked against what was produced; returns the count per partition. */
function checkFetchAnswer (body: Buffer, from: number[]): number[] {
  const frame = Buffer.concat([Buffer.alloc(4), body])
  const answer = decodeFetchResponse(decodeResponseHeader(frame, 1, FETCH_V).body, FETCH_V)
  const counts = Array.from({ length: PARTITIONS }, () => 0)
  for (const p of answer.responses[0]?.partitions ?? []) {
    expect(p.errorCode).toBe(0)
    let next = from[p.partitionIndex] ?? 0
    for (const batch of decodeBatches(p.records as Buffer ?? Buffer.alloc(0))) {
      for (const record of batch.records) {
        const offset = Number(batch.baseOffset) + record.offsetDelta
        if (offset < next) continue // a batch may start before the fetch offset
        expect(offset).toBe(next)
        expect(record.value?.equals(value(p.partitionIndex, offset))).toBe(true)
        next++
        counts[p.partitionIndex]!++
      }
    }
  }
  return counts
}

beforeAll(async () => {
  broker = await startBroker({ settings: { 'auto.create.topics.enable': false }, http: true })
  const admin = new Kafka({ clientId: 'sluice-large-answers', brokers: [broker.bootstrap], logLevel: logLevel.ERROR }).admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] })
  await admin.disconnect()
  const conn = await WireConnection.open(broker.host, broker.port)
  try {
    for (let b = 0; b < BATCHES; b++) {
      conn.write(produceRequest(b))
      const response = await conn.nextResponse(30_000)
      const frame = Buffer.concat([Buffer.alloc(4), response.body])
      const answer = decodeProduceResponse(decodeResponseHeader(frame, 0, PRODUCE_V).body, PRODUCE_V)
      expect(answer.responses[0]?.partitionResponses.map(p => p.errorCode)).toEqual([0, 0, 0])
    }
  } finally {
    conn.close()
  }
})

afterAll(async () => {
  await broker?.stop()
})

describe('large Fetch answers', () => {
  it('answers requests pipelined around megabyte Fetch answers in order, every record as produced', async () => {
    const conn = await WireConnection.open(broker.host, broker.port)
    try {
      const start = [0, 0, 0]
      const middle = [RECORDS / 2 + 3, 17, RECORDS - 1]
      conn.write(Buffer.concat([
        apiVersionsRequest(0),
        fetchRequest(1, start, 8 << 20), // the whole topic, ~8 MB in one answer
        apiVersionsRequest(2),
        fetchRequest(3, middle, 8 << 20), // from the middle of batches
        fetchRequest(4, start, 300_000), // a few batches per partition
        fetchRequest(5, start, 8 << 20)
      ]))
      const answers = []
      for (let i = 0; i < 6; i++) answers.push(await conn.nextResponse(30_000))
      expect(answers.map(a => a.correlationId)).toEqual([0, 1, 2, 3, 4, 5])
      expect(checkFetchAnswer(answers[1]!.body, start)).toEqual([RECORDS, RECORDS, RECORDS])
      expect(checkFetchAnswer(answers[3]!.body, middle)).toEqual(middle.map(m => RECORDS - m))
      const few = checkFetchAnswer(answers[4]!.body, start)
      for (const count of few) expect(count).toBeGreaterThan(0)
      for (const count of few) expect(count * RECORD_BYTES).toBeLessThanOrEqual(300_000)
      expect(checkFetchAnswer(answers[5]!.body, start)).toEqual([RECORDS, RECORDS, RECORDS])
    } finally {
      conn.close()
    }
  })

  it('a real client reads every record through large answers', async () => {
    const reader = await PartitionReader.connect(broker.bootstrap)
    try {
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const records = await reader.read(TOPIC, partition, { count: RECORDS, timeoutMs: 60_000 })
        expect(records.length).toBe(RECORDS)
        const wrong = records.findIndex((record, i) => record.offset !== i || record.value === null || !record.value.equals(value(partition, i)))
        expect(wrong).toBe(-1)
      }
    } finally {
      await reader.close()
    }
  })

  it('counts every record of a large answer in the topic\'s records out, as it counts bytes', async () => {
    // Large read views are counted from their segment files (native recordCount), small ones in JS.
    const recordsOut = async (): Promise<number[]> => {
      const text = await (await fetch(`http://127.0.0.1:${broker.httpPort!}/metrics`)).text()
      return ['records', 'bytes'].map(kind => {
        const line = text.split('\n').find(l => l.startsWith(`sluice_topic_${kind}_out_total{topic="${TOPIC}"}`))
        return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1))
      })
    }
    const conn = await WireConnection.open(broker.host, broker.port)
    try {
      const [recordsBefore, bytesBefore] = await recordsOut()
      conn.write(fetchRequest(1, [0, 0, 0], 8 << 20))
      const answer = await conn.nextResponse(30_000)
      expect(checkFetchAnswer(answer.body, [0, 0, 0])).toEqual([RECORDS, RECORDS, RECORDS])
      conn.write(fetchRequest(2, [0, 0, RECORDS - 1], 8 << 20)) // two large views and a small one: the last batch
      checkFetchAnswer((await conn.nextResponse(30_000)).body, [0, 0, RECORDS - 1])
      const [recordsAfter, bytesAfter] = await recordsOut()
      const records = PARTITIONS * RECORDS + (PARTITIONS - 1) * RECORDS + RECORDS_PER_BATCH
      expect(recordsAfter! - recordsBefore!).toBe(records)
      expect(bytesAfter! - bytesBefore!).toBeGreaterThan(records * RECORD_BYTES)
    } finally {
      conn.close()
    }
  })

  it('clients that leave in the middle of a large answer leave the broker serving the others', async () => {
    for (let i = 0; i < 6; i++) {
      const conn = await WireConnection.open(broker.host, broker.port)
      conn.write(fetchRequest(1, [0, 0, 0], 8 << 20))
      // Half of them wait for the answer to start arriving, so they leave with the send under way.
      if (i % 2 === 0) await new Promise(resolve => setTimeout(resolve, 20))
      conn.close()
    }
    const conn = await WireConnection.open(broker.host, broker.port)
    try {
      conn.write(fetchRequest(7, [0, 0, 0], 8 << 20))
      const answer = await conn.nextResponse(30_000)
      expect(answer.correlationId).toBe(7)
      expect(checkFetchAnswer(answer.body, [0, 0, 0])).toEqual([RECORDS, RECORDS, RECORDS])
    } finally {
      conn.close()
    }
  })
})
