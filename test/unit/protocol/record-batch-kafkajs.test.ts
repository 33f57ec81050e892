// Cross-implementation checks against kafkajs's own RecordBatch v2 encoder and decoder
// (kafkajs/src/protocol/recordBatch). kafkajs ships only the gzip codec; its snappy, lz4 and zstd
// codecs are separate plugins that are not installed, so those codecs are covered elsewhere.
import { describe, expect, it } from 'vitest'
import { createRequire } from 'node:module'
import { decodeBatch, encodeBatch, type RecordInput } from '../../../src/protocol/codec/record-batch.js'
import { crc32c } from '../../../src/protocol/codec/crc32c.js'

const require = createRequire(import.meta.url)
const Long = require('kafkajs/src/utils/long.js')
const Decoder = require('kafkajs/src/protocol/decoder.js')
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js')
const KafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js')
const decodeKafkajsBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js')
const kafkajsCrc32C = require('kafkajs/src/protocol/recordBatch/crc32C/index.js')

interface KafkajsMessage { key: Buffer | null, value: Buffer | null, timestamp: number, headers: Record<string, Buffer | Buffer[]> }

interface KafkajsDecodedRecord {
  offset: string
  timestamp: string
  key: Buffer | null
  value: Buffer | null
  headers: Record<string, Buffer | Buffer[]>
}

const BASE_TS = 1_700_000_000_000

function messages (count: number): KafkajsMessage[] {
  return Array.from({ length: count }, (_, i): KafkajsMessage => ({
    key: i % 4 === 1 ? null : Buffer.from(`key-${i}`),
    value: i % 5 === 2 ? null : Buffer.from(`value-${i}-`.repeat(i % 9)),
    timestamp: BASE_TS + ((i * 37) % 11) - 5,
    headers: i % 3 === 0 ? { a: Buffer.from(`h${i}`), multi: [Buffer.from('x'), Buffer.alloc(0)] } : {}
  }))
}

/** A batch as the kafkajs producer builds it (producer/createTopicData + protocol/requests/produce/v3). */
async function kafkajsBatch (msgs: KafkajsMessage[], compression: number, baseOffset = 0): Promise<Buffer> {
  const firstTimestamp = msgs[0]!.timestamp
  const records = msgs.map((m, i) => KafkajsRecord({
    offsetDelta: i,
    timestampDelta: m.timestamp - firstTimestamp,
    key: m.key,
    value: m.value,
    headers: m.headers
  }))
  const encoder = await RecordBatch({
    compression,
    firstOffset: Long.fromValue(baseOffset),
    firstTimestamp,
    maxTimestamp: Math.max(...msgs.map(m => m.timestamp)),
    lastOffsetDelta: msgs.length - 1,
    records
  })
  return encoder.buffer as Buffer
}

/** kafkajs headers object → the ordered list that is on the wire (duplicate keys grouped, as kafkajs writes them). */
function headerList (headers: Record<string, Buffer | Buffer[]>): Array<{ key: string, value: Buffer }> {
  return Object.entries(headers).flatMap(([key, v]) => (Array.isArray(v) ? v : [v]).map(value => ({ key, value })))
}

function asInputs (msgs: KafkajsMessage[]): RecordInput[] {
  return msgs.map(m => ({ key: m.key, value: m.value, timestamp: m.timestamp, headers: headerList(m.headers) }))
}

describe('record batches against kafkajs', () => {
  it.each([0, 1])('a kafkajs batch with codec %i decodes to the records it was built from', async (codec) => {
    const msgs = messages(60)
    const batch = decodeBatch(await kafkajsBatch(msgs, codec, 500))
    expect(batch.compression).toBe(codec)
    expect(batch.records).toHaveLength(60)
    batch.records.forEach((r, i) => {
      const m = msgs[i]!
      expect(r.offset).toBe(500n + BigInt(i))
      expect(r.timestamp).toBe(BigInt(m.timestamp))
      expect(r.key).toEqual(m.key)
      expect(r.value).toEqual(m.value)
      expect(r.headers).toEqual(headerList(m.headers))
    })
  })

  it.each([0, 1])('a batch we encode with codec %i decodes in kafkajs to the same records', async (codec) => {
    const msgs = messages(60)
    const bytes = encodeBatch({ records: asInputs(msgs), compression: codec, baseOffset: 42n })
    const decoded = await decodeKafkajsBatch(new Decoder(bytes))
    expect(decoded.records).toHaveLength(60)
    decoded.records.forEach((r: KafkajsDecodedRecord, i: number) => {
      const m = msgs[i]!
      expect(r.offset).toBe(String(42 + i))
      expect(r.timestamp).toBe(String(m.timestamp))
      expect(r.key).toEqual(m.key)
      expect(r.value).toEqual(m.value)
      expect(r.headers).toEqual(m.headers)
    })
    expect(decoded.firstTimestamp).toBe(String(msgs[0]!.timestamp))
    expect(decoded.maxTimestamp).toBe(String(Math.max(...msgs.map(m => m.timestamp))))
  })

  it('re-encoding a decoded kafkajs batch reproduces its bytes exactly', async () => {
    const original = await kafkajsBatch(messages(25), 0, 7)
    const batch = decodeBatch(original)
    const again = encodeBatch({
      records: batch.records.map(r => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp, offsetDelta: r.offsetDelta })),
      baseOffset: batch.baseOffset,
      partitionLeaderEpoch: batch.partitionLeaderEpoch,
      producerId: batch.producerId,
      producerEpoch: batch.producerEpoch,
      baseSequence: batch.baseSequence
    })
    expect(again.toString('hex')).toBe(original.toString('hex'))
  })

  it('our CRC-32C equals the one kafkajs stores and computes', async () => {
    const bytes = await kafkajsBatch(messages(10), 1)
    expect(crc32c(bytes, 21)).toBe(bytes.readUInt32BE(17))
    const sample = Buffer.from(Array.from({ length: 4099 }, (_, i) => (i * 131) & 0xff))
    for (const end of [0, 1, 7, 8, 9, 63, 4099]) {
      expect(crc32c(sample, 0, end)).toBe(kafkajsCrc32C(sample.subarray(0, end)) >>> 0)
    }
  })
})
