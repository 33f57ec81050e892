// The records region of a batch (record-batch-format.md §4): decoding and encoding of Record entries.
//
// Record: length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
//         keyLength varint (−1 null) | key | valueLength varint (−1 null) | value |
//         headersCount varint | [headerKeyLength varint (≥ 0) | key utf8 | valueLength varint (−1 null) | value]*
// `length` counts the bytes from attributes through the last header.

import { RecordCursor, timestampDelta, varintSize, varlongSize, writeVarint, writeVarlong } from './record-batch-varint.js'
import {
  RecordBatchError, TimestampType,
  type BatchHeader, type ControlRecord, type Record, type RecordHeader, type RecordInput
} from './record-batch-types.js'

function corrupt (message: string): RecordBatchError {
  return new RecordBatchError(message)
}

/**
 * Decodes `header.recordsCount` records from `buf[start, end)`, which must hold exactly those records.
 * The count is never trusted for allocation: a count larger than the data fails when the data ends.
 */
export function decodeRecords (header: BatchHeader, buf: Buffer, start: number, end: number): Record[] {
  const cursor = new RecordCursor(buf, start, end, corrupt)
  const logAppendTime = header.timestampType === TimestampType.LOG_APPEND_TIME
  const records: Record[] = []
  for (let i = 0; i < header.recordsCount; i++) {
    if (cursor.pos >= end) {
      throw corrupt(`batch at offset ${header.baseOffset} declares ${header.recordsCount} records but its data ends after ${i}`)
    }
    const record = decodeRecord(cursor, header, logAppendTime)
    if (header.control) record.control = decodeControlKey(record)
    records.push(record)
  }
  if (cursor.pos !== end) {
    throw corrupt(`batch at offset ${header.baseOffset} has ${end - cursor.pos} bytes after its ${header.recordsCount} records`)
  }
  return records
}

function decodeRecord (cursor: RecordCursor, header: BatchHeader, logAppendTime: boolean): Record {
  const length = cursor.varint()
  if (length < 0 || length > cursor.end - cursor.pos) {
    throw cursor.fail(`record length ${length} does not fit the ${cursor.end - cursor.pos} bytes left`)
  }
  const recordEnd = cursor.pos + length
  const attributes = cursor.int8()
  const deltaMs = cursor.varlong()
  const offsetDelta = cursor.varint()
  const key = cursor.bytes('record key')
  const value = cursor.bytes('record value')
  const headerCount = cursor.varint()
  if (headerCount < 0) throw cursor.fail(`header count ${headerCount} is negative`)
  const headers: RecordHeader[] = []
  for (let h = 0; h < headerCount; h++) {
    if (cursor.pos >= recordEnd) throw cursor.fail(`record declares ${headerCount} headers but ends after ${h}`)
    headers.push({ key: cursor.string('header key'), value: cursor.bytes('header value') })
  }
  if (cursor.pos !== recordEnd) {
    throw cursor.fail(`record declares ${length} bytes but its fields take ${length + cursor.pos - recordEnd}`)
  }
  return {
    offset: header.baseOffset + BigInt(offsetDelta),
    offsetDelta,
    timestamp: logAppendTime ? header.maxTimestamp : header.baseTimestamp + deltaMs,
    attributes,
    key,
    value,
    headers
  }
}

// Control record key: version int16, type int16. Marker value: version int16, coordinatorEpoch int32.
function decodeControlKey (record: Record): ControlRecord {
  const { key, value } = record
  if (key === null || key.length < 4) {
    throw corrupt(`control record at offset ${record.offset} has a key of ${key?.length ?? 'null'} bytes, need 4`)
  }
  const type = key.readInt16BE(2)
  const isMarker = type === 0 || type === 1
  if (isMarker && (value === null || value.length < 6)) {
    throw corrupt(`transaction marker at offset ${record.offset} has a value of ${value?.length ?? 'null'} bytes, need 6`)
  }
  return { version: key.readInt16BE(0), type, coordinatorEpoch: isMarker ? value!.readInt32BE(2) : null }
}

