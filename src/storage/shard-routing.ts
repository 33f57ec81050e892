// Which shard owns a partition. The mapping must be stable across restarts and processes (the same
// partition always lands on the same shard for a given shard count), so it is a fixed hash and not
// anything from the JS engine.

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193
const encoder = new TextEncoder()

/** FNV-1a (32-bit) over the UTF-8 topic name followed by the partition as 4 big-endian bytes. */
export function partitionHash (topic: string, partition: number): number {
  let h = FNV_OFFSET
  for (const byte of encoder.encode(topic)) h = Math.imul(h ^ byte, FNV_PRIME)
  for (let shift = 24; shift >= 0; shift -= 8) h = Math.imul(h ^ ((partition >>> shift) & 0xff), FNV_PRIME)
  return h >>> 0
}

export function shardOf (topic: string, partition: number, shards: number): number {
  return partitionHash(topic, partition) % shards
}
