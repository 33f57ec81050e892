import { describe, expect, it } from 'vitest'
import {
  ControlRecordType, TimestampType, batchHeader, decodeBatch, decodeBatches, encodeBatch, encodeTxnMarker,
  iterateBatches, type RecordInput
} from '../../../src/protocol/codec/record-batch.js'
import { crc32c } from '../../../src/protocol/codec/crc32c.js'

const CODECS = [0, 1, 2, 3, 4]

function sampleRecords (): RecordInput[] {
  return [
    { key: Buffer.from('k1'), value: Buffer.from('v1'), timestamp: 1_700_000_000_000n, headers: [{ key: 'trace', value: Buffer.from('abc') }] },
    { key: null, value: Buffer.from('no key'), timestamp: 1_699_999_999_000n }, // negative delta
    { key: Buffer.from('tombstone'), value: null, timestamp: 1_700_000_000_500n },
    { key: Buffer.alloc(0), value: Buffer.alloc(0), timestamp: 1_700_000_000_001n },
    {
      key: Buffer.from('h'),
      value: Buffer.from('headers'),
      timestamp: 1_700_000_000_002n,
      headers: [{ key: 'dup', value: Buffer.from('1') }, { key: 'dup', value: null }, { key: 'ünïcødé', value: Buffer.alloc(0) }]
    }
  ]
}

function expectSameRecords (actual: ReturnType<typeof decodeBatch>['records'], expected: RecordInput[], baseOffset = 0n): void {
  expect(actual).toHaveLength(expected.length)
  expected.forEach((e, i) => {
    const a = actual[i]!
    expect(a.offset).toBe(baseOffset + BigInt(e.offsetDelta ?? i))
    expect(a.timestamp).toBe(BigInt(e.timestamp!))
    expect(a.key).toEqual(e.key ?? null)
    expect(a.value).toEqual(e.value)
    expect(a.headers).toEqual(e.headers ?? [])
  })
}

