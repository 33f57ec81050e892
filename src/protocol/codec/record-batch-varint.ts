// Zig-zag varint / varlong (protobuf sint32 / sint64), as used inside records only
// (record-batch-format.md §4). A varint takes at most 5 bytes, a varlong at most 10.
//
// This is a cursor over one bounded region (a batch's records, or a decompressed blob): every read
// checks `end`, so a lying length can never read past the region or allocate from a bogus size.

export class RecordCursor {
  pos: number

  constructor (readonly buf: Buffer, start: number, readonly end: number, private readonly onError: (message: string) => Error) {
    this.pos = start
  }

  fail (message: string): Error {
    return this.onError(`${message} at byte ${this.pos}`)
  }

  int8 (): number {
    if (this.pos >= this.end) throw this.fail('record ends before its attributes')
    return this.buf.readInt8(this.pos++)
  }

  varint (): number {
    const { buf, end } = this
    let raw = 0
    for (let i = 0, shift = 0; i < 5; i++, shift += 7) {
      if (this.pos >= end) throw this.fail('data ends inside a varint')
      const b = buf[this.pos++]!
      raw |= (b & 0x7f) << shift
      if ((b & 0x80) === 0) return (raw >>> 1) ^ -(raw & 1)
    }
    throw this.fail('varint longer than 5 bytes')
  }

  /** A varlong as a bigint; fits-in-49-bits values (all real timestamp deltas) skip bigint arithmetic. */
  varlong (): bigint {
    const { buf, end } = this
    let raw = 0
    for (let i = 0, scale = 1; i < 7; i++, scale *= 128) {
      if (this.pos >= end) throw this.fail('data ends inside a varlong')
      const b = buf[this.pos++]!
      raw += (b & 0x7f) * scale
      if ((b & 0x80) === 0) return BigInt(raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2)
    }
    let big = BigInt(raw)
    for (let i = 7, shift = 49n; i < 10; i++, shift += 7n) {
      if (this.pos >= end) throw this.fail('data ends inside a varlong')
      const b = buf[this.pos++]!
      big |= BigInt(b & 0x7f) << shift
      if ((b & 0x80) === 0) return BigInt.asIntN(64, (big >> 1n) ^ -(big & 1n))
    }
    throw this.fail('varlong longer than 10 bytes')
  }

  /** Varint-length-prefixed bytes, −1 = null. Returns a view into the region, not a copy. */
  bytes (what: string): Buffer | null {
    const length = this.varint()
    if (length === -1) return null
    if (length < -1) throw this.fail(`${what} length ${length} is negative`)
    if (length > this.end - this.pos) throw this.fail(`${what} of ${length} bytes overruns the record`)
    const start = this.pos
    this.pos += length
    return this.buf.subarray(start, this.pos)
  }

  string (what: string): string {
    const length = this.varint()
    if (length < 0) throw this.fail(`${what} length ${length} is negative`)
    if (length > this.end - this.pos) throw this.fail(`${what} of ${length} bytes overruns the record`)
    const start = this.pos
    this.pos += length
    return this.buf.toString('utf8', start, this.pos)
  }
}

export function varintSize (n: number): number {
  let z = ((n << 1) ^ (n >> 31)) >>> 0
  let size = 1
  while (z >= 0x80) {
    z >>>= 7
    size++
  }
  return size
}

export function writeVarint (buf: Buffer, pos: number, n: number): number {
  let z = ((n << 1) ^ (n >> 31)) >>> 0
  while (z >= 0x80) {
    buf[pos++] = (z & 0x7f) | 0x80
    z >>>= 7
  }
  buf[pos++] = z
  return pos
}

function zigzag64 (n: bigint): bigint {
  return BigInt.asUintN(64, (n << 1n) ^ (n >> 63n))
}

export function varlongSize (n: bigint): number {
  if (n >= -0x80000000n && n < 0x80000000n) return varintSize(Number(n))
  let z = zigzag64(n)
  let size = 1
  while (z >= 0x80n) {
    z >>= 7n
    size++
  }
  return size
}

export function writeVarlong (buf: Buffer, pos: number, n: bigint): number {
  if (n >= -0x80000000n && n < 0x80000000n) return writeVarint(buf, pos, Number(n))
  let z = zigzag64(n)
  while (z >= 0x80n) {
    buf[pos++] = Number(z & 0x7fn) | 0x80
    z >>= 7n
  }
  buf[pos++] = Number(z)
  return pos
}
