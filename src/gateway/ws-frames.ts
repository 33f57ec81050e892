// The messages of the WebSocket stream endpoint (/v1/stream), JSON by default, with a compact binary
// framing for high-rate clients. Control messages (subscribe, unsubscribe, commit) are always JSON text.
//
// JSON, client to server (each may carry "ref", echoed in the answer):
//   {"op":"subscribe","topic":"t","partitions":[0,1],"from":"earliest"|"latest"|{"offset":N}|{"timestamp":MS},
//    "isolation":"read_uncommitted"|"read_committed"}
//   {"op":"subscribe","group":"g","topics":["t"],"from":"earliest"|"latest","autoCommit":true,"isolation":...}
//   (read_committed: only committed transactional records, up to the last stable offset, as a Kafka
//    read_committed consumer; "latest" is then the last stable offset)
//   {"op":"unsubscribe","topic":"t"} · {"op":"unsubscribe","group":"g"} · {"op":"commit","group":"g"}
//   {"op":"produce","topic":"t","encoding":"string"|"base64"|"json",
//    "records":[{"key":..,"value":..,"partition":0,"headers":{"h":"v"},"timestamp":MS}]}
// JSON, server to client:
//   {"type":"subscribed","ref","topic","partitions":[{"partition","offset"}]}, {"type":"assigned","group","partitions"}
//   {"type":"records","topic","partition","records":[{"offset","timestamp","key","value","headers":{...}}]}
//   {"type":"ack","ref","topic","offsets":[{"partition","offset"} | {"partition","error"}]}   one per produce, in order
//   {"type":"error","ref","code","message"}   code: BAD_REQUEST, UNKNOWN_TOPIC, UNKNOWN_PARTITION, SLOW_CONSUMER, ...
// Keys, values and header values travel as UTF-8 text by default, as base64 with ?encoding=base64.
//
// Binary framing (?format=binary for records; a binary produce gets a binary ack). Big-endian;
// STRING = int16 length + UTF-8; BYTES = int32 length (-1: null) + bytes; HEADERS = int32 count +
// count x (STRING key, BYTES value). First byte: the frame kind.
//   0x01 RECORDS  server->client  STRING topic, int32 partition, int32 count,
//                                 count x (int64 offset, int64 timestamp, BYTES key, BYTES value, HEADERS)
//   0x02 ACK      server->client  int32 ref, int32 count, count x (int32 partition, int64 offset, int16 error)
//                                 (offset -1 and a Kafka error code when the record failed)
//   0x10 PRODUCE  client->server  int32 ref, STRING topic, int32 count,
//                                 count x (int32 partition (-1: partitioner), int64 timestamp (-1: now),
//                                          BYTES key, BYTES value, HEADERS)
import { ProtocolError, Reader, Writer } from '../protocol/index.js'
import type { Record, RecordHeader } from '../protocol/codec/record-batch.js'
import type { OutgoingRecord, RecordResult } from './producer.js'
import { isBase64 } from './rest-format.js'

export const FrameKind = { RECORDS: 0x01, ACK: 0x02, PRODUCE: 0x10 } as const

export type ValueEncoding = 'string' | 'base64' | 'json'

export class BadFrame extends Error {}

export interface BinaryProduce { ref: number, topic: string, records: OutgoingRecord[] }

/** `bytes` must be a copy the caller owns: the records point into it. */
export function decodeBinaryProduce (bytes: Buffer): BinaryProduce {
  try {
    const r = new Reader(bytes, 1)
    const ref = r.int32()
    const topic = r.string()
    const count = r.arrayLength()
    const records: OutgoingRecord[] = []
    for (let i = 0; i < count; i++) {
      const partition = r.int32()
      const timestamp = r.int64()
      const key = r.nullableBytes()
      const value = r.nullableBytes()
      records.push({ partition: partition < 0 ? null : partition, timestamp: timestamp < 0 ? undefined : timestamp, key, value, headers: readHeaders(r) })
    }
    if (r.remaining !== 0) throw new BadFrame(`${r.remaining} bytes after the last record`)
    return { ref, topic, records }
  } catch (error) {
    if (error instanceof ProtocolError) throw new BadFrame(`malformed PRODUCE frame: ${error.message}`)
    throw error
  }
}

