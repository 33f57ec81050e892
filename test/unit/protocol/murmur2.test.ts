import { describe, expect, it } from 'vitest'
import { createRequire } from 'node:module'
import { murmur2, toPositive } from '../../../src/protocol/codec/murmur2.js'
import { DefaultPartitioner, partitionForKey } from '../../../src/protocol/partitioner.js'

const require = createRequire(import.meta.url)
// kafkajs's default (Java-compatible) partitioner hashes with this module.
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number

/** A small deterministic PRNG so that a failure names keys that can be reproduced. */
function prng (seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('murmur2', () => {
  // Worked through the algorithm of record-batch-format.md §6 (the Java client's Utils.murmur2).
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
    ['', 275646681]
  ])('hashes %j to %i as the Java client does', (key, expected) => {
    expect(murmur2(Buffer.from(key))).toBe(expected)
  })

  it('agrees with kafkajs on 5000 random keys of every tail length', () => {
    const random = prng(42)
    for (let i = 0; i < 5000; i++) {
      const key = Buffer.alloc(Math.floor(random() * 67))
      for (let j = 0; j < key.length; j++) key[j] = Math.floor(random() * 256)
      expect(murmur2(key), key.toString('hex')).toBe(kafkajsMurmur2(key))
    }
  })

  it('makes hashes positive by masking the sign bit, not by Math.abs', () => {
    expect(toPositive(-973932308)).toBe(-973932308 & 0x7fffffff)
    expect(toPositive(-2147483648)).toBe(0)
  })
})

describe('partitioner', () => {
  it('sends a keyed record where the Java default partitioner does', () => {
    expect(partitionForKey(Buffer.from('foobar'), 7)).toBe(toPositive(-790332482) % 7)
    const random = prng(7)
    for (let i = 0; i < 1000; i++) {
      const key = Buffer.from(`key-${Math.floor(random() * 1e9)}`)
      const n = 1 + Math.floor(random() * 64)
      expect(partitionForKey(key, n)).toBe((kafkajsMurmur2(key) & 0x7fffffff) % n)
    }
  })

  it('rejects a partition count that is not a positive integer', () => {
    expect(() => partitionForKey(Buffer.from('k'), 0)).toThrow(RangeError)
    expect(() => new DefaultPartitioner().partition(null, 1.5)).toThrow(RangeError)
  })

  it('spreads null-key records round-robin when asked to', () => {
    const p = new DefaultPartitioner({ nullKeys: 'round-robin' })
    expect(Array.from({ length: 7 }, () => p.partition(null, 3))).toEqual([0, 1, 2, 0, 1, 2, 0])
  })

  it('keeps null-key records on one partition until stickyBytes have gone there', () => {
    const p = new DefaultPartitioner({ stickyBytes: 1000, random: prng(1) })
    const first = p.partition(null, 8, 400)
    expect(p.partition(null, 8, 400)).toBe(first)
    expect(p.partition(null, 8, 400)).toBe(first)
    expect(p.partition(null, 8, 400)).not.toBe(first)
  })

  it('hashes keyed records even when null keys are sticky', () => {
    const p = new DefaultPartitioner({ stickyBytes: 1 })
    expect(p.partition(Buffer.from('foobar'), 7)).toBe(partitionForKey(Buffer.from('foobar'), 7))
  })

  it('moves a sticky partition that no longer exists when the partition count shrinks', () => {
    const p = new DefaultPartitioner({ random: () => 0.99 })
    expect(p.partition(null, 10)).toBe(9)
    expect(p.partition(null, 4)).toBeLessThan(4)
  })
})