/** Key and value of a transaction marker record (ABORT = 0, COMMIT = 1). */
export function markerKeyValue (type: number, coordinatorEpoch: number): { key: Buffer, value: Buffer } {
  const key = Buffer.alloc(4)
  key.writeInt16BE(type, 2)
  const value = Buffer.alloc(6)
  value.writeInt32BE(coordinatorEpoch, 2)
  return { key, value }
}

/** Records prepared for writing: every size computed once, so the batch is written in one allocation. */
export interface PreparedRecords {
  records: readonly RecordInput[]
  timestampDeltas: number[]
  offsetDeltas: number[]
  bodySizes: number[]
  headerKeySizes: number[]
  /** Bytes of the whole records region, length prefixes included. */
  size: number
  baseTimestamp: bigint
  maxTimestamp: bigint
  lastOffsetDelta: number
}

function bytesSize (b: Uint8Array | null | undefined): number {
  return b == null ? 1 : varintSize(b.length) + b.length
}

/** `base`: the batch's baseTimestamp when it is not the first record's (a delete horizon, KIP-534). */
export function prepareRecords (records: readonly RecordInput[], now: bigint, base?: bigint): PreparedRecords {
  const timestampDeltas: number[] = []
  const offsetDeltas: number[] = []
  const bodySizes: number[] = []
  const headerKeySizes: number[] = []
  const first = records[0]?.timestamp
  const baseTimestamp = base ?? (first === undefined ? now : BigInt(first))
  let maxTimestamp = -1n
  let lastOffsetDelta = -1
  let size = 0
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!
    const timestamp = r.timestamp === undefined ? now : BigInt(r.timestamp)
    const offsetDelta = r.offsetDelta ?? i
    if (timestamp > maxTimestamp) maxTimestamp = timestamp
    if (offsetDelta > lastOffsetDelta) lastOffsetDelta = offsetDelta
    const delta = timestampDelta(timestamp, baseTimestamp)
    let body = 1 + varlongSize(delta) + varintSize(offsetDelta) + bytesSize(r.key) + bytesSize(r.value)
    const headers = r.headers ?? []
    body += varintSize(headers.length)
    for (const h of headers) {
      const keySize = Buffer.byteLength(h.key, 'utf8')
      headerKeySizes.push(keySize)
      body += varintSize(keySize) + keySize + bytesSize(h.value)
    }
    timestampDeltas.push(delta)
    offsetDeltas.push(offsetDelta)
    bodySizes.push(body)
    size += varintSize(body) + body
  }
  return { records, timestampDeltas, offsetDeltas, bodySizes, headerKeySizes, size, baseTimestamp, maxTimestamp, lastOffsetDelta }
}

function writeBytes (buf: Buffer, pos: number, b: Uint8Array | null | undefined): number {
  if (b == null) return writeVarint(buf, pos, -1)
  pos = writeVarint(buf, pos, b.length)
  buf.set(b, pos)
  return pos + b.length
}

/** Writes the prepared records at `buf[pos]`; returns the position after them. */
export function writeRecords (prepared: PreparedRecords, buf: Buffer, pos: number): number {
  const { records, timestampDeltas, offsetDeltas, bodySizes, headerKeySizes } = prepared
  let keyIndex = 0
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!
    pos = writeVarint(buf, pos, bodySizes[i]!)
    buf[pos++] = 0
    pos = writeVarlong(buf, pos, timestampDeltas[i]!)
    pos = writeVarint(buf, pos, offsetDeltas[i]!)
    pos = writeBytes(buf, pos, r.key)
    pos = writeBytes(buf, pos, r.value)
    const headers = r.headers ?? []
    pos = writeVarint(buf, pos, headers.length)
    for (const h of headers) {
      const keySize = headerKeySizes[keyIndex++]!
      pos = writeVarint(buf, pos, keySize)
      pos += buf.write(h.key, pos, keySize, 'utf8')
      pos = writeBytes(buf, pos, h.value)
    }
  }
  return pos
}
