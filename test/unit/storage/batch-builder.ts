// Valid uncompressed RecordBatch v2 bytes for the storage tests (record-batch-format.md §1, §4):
// producer-style (baseOffset 0, epoch -1, no producer id), CreateTime, null keys.
import { crc32c } from '../../../src/protocol/codec/crc32c.js'

export interface TestBatchOptions {
  records?: number
  valueBytes?: number
  /** CreateTime of every record; default Date.now(). */
  timestamp?: number
  fill?: number
}

const HEADER = 61

export function testBatch (opts: TestBatchOptions = {}): Buffer {
  const count = opts.records ?? 1
  const value = Buffer.alloc(opts.valueBytes ?? 16, opts.fill ?? 0x61)
  const records = Array.from({ length: count }, (_, i) => encodeRecord(i, value))
  const out = Buffer.concat([Buffer.alloc(HEADER), ...records])
  const timestamp = BigInt(opts.timestamp ?? Date.now())
  out.writeBigInt64BE(0n, 0)
  out.writeInt32BE(out.length - 12, 8)
  out.writeInt32BE(-1, 12)
  out.writeInt8(2, 16)
  out.writeInt16BE(0, 21)
  out.writeInt32BE(count - 1, 23)
  out.writeBigInt64BE(timestamp, 27)
  out.writeBigInt64BE(timestamp, 35)
  out.writeBigInt64BE(-1n, 43)
  out.writeInt16BE(-1, 51)
  out.writeInt32BE(-1, 53)
  out.writeInt32BE(count, 57)
  out.writeUInt32BE(crc32c(out, 21), 17)
  return out
}

/** The batches of a produce request: several test batches back to back. */
export function testBatches (n: number, opts: TestBatchOptions = {}): Buffer {
  return Buffer.concat(Array.from({ length: n }, () => testBatch(opts)))
}

export function baseOffsetOf (batch: Buffer): number {
  return Number(batch.readBigInt64BE(0))
}

function encodeRecord (offsetDelta: number, value: Buffer): Buffer {
  const body = Buffer.concat([
    Buffer.from([0]), // attributes
    varint(0), // timestampDelta
    varint(offsetDelta),
    varint(-1), // null key
    varint(value.length),
    value,
    varint(0) // headers
  ])
  return Buffer.concat([varint(body.length), body])
}

/** Zig-zag then base-128, least significant group first. */
function varint (n: number): Buffer {
  let z = n >= 0 ? n * 2 : -n * 2 - 1
  const bytes: number[] = []
  while (z >= 0x80) {
    bytes.push((z % 0x80) | 0x80)
    z = Math.floor(z / 0x80)
  }
  bytes.push(z)
  return Buffer.from(bytes)
}
