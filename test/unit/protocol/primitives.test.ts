import { describe, expect, it } from 'vitest'
import { ProtocolError, Reader, Writer } from '../../../src/protocol/index.js'
import { decoderFor, encoderFor } from '../../../src/protocol/codec/schema-codec.js'
import { zigZagDecode32, zigZagEncode32 } from '../../../src/protocol/codec/varint.js'
import { messageSpec } from '../../../src/protocol/schema/message-spec.js'

const bytes = (w: Writer): Buffer => Buffer.concat(w.finish())

describe('varints', () => {
  it.each([
    [0, '00'], [1, '01'], [127, '7f'], [128, '8001'], [16383, 'ff7f'], [16384, '808001'], [0xffffffff, 'ffffffff0f']
  ])('unsigned varint %i is encoded as %s and read back', (value, hex) => {
    expect(bytes(new Writer().uvarint(value)).toString('hex')).toBe(hex)
    expect(new Reader(Buffer.from(hex, 'hex')).uvarint()).toBe(value)
  })

  it.each([[0, 0], [-1, 1], [1, 2], [-2, 3], [2147483647, 4294967294], [-2147483648, 4294967295]])('zig-zag maps %i to %i and back', (v, z) => {
    expect(zigZagEncode32(v)).toBe(z)
    expect(zigZagDecode32(z)).toBe(v)
  })

  it.each([0, -1, 1, 63, -64, 64, 2147483647, -2147483648])('varint %i round-trips', (v) => {
    const r = new Reader(bytes(new Writer().varint(v)))
    expect(r.varint()).toBe(v)
    expect(r.remaining).toBe(0)
  })

  it.each([0, -1, 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER])('varlong %i round-trips', (v) => {
    const r = new Reader(bytes(new Writer().varlong(v)))
    expect(r.varlong()).toBe(v)
    expect(r.remaining).toBe(0)
  })

  it('varlong of -1 is the single byte 01 and of Long.MIN_VALUE ten bytes', () => {
    expect(bytes(new Writer().varlong(-1)).toString('hex')).toBe('01')
    expect(bytes(new Writer().varlong(-(2 ** 63))).toString('hex')).toBe('ffffffffffffffffff01')
  })

  it('an unsigned varint longer than 5 bytes or above 32 bits is refused', () => {
    expect(() => new Reader(Buffer.from('ffffffff1f', 'hex')).uvarint()).toThrow(ProtocolError)
    expect(() => new Reader(Buffer.from('8080808080', 'hex')).uvarint()).toThrow(ProtocolError)
    expect(() => new Reader(Buffer.from('80', 'hex')).uvarint()).toThrow(ProtocolError)
  })
})

describe('fixed-width integers', () => {
  it.each([0, -1, 1, 2 ** 32, -(2 ** 32) - 5, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER])('int64 %i round-trips as a number', (v) => {
    expect(new Reader(bytes(new Writer().int64(v))).int64()).toBe(v)
  })

  it('int64 Long.MAX_VALUE and Long.MIN_VALUE survive a round trip byte for byte', () => {
    for (const hex of ['7fffffffffffffff', '8000000000000000']) {
      expect(bytes(new Writer().int64(new Reader(Buffer.from(hex, 'hex')).int64())).toString('hex')).toBe(hex)
    }
  })

  it('int32 extremes round-trip', () => {
    const r = new Reader(bytes(new Writer().int32(2147483647).int32(-2147483648).int16(-32768).int8(-128)))
    expect([r.int32(), r.int32(), r.int16(), r.int8()]).toEqual([2147483647, -2147483648, -32768, -128])
  })
})

