// Builds uncompressed RecordBatch v2 bytes for storage tests (the real codec lives in src/protocol).
import { crc32c } from '../../src/storage/native.js'

export interface TestRecord { value: Buffer | string, key?: Buffer | string, timestampDelta?: number }
export interface TestBatch {
  records: TestRecord[]
  baseTimestamp?: number
  maxTimestamp?: number // default: the largest record timestamp
  attributes?: number
  producerId?: number
  baseSequence?: number
}

function varint (n: number): Buffer {
  let z = BigInt.asUintN(64, (BigInt(n) << 1n) ^ (BigInt(n) >> 63n))
  const out: number[] = []
  while (z >= 0x80n) { out.push(Number(z & 0x7fn) | 0x80); z >>= 7n }
  out.push(Number(z))
  return Buffer.from(out)
}

function bytesField (b: Buffer | string | undefined): Buffer {
  if (b === undefined) return varint(-1)
  const buf = Buffer.from(b)
  return Buffer.concat([varint(buf.length), buf])
}

export function buildBatch (spec: TestBatch): Buffer {
  const baseTimestamp = spec.baseTimestamp ?? 1_700_000_000_000
  const records = spec.records.map((r, i) => {
    const body = Buffer.concat([Buffer.from([0]), varint(r.timestampDelta ?? 0), varint(i), bytesField(r.key), bytesField(r.value), varint(0)])
    return Buffer.concat([varint(body.length), body])
  })
  const maxTimestamp = spec.maxTimestamp ?? baseTimestamp + Math.max(0, ...spec.records.map(r => r.timestampDelta ?? 0))
  const head = Buffer.alloc(61)
  head.writeBigInt64BE(0n, 0)
  head.writeInt32BE(-1, 12)
  head.writeInt8(2, 16)
  head.writeInt16BE(spec.attributes ?? 0, 21)
  head.writeInt32BE(spec.records.length - 1, 23)
  head.writeBigInt64BE(BigInt(baseTimestamp), 27)
  head.writeBigInt64BE(BigInt(maxTimestamp), 35)
  head.writeBigInt64BE(BigInt(spec.producerId ?? -1), 43)
  head.writeInt16BE(-1, 51)
  head.writeInt32BE(spec.baseSequence ?? -1, 53)
  head.writeInt32BE(spec.records.length, 57)
  const batch = Buffer.concat([head, ...records])
  batch.writeInt32BE(batch.length - 12, 8)
  batch.writeUInt32BE(crc32c(batch.subarray(21)), 17)
  return batch
}

/** A batch of `count` records whose values are `${prefix}-${i}`, padded to about `valueBytes` each. */
export function valuesBatch (prefix: string, count: number, valueBytes = 0, baseTimestamp?: number): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({ value: `${prefix}-${i}`.padEnd(valueBytes, '.') }))
  return buildBatch(baseTimestamp === undefined ? { records } : { records, baseTimestamp })
}

/** Reads (offset, value) of every record of the uncompressed batches in `views`. */
export function decodeValues (views: Buffer[]): Array<{ offset: number, value: string }> {
  const out: Array<{ offset: number, value: string }> = []
  for (const view of views) {
    for (let pos = 0; pos < view.length;) {
      const base = Number(view.readBigInt64BE(pos))
      const size = view.readInt32BE(pos + 8) + 12
      let p = pos + 61
      const readVarint = (): number => {
        let raw = 0n; let shift = 0n
        for (;;) { const b = view[p++] ?? 0; raw |= BigInt(b & 0x7f) << shift; shift += 7n; if ((b & 0x80) === 0) break }
        return Number((raw >> 1n) ^ -(raw & 1n))
      }
      for (let i = view.readInt32BE(pos + 57); i > 0; i--) {
        const len = readVarint(); const end = p + len
        p++; readVarint(); const delta = readVarint()
        const keyLen = readVarint(); if (keyLen > 0) p += keyLen
        const valueLen = readVarint()
        out.push({ offset: base + delta, value: view.toString('utf8', p, p + valueLen) })
        p = end
      }
      pos += size
    }
  }
  return out
}