function readHeaders (r: Reader): RecordHeader[] {
  const count = r.arrayLength()
  const headers: RecordHeader[] = []
  for (let i = 0; i < count; i++) headers.push({ key: r.string(), value: r.nullableBytes() })
  return headers
}

export function encodeBinaryRecords (topic: string, partition: number, records: readonly Record[]): Buffer {
  const w = new Writer()
  w.int8(FrameKind.RECORDS).string(topic).int32(partition).arrayLength(records.length)
  for (const record of records) {
    w.int64(Number(record.offset)).int64(Number(record.timestamp)).nullableBytes(record.key).nullableBytes(record.value)
    w.arrayLength(record.headers.length)
    for (const header of record.headers) w.string(header.key).nullableBytes(header.value)
  }
  return Buffer.concat(w.finish())
}

export function encodeBinaryAck (ref: number, results: readonly RecordResult[]): Buffer {
  const w = new Writer()
  w.int8(FrameKind.ACK).int32(ref).arrayLength(results.length)
  for (const r of results) w.int32(r.partition ?? -1).int64(r.ok ? r.offset : -1).int16(r.ok ? 0 : r.errorCode)
  return Buffer.concat(w.finish())
}

export function encodeJsonRecords (topic: string, partition: number, records: readonly Record[], encoding: ValueEncoding): string {
  return JSON.stringify({
    type: 'records',
    topic,
    partition,
    records: records.map(r => ({
      offset: Number(r.offset),
      timestamp: Number(r.timestamp),
      key: bytesOut(r.key, encoding),
      value: bytesOut(r.value, encoding),
      headers: Object.fromEntries(r.headers.map(h => [h.key, bytesOut(h.value, encoding)]))
    }))
  })
}

function bytesOut (bytes: Buffer | null, encoding: ValueEncoding): string | null {
  if (bytes === null) return null
  return encoding === 'base64' ? bytes.toString('base64') : bytes.toString('utf8')
}

/** The records of a JSON produce message; `encoding` says how keys, values and header values are given. */
export function decodeJsonRecords (raw: unknown, encoding: ValueEncoding): OutgoingRecord[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new BadFrame('records must be a non-empty list')
  return raw.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null) throw new BadFrame(`records[${i}] is not an object`)
    const r = item as { key?: unknown, value?: unknown, partition?: unknown, headers?: unknown, timestamp?: unknown }
    if (r.partition !== undefined && r.partition !== null && !Number.isInteger(r.partition)) throw new BadFrame(`records[${i}].partition is not an integer`)
    if (r.timestamp !== undefined && !Number.isInteger(r.timestamp)) throw new BadFrame(`records[${i}].timestamp is not an integer (ms)`)
    return {
      key: bytesIn(r.key, encoding, `records[${i}].key`),
      value: bytesIn(r.value, encoding, `records[${i}].value`),
      partition: r.partition as number | null | undefined,
      timestamp: r.timestamp as number | undefined,
      headers: headersIn(r.headers, encoding, i)
    }
  })
}

function headersIn (raw: unknown, encoding: ValueEncoding, i: number): RecordHeader[] {
  if (raw === undefined || raw === null) return []
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new BadFrame(`records[${i}].headers must be an object of name: value`)
  return Object.entries(raw).map(([key, value]) => ({ key, value: bytesIn(value, encoding, `records[${i}].headers.${key}`) }))
}

function bytesIn (value: unknown, encoding: ValueEncoding, what: string): Buffer | null {
  if (value === undefined || value === null) return null
  if (encoding === 'json') return Buffer.from(JSON.stringify(value))
  if (typeof value !== 'string') throw new BadFrame(`${what} must be a string with encoding ${encoding}`)
  if (encoding === 'string') return Buffer.from(value)
  if (!isBase64(value)) throw new BadFrame(`${what} is not base64`)
  return Buffer.from(value, 'base64')
}
