// Builds one message as a list of Buffer chunks, ready for a gathered socket write.
// Small fields go into a growable scratch chunk. Byte fields of at least ZERO_COPY_BYTES (record batches
// in Fetch responses) are appended *by reference* as chunks of their own: the caller must not modify
// them until the chunks have been written. When the scratch chunk is full, the used part is kept as a
// chunk and a bigger one is started, so nothing is ever copied twice.
// `flexible` mirrors Reader.flexible: it selects compact strings, bytes and arrays.
import { writeUVarint, writeVarlong, zigZagEncode32 } from './varint.js'
import { ProtocolError } from './protocol-error.js'

export const ZERO_COPY_BYTES = 4096
const TWO_POW_32 = 4294967296
const INT64_LIMIT = 2 ** 63
const uuidHex = /^[0-9a-fA-F]{32}$/

/** Bytes or records as an encoder accepts them: one buffer or a list that is sent back to back. */
export type BytesInput = Buffer | readonly Buffer[]

export interface WriterOptions {
  flexible?: boolean
  /** Reserve a 4-byte size prefix, filled in by finish(): the result is a complete frame. */
  framed?: boolean
  initialSize?: number
}

export class Writer {
  flexible: boolean
  private readonly chunks: Buffer[] = []
  private buf: Buffer
  private start = 0
  private pos = 0
  private flushed = 0
  private readonly framed: boolean

  constructor (options: WriterOptions = {}) {
    this.flexible = options.flexible ?? false
    this.framed = options.framed ?? false
    this.buf = Buffer.allocUnsafe(options.initialSize ?? 512)
    if (this.framed) this.pos = 4
  }

  /** Bytes written so far, including a frame prefix. */
  get length (): number { return this.flushed + this.pos - this.start }

  private ensure (n: number): void {
    if (this.buf.length - this.pos >= n) return
    this.flushScratch()
    this.buf = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2, 512))
    this.start = this.pos = 0
  }

  private flushScratch (): void {
    if (this.pos > this.start || this.chunks.length === 0) {
      this.chunks.push(this.buf.subarray(this.start, this.pos))
      this.flushed += this.pos - this.start
    }
    this.start = this.pos
  }

  int8 (v: number): this { this.ensure(1); this.pos = this.buf.writeInt8(v, this.pos); return this }
  int16 (v: number): this { this.ensure(2); this.pos = this.buf.writeInt16BE(v, this.pos); return this }
  int32 (v: number): this { this.ensure(4); this.pos = this.buf.writeInt32BE(v, this.pos); return this }
  uint16 (v: number): this { this.ensure(2); this.pos = this.buf.writeUInt16BE(v, this.pos); return this }
  float64 (v: number): this { this.ensure(8); this.pos = this.buf.writeDoubleBE(v, this.pos); return this }
  bool (v: boolean): this { this.ensure(1); this.buf[this.pos++] = v ? 1 : 0; return this }

  int64 (v: number): this {
    if (!Number.isInteger(v)) throw new ProtocolError(`int64 value ${v} is not an integer`)
    this.ensure(8)
    if (v >= INT64_LIMIT) {
      this.buf.writeUInt32BE(0x7fffffff, this.pos)
      this.buf.writeUInt32BE(0xffffffff, this.pos + 4)
    } else if (v <= -INT64_LIMIT) {
      this.buf.writeUInt32BE(0x80000000, this.pos)
      this.buf.writeUInt32BE(0, this.pos + 4)
    } else {
      this.buf.writeInt32BE(Math.floor(v / TWO_POW_32), this.pos)
      this.buf.writeUInt32BE(v >>> 0, this.pos + 4)
    }
    this.pos += 8
    return this
  }

  uvarint (v: number): this { this.ensure(5); this.pos = writeUVarint(this.buf, this.pos, v); return this }
  varint (v: number): this { return this.uvarint(zigZagEncode32(v)) }
  varlong (v: number): this { this.ensure(10); this.pos = writeVarlong(this.buf, this.pos, v); return this }

  uuid (v: string): this {
    const hex = v.replaceAll('-', '')
    if (!uuidHex.test(hex)) throw new ProtocolError(`invalid uuid ${v}`)
    this.ensure(16)
    this.pos += this.buf.write(hex, this.pos, 16, 'hex')
    return this
  }

  private lengthPrefix (n: number, int16: boolean): void {
    if (this.flexible) this.uvarint(n + 1)
    else if (int16) this.int16(n)
    else this.int32(n)
  }

  string (v: string): this {
    const n = Buffer.byteLength(v)
    if (n > 0x7fff && !this.flexible) throw new ProtocolError(`string of ${n} bytes exceeds the int16 length`)
    this.lengthPrefix(n, true)
    this.ensure(n)
    this.pos += this.buf.write(v, this.pos, n, 'utf8')
    return this
  }

  nullableString (v: string | null): this {
    if (v === null) { this.lengthPrefix(-1, true); return this }
    return this.string(v)
  }

  legacyNullableString (v: string | null): this {
    const flexible = this.flexible
    this.flexible = false
    try { return this.nullableString(v) } finally { this.flexible = flexible }
  }

  nullableBytes (v: BytesInput | null): this {
    if (v === null) { this.lengthPrefix(-1, false); return this }
    if (Buffer.isBuffer(v)) {
      this.lengthPrefix(v.length, false)
      return this.raw(v)
    }
    let n = 0
    for (const part of v) n += part.length
    this.lengthPrefix(n, false)
    for (const part of v) this.raw(part)
    return this
  }

  bytes (v: BytesInput): this { return this.nullableBytes(v) }

  /** Appends bytes without a length; large ones by reference (see the file comment). */
  raw (v: Buffer): this {
    if (v.length >= ZERO_COPY_BYTES) {
      this.flushScratch()
      this.chunks.push(v)
      this.flushed += v.length
      return this
    }
    this.ensure(v.length)
    this.pos += v.copy(this.buf, this.pos)
    return this
  }

  arrayLength (n: number): this { this.lengthPrefix(n, false); return this }

  emptyTaggedFields (): this {
    if (this.flexible) { this.ensure(1); this.buf[this.pos++] = 0 }
    return this
  }

  /** Appends one tagged field whose body `body` wrote into its own Writer. */
  taggedField (tag: number, body: Writer): this {
    const parts = body.finish()
    let n = 0
    for (const part of parts) n += part.length
    this.uvarint(tag).uvarint(n)
    for (const part of parts) this.raw(part)
    return this
  }

  /** The message as chunks; with `framed`, the first chunk starts with the int32 size of the rest. */
  finish (): Buffer[] {
    this.flushScratch()
    const first = this.chunks[0] as Buffer
    if (this.framed) first.writeInt32BE(this.flushed - 4, 0)
    return this.chunks
  }
}
