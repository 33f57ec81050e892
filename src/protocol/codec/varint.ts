// Base-128 varints, least-significant group first (protocol-notes.md §2).
//   unsigned varint: at most 5 bytes, the 5th carrying only the top 4 bits of a uint32.
//   varint / varlong: zig-zag first, so small negative numbers stay short; used inside records.
// varlong works on `number` and is exact for |v| ≤ 2^53 − 1; wider values go through BigInt.
import { ProtocolError } from './protocol-error.js'

export const zigZagEncode32 = (v: number): number => ((v << 1) ^ (v >> 31)) >>> 0
export const zigZagDecode32 = (z: number): number => (z >>> 1) ^ -(z & 1)

export function uvarintSize (v: number): number {
  if (v < 0x80) return 1
  if (v < 0x4000) return 2
  if (v < 0x200000) return 3
  if (v < 0x10000000) return 4
  return 5
}

/** Writes `v` (0 ≤ v < 2^32) at `pos`; returns the new position. */
export function writeUVarint (buf: Buffer, pos: number, v: number): number {
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80
    v >>>= 7
  }
  buf[pos++] = v
  return pos
}

/** Reads an unsigned varint of at most 5 bytes; `out[0]` receives the position after it. */
export function readUVarint (buf: Buffer, pos: number, end: number, out: number[]): number {
  let result = 0
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= end) throw new ProtocolError('truncated varint')
    const b = buf[pos++] as number
    result |= (b & 0x7f) << shift
    if (b < 0x80) {
      out[0] = pos
      return result
    }
  }
  if (pos >= end) throw new ProtocolError('truncated varint')
  const last = buf[pos++] as number
  if (last > 0x0f) throw new ProtocolError('varint exceeds 32 bits')
  out[0] = pos
  return result + last * 2 ** 28
}

const TWO_POW_63 = 1n << 63n
const MASK_64 = (1n << 64n) - 1n

export function varlongSize (v: number): number {
  let z = zigZagLong(v)
  let size = 1
  while (z >= 0x80n) { z >>= 7n; size++ }
  return size
}

function zigZagLong (v: number): bigint {
  const b = BigInt(v)
  return ((b << 1n) ^ (b >> 63n)) & MASK_64
}

/** Writes a zig-zag varlong (≤ 10 bytes); returns the new position. */
export function writeVarlong (buf: Buffer, pos: number, v: number): number {
  if (v >= -0x40000000 && v < 0x40000000) return writeUVarint(buf, pos, zigZagEncode32(v))
  let z = zigZagLong(v)
  while (z >= 0x80n) {
    buf[pos++] = Number(z & 0x7fn) | 0x80
    z >>= 7n
  }
  buf[pos++] = Number(z)
  return pos
}

/** Reads a zig-zag varlong of at most 10 bytes; `out[0]` receives the position after it. */
export function readVarlong (buf: Buffer, pos: number, end: number, out: number[]): number {
  let small = 0
  for (let i = 0; i < 4 && pos + i < end; i++) {
    const b = buf[pos + i] as number
    small |= (b & 0x7f) << (7 * i)
    if (b < 0x80) {
      out[0] = pos + i + 1
      return zigZagDecode32(small)
    }
  }
  let z = 0n
  for (let shift = 0n; shift < 70n; shift += 7n) {
    if (pos >= end) throw new ProtocolError('truncated varlong')
    const b = buf[pos++] as number
    z |= BigInt(b & 0x7f) << shift
    if (b < 0x80) {
      if (z > MASK_64) throw new ProtocolError('varlong exceeds 64 bits')
      out[0] = pos
      const v = (z >> 1n) ^ -(z & 1n)
      return Number(v >= TWO_POW_63 ? v - (1n << 64n) : v)
    }
  }
  throw new ProtocolError('varlong exceeds 64 bits')
}
