// CRC-32C (Castagnoli), the checksum of RecordBatch v2 (record-batch-format.md §1).
// Pure JS on purpose: the protocol layer must not depend on the storage addon, which has its own.
// Slice-by-8: eight 256-entry tables let the loop consume 8 bytes per step instead of 1.

const POLY_REFLECTED = 0x82f63b78

const TABLES = buildTables()

function buildTables (): Uint32Array {
  const t = new Uint32Array(8 * 256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? (c >>> 1) ^ POLY_REFLECTED : c >>> 1
    t[n] = c >>> 0
  }
  // t[s*256 + n] is the CRC of byte n followed by s zero bytes.
  for (let s = 1; s < 8; s++) {
    for (let n = 0; n < 256; n++) {
      const prev = t[(s - 1) * 256 + n]!
      t[s * 256 + n] = (prev >>> 8) ^ t[prev & 0xff]!
    }
  }
  return t
}

/**
 * CRC-32C of `buf[start, end)`, as an unsigned 32-bit number.
 * Pass a previous result as `crc` to continue a checksum over several pieces.
 */
export function crc32c (buf: Uint8Array, start = 0, end = buf.length, crc = 0): number {
  const t = TABLES
  let c = ~crc
  let i = start
  const end8 = start + ((end - start) & ~7)
  for (; i < end8; i += 8) {
    c ^= buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24)
    c = t[1792 + (c & 0xff)]! ^ t[1536 + ((c >>> 8) & 0xff)]! ^
      t[1280 + ((c >>> 16) & 0xff)]! ^ t[1024 + (c >>> 24)]! ^
      t[768 + buf[i + 4]!]! ^ t[512 + buf[i + 5]!]! ^
      t[256 + buf[i + 6]!]! ^ t[buf[i + 7]!]!
  }
  for (; i < end; i++) c = t[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8)
  return ~c >>> 0
}