describe('strings, bytes and uuids', () => {
  it('a compact string is its length + 1 as a varint, then UTF-8', () => {
    const w = new Writer({ flexible: true }).string('grüße').nullableString(null).string('')
    expect(bytes(w).toString('hex')).toBe('08' + Buffer.from('grüße').toString('hex') + '0001')
    const r = new Reader(bytes(new Writer({ flexible: true }).string('grüße').nullableString(null)))
    r.flexible = true
    expect([r.string(), r.nullableString()]).toEqual(['grüße', null])
  })

  it('a classic string has an int16 length and null is -1', () => {
    expect(bytes(new Writer().string('ab').nullableString(null)).toString('hex')).toBe('00026162ffff')
  })

  it('uuids are 16 bytes, most significant half first', () => {
    const id = '0123abcd-4567-89ef-0011-223344556677'
    const encoded = bytes(new Writer().uuid(id))
    expect(encoded.toString('hex')).toBe('0123abcd456789ef0011223344556677')
    expect(new Reader(encoded).uuid()).toBe(id)
    expect(() => new Writer().uuid('not-a-uuid-0000-0000-000000000000')).toThrow(ProtocolError)
  })

  it('records given as several buffers are sent back to back, large ones by reference', () => {
    const big = Buffer.alloc(8192, 1)
    const chunks = new Writer({ flexible: true }).nullableBytes([Buffer.from([2, 3]), big]).finish()
    expect(chunks.some((c) => c === big)).toBe(true)
    const r = new Reader(Buffer.concat(chunks))
    r.flexible = true
    expect(r.nullableBytes()).toEqual(Buffer.concat([Buffer.from([2, 3]), big]))
  })
})

describe('tagged fields', () => {
  // ApiVersionsResponse v3 has tagged fields 0 (SupportedFeatures), 1 (FinalizedFeaturesEpoch), 2, 3.
  const spec = messageSpec('ApiVersionsResponse')
  const body = (tags: string): Buffer => Buffer.from('0000' + '01' + '00000000' + tags, 'hex')

  it('are written in ascending tag order and omitted when they hold their default', () => {
    const w = new Writer()
    encoderFor(spec, 3)(w, { finalizedFeaturesEpoch: 5, zkMigrationReady: true })
    expect(bytes(w).toString('hex')).toBe('0000' + '01' + '00000000' + '02' + '01080000000000000005' + '030101')
  })

  it('an unknown tag is skipped using its size', () => {
    const decoded = decoderFor<{ finalizedFeaturesEpoch: number }>(spec, 3)(new Reader(body('02' + '0108' + '0000000000000007' + '2a03aabbcc')))
    expect(decoded.finalizedFeaturesEpoch).toBe(7)
  })

  it('duplicate or descending tags are refused', () => {
    expect(() => decoderFor(spec, 3)(new Reader(body('02' + '030100' + '030100')))).toThrow(/ascend/)
    expect(() => decoderFor(spec, 3)(new Reader(body('02' + '030100' + '0108' + '0000000000000007')))).toThrow(/ascend/)
  })

  it('a tagged field that does not fill its declared size is refused', () => {
    expect(() => decoderFor(spec, 3)(new Reader(body('01' + '0109' + '000000000000000700')))).toThrow(ProtocolError)
  })
})

describe('ignorable semantics on encode', () => {
  it('a non-default value in a non-ignorable field the version lacks is an error', () => {
    // ProduceRequest.TransactionalId exists from v3 and is not ignorable.
    expect(() => encoderFor(messageSpec('ProduceRequest'), 2)(new Writer(), { transactionalId: 'tx' })).toThrow(/transactionalId/)
    expect(() => encoderFor(messageSpec('ProduceRequest'), 2)(new Writer(), { transactionalId: null })).not.toThrow()
  })

  it('a non-default value in an ignorable field the version lacks is dropped silently', () => {
    // ProduceResponse.LogAppendTimeMs (v2+) is ignorable.
    const w = new Writer()
    encoderFor(messageSpec('ProduceResponse'), 1)(w, { responses: [{ name: 't', partitionResponses: [{ index: 0, logAppendTimeMs: 5 }] }] })
    expect(bytes(w).length).toBe(4 + 2 + 1 + 4 + 4 + 2 + 8 + 4)
  })
})
