import { describe, expect, it } from 'vitest'
import { partitionHash, shardOf } from '../../../src/storage/shard-routing.js'

describe('shard routing', () => {
  it('hashes with FNV-1a over the topic bytes then the partition as big-endian int32', () => {
    // 0xe40c292c is the published FNV-1a (32-bit) of "a"; the partition 0 adds four zero bytes.
    let h = 0xe40c292c
    for (let i = 0; i < 4; i++) h = Math.imul(h ^ 0, 0x01000193)
    expect(partitionHash('a', 0)).toBe(h >>> 0)
  })

  it('maps a partition to the same shard every time and within range', () => {
    for (let p = 0; p < 200; p++) {
      const shard = shardOf('orders', p, 7)
      expect(shard).toBe(shardOf('orders', p, 7))
      expect(shard).toBeGreaterThanOrEqual(0)
      expect(shard).toBeLessThan(7)
    }
  })

  it('spreads the partitions of one topic over every shard', () => {
    const counts = [0, 0, 0, 0]
    for (let p = 0; p < 400; p++) counts[shardOf('events', p, 4)]! += 1
    for (const count of counts) expect(count).toBeGreaterThan(60)
  })

  it('tells apart topic and partition boundaries that format to the same directory name', () => {
    expect(partitionHash('a-1', 2)).not.toBe(partitionHash('a', 12))
  })
})
