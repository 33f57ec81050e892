// Group -> __consumer_offsets partition must match Kafka's, or Kafka's tools would look for a group's
// records in the wrong partition.
import { describe, expect, it } from 'vitest'
import { javaStringHashCode, offsetsPartitionFor } from '../../../src/groups/offsets-topic.js'

describe('offsets topic partitioning', () => {
  it('hashes strings as Java String.hashCode does, over UTF-16 code units', () => {
    expect(javaStringHashCode('')).toBe(0)
    expect(javaStringHashCode('a')).toBe(97)
    expect(javaStringHashCode('hello')).toBe(99162322)
    expect(javaStringHashCode('my-group')).toBe(-1906497762)
    expect(javaStringHashCode('consumer-group-é')).toBe(147483204)
    expect(javaStringHashCode('\u{1F600}')).toBe(0xd83d * 31 + 0xde00)
  })

  it('maps a group to abs(hashCode) % partitions, with Integer.MIN_VALUE mapping to partition 0', () => {
    expect(offsetsPartitionFor('my-group', 50)).toBe(1906497762 % 50)
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648)
    expect(offsetsPartitionFor('polygenelubricants', 50)).toBe(0)
    expect(offsetsPartitionFor('polygenelubricants', 7)).toBe(0)
  })
})
