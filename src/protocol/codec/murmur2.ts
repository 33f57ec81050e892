// Kafka's murmur2: the 32-bit MurmurHash2 variant of the Java client's Utils.murmur2
// (record-batch-format.md §6). Keyed records must land on the partition a Java producer would pick,
// so this has to match bit for bit: seed 0x9747b28c, m 0x5bd1e995, little-endian words, 32-bit wrap.

const SEED = 0x9747b28c
const M = 0x5bd1e995

/** The signed 32-bit murmur2 hash of `data`, exactly as Java's `Utils.murmur2` returns it. */
export function murmur2 (data: Uint8Array): number {
  const length = data.length
  let h = SEED ^ length
  const whole = length & ~3
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)
    k = Math.imul(k, M)
    k ^= k >>> 24
    k = Math.imul(k, M)
    h = Math.imul(h, M) ^ k
  }
  const tail = length & 3
  if (tail === 3) h ^= data[whole + 2]! << 16
  if (tail >= 2) h ^= data[whole + 1]! << 8
  if (tail >= 1) {
    h ^= data[whole]!
    h = Math.imul(h, M)
  }
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/** Java's `Utils.toPositive`: masks the sign bit (not `Math.abs`, which differs for negatives). */
export function toPositive (n: number): number {
  return n & 0x7fffffff
}