describe('record batch codec', () => {
  it.each(CODECS)('codec %i round-trips headers, null and empty keys and values, negative timestamp deltas', (codec) => {
    const records = sampleRecords()
    const batch = decodeBatch(encodeBatch({ records, compression: codec, baseOffset: 1000n }))
    expect(batch.compression).toBe(codec)
    expect(batch.recordsCount).toBe(5)
    expect(batch.lastOffsetDelta).toBe(4)
    expect(batch.baseTimestamp).toBe(1_700_000_000_000n)
    expect(batch.maxTimestamp).toBe(1_700_000_000_500n)
    expectSameRecords(batch.records, records, 1000n)
  })

  it.each(CODECS)('codec %i round-trips a 1 MB value', (codec) => {
    const value = Buffer.alloc(1024 * 1024)
    for (let i = 0; i < value.length; i++) value[i] = (i * 31 + (i >> 12)) & 0xff
    const [batch] = decodeBatches(encodeBatch({ records: [{ value, timestamp: 5 }], compression: codec }))
    expect(batch!.records[0]!.value!.equals(value)).toBe(true)
  })

  it.each(CODECS)('codec %i round-trips a batch of 100 records', (codec) => {
    const records = Array.from({ length: 100 }, (_, i): RecordInput => ({
      key: Buffer.from(`key-${i}`),
      value: Buffer.alloc(1024, i),
      timestamp: 1_700_000_000_000 + (i % 7) * 13 - 40,
      headers: i % 3 === 0 ? [{ key: `h${i}`, value: Buffer.from([i]) }] : []
    }))
    const batch = decodeBatch(encodeBatch({ records, compression: codec }))
    expect(batch.records).toHaveLength(100)
    expectSameRecords(batch.records, records)
  })

  it('writes the producer defaults and the given producer fields into the header', () => {
    const plain = batchHeader(encodeBatch({ records: [{ value: Buffer.from('x'), timestamp: 1 }] }))
    expect(plain).toMatchObject({
      baseOffset: 0n, partitionLeaderEpoch: -1, magic: 2, producerId: -1n, producerEpoch: -1, baseSequence: -1,
      transactional: false, control: false, timestampType: TimestampType.CREATE_TIME, recordsCount: 1, lastOffsetDelta: 0
    })
    const idempotent = batchHeader(encodeBatch({
      records: [{ value: Buffer.from('x'), timestamp: 1 }, { value: Buffer.from('y'), timestamp: 2 }],
      baseOffset: 77n, partitionLeaderEpoch: 4, producerId: 9_007_199_254_740_993n, producerEpoch: 3, baseSequence: 12, transactional: true
    }))
    expect(idempotent).toMatchObject({
      baseOffset: 77n, partitionLeaderEpoch: 4, producerId: 9_007_199_254_740_993n, producerEpoch: 3, baseSequence: 12,
      transactional: true, recordsCount: 2, lastOffsetDelta: 1, baseTimestamp: 1n, maxTimestamp: 2n
    })
  })

  it('gives every record of a LogAppendTime batch the batch maxTimestamp', () => {
    const bytes = encodeBatch({
      records: [{ value: Buffer.from('a'), timestamp: 10 }, { value: Buffer.from('b'), timestamp: 20 }],
      timestampType: TimestampType.LOG_APPEND_TIME,
      maxTimestamp: 99_000n
    })
    const batch = decodeBatch(bytes)
    expect(batch.timestampType).toBe(TimestampType.LOG_APPEND_TIME)
    expect(batch.records.map(r => r.timestamp)).toEqual([99_000n, 99_000n])
  })

  it('keeps gapped offset deltas, as compaction leaves them', () => {
    const records = [{ value: Buffer.from('a'), offsetDelta: 0, timestamp: 1 }, { value: Buffer.from('c'), offsetDelta: 5, timestamp: 1 }]
    const batch = decodeBatch(encodeBatch({ records, baseOffset: 10n, lastOffsetDelta: 9 }))
    expect(batch.records.map(r => r.offset)).toEqual([10n, 15n])
    expect(batch.lastOffsetDelta).toBe(9)
  })

  it('round-trips timestamp deltas beyond 32 bits and base timestamps beyond 2^53', () => {
    const wide = [
      { value: Buffer.from('a'), timestamp: 0n },
      { value: Buffer.from('b'), timestamp: 1n << 40n },
      { value: Buffer.from('c'), timestamp: -(1n << 35n) }
    ]
    expectSameRecords(decodeBatch(encodeBatch({ records: wide })).records, wide)
    const huge = [{ value: Buffer.from('d'), timestamp: (1n << 62n) + 3n }, { value: Buffer.from('e'), timestamp: (1n << 62n) - 1000n }]
    expectSameRecords(decodeBatch(encodeBatch({ records: huge })).records, huge)
  })

  it('refuses to encode a timestamp more than 2^53 ms from the first one', () => {
    const records = [{ value: Buffer.from('a'), timestamp: 0n }, { value: Buffer.from('b'), timestamp: 1n << 60n }]
    expect(() => encodeBatch({ records })).toThrow(/more than 2\^53 ms away/)
  })

  it('encodes commit and abort markers that decode as control records', () => {
    for (const type of [ControlRecordType.COMMIT, ControlRecordType.ABORT]) {
      const bytes = encodeTxnMarker({ type, producerId: 4000n, producerEpoch: 7, coordinatorEpoch: 21, baseOffset: 50n, timestamp: 123n })
      const batch = decodeBatch(bytes)
      expect(batch).toMatchObject({ control: true, transactional: true, producerId: 4000n, producerEpoch: 7, baseSequence: -1, compression: 0 })
      expect(batch.records).toHaveLength(1)
      expect(batch.records[0]!.offset).toBe(50n)
      expect(batch.records[0]!.timestamp).toBe(123n)
      expect(batch.records[0]!.control).toEqual({ version: 0, type, coordinatorEpoch: 21 })
    }
  })

  it('decodes non-marker control records without a coordinator epoch', () => {
    const key = Buffer.from([0, 0, 0, 2]) // type 2: KRaft leader change
    const batch = decodeBatch(encodeBatch({ records: [{ key, value: Buffer.from([1, 2, 3]), timestamp: 1 }], control: true }))
    expect(batch.records[0]!.control).toEqual({ version: 0, type: 2, coordinatorEpoch: null })
  })

  it('a control batch whose record key is shorter than 4 bytes is rejected', () => {
    const bytes = encodeBatch({ records: [{ key: Buffer.from([0, 1]), value: null, timestamp: 1 }], control: true })
    expect(() => decodeBatch(bytes)).toThrow(/control record .* key of 2 bytes/)
  })

  it('iterates the batches of a Records field with views into the same memory', () => {
    const a = encodeBatch({ records: [{ value: Buffer.from('a'), timestamp: 1 }], baseOffset: 0n })
    const b = encodeBatch({ records: [{ value: Buffer.from('b'), timestamp: 2 }, { value: Buffer.from('c'), timestamp: 3 }], baseOffset: 1n, compression: 1 })
    const buf = Buffer.concat([a, b])
    const views = [...iterateBatches(buf)]
    expect(views.map(v => [v.position, v.header.size, v.header.baseOffset, v.header.recordsCount])).toEqual([[0, a.length, 0n, 1], [a.length, b.length, 1n, 2]])
    expect(views[1]!.bytes.buffer).toBe(buf.buffer)
    expect(decodeBatches(buf).flatMap(batch => batch.records.map(r => [r.offset, r.value!.toString()]))).toEqual([[0n, 'a'], [1n, 'b'], [2n, 'c']])
  })

  it('peeks a header without reading records: sizes, counts and timestamps', () => {
    const bytes = encodeBatch({ records: sampleRecords(), compression: 4, baseOffset: 5n })
    const header = batchHeader(Buffer.concat([Buffer.alloc(3), bytes]), 3)
    expect(header).toMatchObject({ baseOffset: 5n, size: bytes.length, batchLength: bytes.length - 12, recordsCount: 5, lastOffsetDelta: 4, compression: 4 })
    expect(header.crc).toBe(crc32c(bytes, 21))
  })

  it('stops before a partial trailing batch when the caller allows one', () => {
    const a = encodeBatch({ records: [{ value: Buffer.from('a'), timestamp: 1 }] })
    const b = encodeBatch({ records: [{ value: Buffer.alloc(100), timestamp: 1 }], baseOffset: 1n })
    for (const cut of [1, 11, 30, 70, b.length - 1]) {
      const buf = Buffer.concat([a, b.subarray(0, cut)])
      expect([...iterateBatches(buf, { allowTruncatedTail: true })].map(v => v.header.baseOffset)).toEqual([0n])
      expect(() => [...iterateBatches(buf)]).toThrow(/truncated/)
    }
  })

  it('an empty Records field holds no batches', () => {
    expect(decodeBatches(Buffer.alloc(0))).toEqual([])
  })
})
