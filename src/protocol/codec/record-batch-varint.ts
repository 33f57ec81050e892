// A bounds-checked cursor over one records region (a batch's records, or a decompressed blob), on top
// of the shared varint codec (varint.ts): zig-zag varint / varlong as records use them
// (record-batch-format.md §4). Every read checks `end`, so a lying length can never read past the
// region or allocate from a bogus size; failures become RecordBatchError (CORRUPT_MESSAGE for the
// partition) instead of the ProtocolError that closes a connection.
//
// varint.ts reads and writes varlongs as `number`, exact within ±2^53. Record timestamps are int64,
// but a record's timestampDelta beyond ±2^53 ms (285,000 years) is not a real timestamp: such a
// delta is refused on decode and on encode rather than rounded.

import { ProtocolError } from './protocol-error.js'
import { readUVarint, readVarlong, uvarintSize, varlongSize, writeUVarint, writeVarlong, zigZagDecode32, zigZagEncode32 } from './varint.js'

export class RecordCursor {
  pos: number
  private readonly next: number[] = [0]

  constructor (readonly buf: Buffer, start: number, readonly end: number, private readonly onError: (message: string) => Error) {
    this.pos = start
  }

  fail (message: string): Error {
    return this.onError(`${message} at byte ${this.pos}`)
  }

  private wrap (err: unknown): unknown {
    return err instanceof ProtocolError ? this.fail(err.message) : err
  }

  int8 (): number {
    if (this.pos >= this.end) throw this.fail('record ends before its attributes')
    return this.buf.readInt8(this.pos++)
  }

  varint (): number {
    try {
      const z = readUVarint(this.buf, this.pos, this.end, this.next)
      this.pos = this.next[0]!
      return zigZagDecode32(z)
    } catch (err) {
      throw this.wrap(err)
    }
  }

  varlong (): bigint {
    let v: number
    try {
      v = readVarlong(this.buf, this.pos, this.end, this.next)
    } catch (err) {
      throw this.wrap(err)
    }
    if (!Number.isSafeInteger(v)) throw this.fail('timestamp delta beyond ±2^53 ms')
    this.pos = this.next[0]!
    return BigInt(v)
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
  return uvarintSize(zigZagEncode32(n))
}

export function writeVarint (buf: Buffer, pos: number, n: number): number {
  return writeUVarint(buf, pos, zigZagEncode32(n))
}

const MAX_DELTA = BigInt(Number.MAX_SAFE_INTEGER)

/** A timestamp delta as the number varint.ts encodes; throws RangeError beyond ±2^53 − 1. */
export function timestampDelta (timestamp: bigint, base: bigint): number {
  const delta = timestamp - base
  if (delta > MAX_DELTA || delta < -MAX_DELTA) {
    throw new RangeError(`record timestamp ${timestamp} is more than 2^53 ms away from the batch's first timestamp ${base}`)
  }
  return Number(delta)
}

export { varlongSize, writeVarlong }
