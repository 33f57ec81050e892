// A bounds-checked cursor over one message (protocol-notes.md §2). `flexible` says whether the message is
// in a flexible version (KIP-482): then strings, bytes, records and arrays use their compact forms, so
// API code never chooses an encoding itself.
//
// Untrusted input rules: every length or count is checked against the bytes that remain *before*
// anything is allocated for it, so a forged count cannot make us allocate; any violation throws a
// ProtocolError and the connection is closed.
//
// int64 rule: every int64 field is a JS `number`. Offsets, timestamps, producer ids and epochs all stay far
// below 2^53 in practice and the −1/−2 sentinels are small, so the hot path never pays for BigInt.
// Values beyond ±2^53 decode to the nearest double; the Writer clamps to the int64 range, so the
// Long.MIN_VALUE/MAX_VALUE sentinels some clients send survive a round trip exactly.
import { ProtocolError } from './protocol-error.js'
import { readUVarint, readVarlong, zigZagDecode32 } from './varint.js'

const TWO_POW_32 = 4294967296

export class Reader {
  offset: number
  readonly end: number
  flexible = false
  private readonly varintEnd = [0]

  constructor (readonly buf: Buffer, offset = 0, end = buf.length) {
    this.offset = offset
    this.end = end
  }

  get remaining (): number { return this.end - this.offset }

  private need (n: number): number {
    const at = this.offset
    if (n > this.end - at) throw new ProtocolError(`truncated: need ${n} bytes at ${at}, have ${this.end - at}`)
    this.offset = at + n
    return at
  }

  skip (n: number): void { this.need(n) }

  int8 (): number { return this.buf.readInt8(this.need(1)) }
  int16 (): number { return this.buf.readInt16BE(this.need(2)) }
  int32 (): number { return this.buf.readInt32BE(this.need(4)) }
  uint16 (): number { return this.buf.readUInt16BE(this.need(2)) }
  float64 (): number { return this.buf.readDoubleBE(this.need(8)) }
  bool (): boolean { return this.buf[this.need(1)] !== 0 }

  int64 (): number {
    const at = this.need(8)
    return this.buf.readInt32BE(at) * TWO_POW_32 + this.buf.readUInt32BE(at + 4)
  }

  uvarint (): number {
    const at = this.offset
    const first = this.buf[at]
    if (first !== undefined && first < 0x80 && at < this.end) {
      this.offset = at + 1
      return first
    }
    const v = readUVarint(this.buf, this.offset, this.end, this.varintEnd)
    this.offset = this.varintEnd[0] as number
    return v
  }

  varint (): number { return zigZagDecode32(this.uvarint()) }

  varlong (): number {
    const v = readVarlong(this.buf, this.offset, this.end, this.varintEnd)
    this.offset = this.varintEnd[0] as number
    return v
  }

  /** 16 bytes rendered as lowercase 8-4-4-4-12 hex. */
  uuid (): string {
    const at = this.need(16)
    const hex = this.buf.toString('hex', at, at + 16)
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }

  /** Length of a string/bytes field, −1 for null; compact lengths are stored as N+1. */
  private length (int16: boolean): number {
    const n = this.flexible ? this.uvarint() - 1 : int16 ? this.int16() : this.int32()
    if (n < -1) throw new ProtocolError(`negative length ${n}`)
    if (n > this.end - this.offset) throw new ProtocolError(`length ${n} exceeds the ${this.end - this.offset} remaining bytes`)
    return n
  }

  private utf8 (n: number): string {
    const at = this.need(n)
    return this.buf.toString('utf8', at, at + n)
  }

  string (): string {
    const n = this.length(true)
    if (n < 0) throw new ProtocolError('null in a non-nullable string')
    return this.utf8(n)
  }

  nullableString (): string | null {
    const n = this.length(true)
    return n < 0 ? null : this.utf8(n)
  }

  /** The request header's client_id: always INT16-prefixed, even in flexible headers (§3). */
  legacyNullableString (): string | null {
    const flexible = this.flexible
    this.flexible = false
    try { return this.nullableString() } finally { this.flexible = flexible }
  }

  /** A view into the frame, not a copy: it lives as long as the caller keeps the frame. */
  nullableBytes (): Buffer | null {
    const n = this.length(false)
    if (n < 0) return null
    const at = this.need(n)
    return this.buf.subarray(at, at + n)
  }

  bytes (): Buffer {
    const b = this.nullableBytes()
    if (b === null) throw new ProtocolError('null in non-nullable bytes')
    return b
  }

  /** Element count of an array, −1 for null. Every element takes at least one byte, which bounds the count. */
  arrayLength (): number {
    const n = this.flexible ? this.uvarint() - 1 : this.int32()
    if (n < -1) throw new ProtocolError(`negative array length ${n}`)
    if (n > this.end - this.offset) throw new ProtocolError(`array of ${n} elements exceeds the ${this.end - this.offset} remaining bytes`)
    return n
  }

  /** Skips a whole tagged-field section; does nothing in non-flexible messages. */
  skipTaggedFields (): void {
    if (!this.flexible) return
    let previous = -1
    for (let count = this.uvarint(); count > 0; count--) {
      const tag = this.uvarint()
      if (tag <= previous) throw new ProtocolError(`tag ${tag} after tag ${previous}: tags must ascend`)
      previous = tag
      this.skip(this.uvarint())
    }
  }
}
