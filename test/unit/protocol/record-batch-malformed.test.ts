import { describe, expect, it } from 'vitest'
import { gzipSync } from 'node:zlib'
import { RecordBatchError, decodeBatch, decodeBatches, encodeBatch } from '../../../src/protocol/codec/record-batch.js'
import { crc32c } from '../../../src/protocol/codec/crc32c.js'

/** A batch around an arbitrary records region, with a correct length and CRC, so only the region is wrong. */
function rawBatch (region: Buffer, recordsCount: number, attributes = 0): Buffer {
  const out = Buffer.concat([encodeBatch({ records: [], now: 0n }), region])
  out.writeInt32BE(out.length - 12, 8)
  out.writeInt16BE(attributes, 21)
  out.writeInt32BE(recordsCount, 57)
  out.writeUInt32BE(crc32c(out, 21), 17)
  return out
}

/** The records region of a real batch. */
function regionOf (records: Parameters<typeof encodeBatch>[0]['records']): Buffer {
  return encodeBatch({ records }).subarray(61)
}

const twoRecords = regionOf([{ key: Buffer.from('k'), value: Buffer.from('value'), timestamp: 0 }, { value: Buffer.from('v2'), timestamp: 0 }])

describe('malformed record batches', () => {
  it('a flipped byte anywhere the CRC covers fails validation with a clear error', () => {
    const good = encodeBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from('some value'), timestamp: 1 }] })
    for (let i = 21; i < good.length; i++) {
      const bad = Buffer.from(good)
      bad[i]! ^= 0x01
      expect(() => decodeBatch(bad), `byte ${i}`).toThrow(/failed its CRC check: stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}/)
    }
  })

  it('baseOffset and partitionLeaderEpoch are outside the CRC, so a broker may stamp them', () => {
    const bytes = encodeBatch({ records: [{ value: Buffer.from('v'), timestamp: 1 }] })
    bytes.writeBigInt64BE(123n, 0)
    bytes.writeInt32BE(9, 12)
    expect(decodeBatch(bytes).records[0]!.offset).toBe(123n)
  })

  it('a corrupt batch is reported as CORRUPT_MESSAGE', () => {
    const bytes = encodeBatch({ records: [{ value: Buffer.from('v'), timestamp: 1 }] })
    bytes[bytes.length - 1]! ^= 0xff
    const err = (() => { try { decodeBatch(bytes) } catch (e) { return e } })()
    expect(err).toBeInstanceOf(RecordBatchError)
    expect((err as RecordBatchError).errorCode).toBe(2)
  })

  it('a batch cut at any point is reported as truncated', () => {
    const good = encodeBatch({ records: [{ value: Buffer.alloc(50), timestamp: 1 }] })
    for (const cut of [1, 12, 40, 60, 61, good.length - 1]) {
      expect(() => decodeBatches(good.subarray(0, cut)), `cut at ${cut}`).toThrow(/truncated/)
    }
  })

  it('a batch that is not magic 2 is rejected', () => {
    const bytes = encodeBatch({ records: [{ value: Buffer.from('v'), timestamp: 1 }] })
    bytes.writeInt8(1, 16)
    expect(() => decodeBatch(bytes)).toThrow(/magic 1; only magic 2/)
  })

  it('a batchLength smaller than the header is rejected', () => {
    const bytes = encodeBatch({ records: [{ value: Buffer.from('v'), timestamp: 1 }] })
    bytes.writeInt32BE(10, 8)
    expect(() => decodeBatch(bytes)).toThrow(/batchLength 10, less than its own header/)
  })

  it('a varint longer than 5 bytes is rejected as a corrupt batch', () => {
    const region = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0])
    expect(() => decodeBatch(rawBatch(region, 1))).toThrow(RecordBatchError)
    expect(() => decodeBatch(rawBatch(region, 1))).toThrow(/varint exceeds 32 bits at byte 61/)
  })

  it('a varint cut by the end of the data is rejected as a corrupt batch', () => {
    expect(() => decodeBatch(rawBatch(Buffer.from([0x80]), 1))).toThrow(RecordBatchError)
    expect(() => decodeBatch(rawBatch(Buffer.from([0x80]), 1))).toThrow(/truncated varint at byte 61/)
  })

  it('a varlong longer than 10 bytes is rejected as a corrupt batch', () => {
    const region = Buffer.from([36, 0, ...Array(11).fill(0xff), 0, 0, 0, 0, 0, 0, 0])
    expect(() => decodeBatch(rawBatch(region, 1))).toThrow(/varlong exceeds 64 bits at byte 63/)
  })

  it('a timestamp delta beyond 2^53 ms is refused rather than rounded', () => {
    // length 13 | attributes | tsDelta zig-zag(2^60) in 9 bytes | offsetDelta 0 | key null | value null | 0 headers
    const region = Buffer.from([26, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0, 1, 1, 0])
    expect(() => decodeBatch(rawBatch(region, 1))).toThrow(/timestamp delta beyond ±2\^53 ms at byte 63/)
  })

  it('a record count larger than the data fails when the data ends, without allocating for the count', () => {
    const before = process.memoryUsage().heapUsed
    expect(() => decodeBatch(rawBatch(twoRecords, 2_000_000_000))).toThrow(/declares 2000000000 records but its data ends after 2/)
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024)
  })

  it('a negative record count is rejected', () => {
    expect(() => decodeBatch(rawBatch(twoRecords, -1))).toThrow(/negative record count -1/)
  })

  it('bytes left after the declared records are rejected', () => {
    expect(() => decodeBatch(rawBatch(twoRecords, 1))).toThrow(/bytes after its 1 records/)
  })

  it('a record length beyond the data is rejected', () => {
    const region = Buffer.from(twoRecords)
    region[0] = 0x7e // 63: far more than this record's bytes
    expect(() => decodeBatch(rawBatch(region, 2))).toThrow(/record length 63 does not fit/)
  })

  it('a key longer than its record is rejected', () => {
    // length 7 | attributes 0 | tsDelta 0 | offsetDelta 0 | key length 100 | …
    const region = Buffer.from([14, 0, 0, 0, 200, 1, 1, 0])
    expect(() => decodeBatch(rawBatch(region, 1))).toThrow(/record key of 100 bytes overruns/)
  })

  it('a key length below -1 is rejected', () => {
    const region = Buffer.from([12, 0, 0, 0, 5, 1, 0]) // key length −3
    expect(() => decodeBatch(rawBatch(region, 1))).toThrow(/record key length -3 is negative/)
  })

  it('a negative header count is rejected', () => {
    const region = Buffer.from([12, 0, 0, 0, 1, 1, 1]) // null key, null value, headers −1
    expect(() => decodeBatch(rawBatch(region, 1))).toThrow(/header count -1 is negative/)
  })

  it('a header count larger than the record is rejected', () => {
    const region = Buffer.from([14, 0, 0, 0, 1, 1, 0xe8, 0x07]) // 500 headers in a 7-byte record
    expect(() => decodeBatch(rawBatch(region, 1))).toThrow(/declares 500 headers but ends after 0/)
  })

  it('a null header key is rejected', () => {
    const region = Buffer.from([16, 0, 0, 0, 1, 1, 2, 1, 1]) // one header, key length −1
    expect(() => decodeBatch(rawBatch(region, 1))).toThrow(/header key length -1 is negative/)
  })

  it('a record whose fields do not add up to its length is rejected', () => {
    const region = Buffer.from([16, 0, 0, 0, 1, 1, 0, 0, 0]) // says 8 bytes, fields take 6
    expect(() => decodeBatch(rawBatch(region, 1))).toThrow(/record declares 8 bytes but its fields take 6/)
  })

  it.each([5, 6, 7])('compression codec %i in the attributes is rejected', (codec) => {
    expect(() => decodeBatch(rawBatch(twoRecords, 2, codec))).toThrow(new RegExp(`unknown codec ${codec}`))
  })

  it('corrupt compressed data is rejected as a corrupt batch', () => {
    expect(() => decodeBatch(rawBatch(Buffer.from('not gzip at all'), 1, 1))).toThrow(/gzip decompression failed/)
  })

  it('a decompression bomb is refused at the size limit', () => {
    const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024))
    expect(bomb.length).toBeLessThan(64 * 1024)
    expect(() => decodeBatch(rawBatch(bomb, 1, 1), { maxDecompressedBytes: 1024 * 1024 })).toThrow(/over the 1048576-byte limit|exceeds the 1048576-byte limit/)
  })

  it('a snappy blob that declares 4 GiB is refused before anything is allocated', () => {
    const bomb = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00])
    expect(() => decodeBatch(rawBatch(bomb, 1, 2))).toThrow(/record batch at offset 0: snappy data decompresses to 4294967295 bytes/)
  })

  it('CRC checking can be skipped by a caller that already verified the batch', () => {
    const bytes = encodeBatch({ records: [{ value: Buffer.from('v'), timestamp: 1 }] })
    bytes.writeUInt32BE(0, 17)
    expect(decodeBatch(bytes, { verifyCrc: false }).records).toHaveLength(1)
  })
})
