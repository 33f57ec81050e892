// Partition choice as Kafka clients make it (record-batch-format.md §6). The broker never needs
// this to store data; the HTTP/WebSocket gateway and the load generator produce through it so that
// their keyed records land where a Java, kafkajs or librdkafka (murmur2_random) producer would put them.

import { murmur2, toPositive } from './codec/murmur2.js'

/** The Java default partitioner's choice for a keyed record. */
export function partitionForKey (key: Uint8Array, numPartitions: number): number {
  if (!Number.isInteger(numPartitions) || numPartitions < 1) {
    throw new RangeError(`numPartitions must be a positive integer, got ${numPartitions}`)
  }
  return toPositive(murmur2(key)) % numPartitions
}

export interface PartitionerOptions {
  /**
   * How records without a key are spread. 'sticky' (Java 3.3+, KIP-794) keeps one partition until
   * `stickyBytes` have gone to it, so batches fill up; 'round-robin' (kafkajs) moves on every record.
   */
  nullKeys?: 'sticky' | 'round-robin'
  /** Bytes sent to one partition before a sticky partitioner switches. Java's batch.size default. */
  stickyBytes?: number
  /** Source of randomness for sticky switches, in [0, 1). Injected by tests for determinism. */
  random?: () => number
}

/**
 * Kafka's default partitioner: murmur2 for keyed records, sticky or round-robin for the rest.
 * Keep one instance per topic: the null-key state (current partition, byte count) is per topic.
 */
export class DefaultPartitioner {
  private readonly nullKeys: 'sticky' | 'round-robin'
  private readonly stickyBytes: number
  private readonly random: () => number
  private current = -1
  private bytesOnCurrent = 0
  private counter = 0

  constructor (options: PartitionerOptions = {}) {
    this.nullKeys = options.nullKeys ?? 'sticky'
    this.stickyBytes = options.stickyBytes ?? 16384
    this.random = options.random ?? Math.random
  }

  /** The partition for one record; `recordBytes` feeds the sticky switch (key + value size is enough). */
  partition (key: Uint8Array | null, numPartitions: number, recordBytes = 0): number {
    if (key !== null) return partitionForKey(key, numPartitions)
    if (!Number.isInteger(numPartitions) || numPartitions < 1) {
      throw new RangeError(`numPartitions must be a positive integer, got ${numPartitions}`)
    }
    if (this.nullKeys === 'round-robin') {
      const p = this.counter % numPartitions
      this.counter = (this.counter + 1) % 0x7fffffff
      return p
    }
    return this.stickyPartition(numPartitions, recordBytes)
  }

  private stickyPartition (numPartitions: number, recordBytes: number): number {
    const expired = this.bytesOnCurrent >= this.stickyBytes
    if (this.current < 0 || this.current >= numPartitions || expired) {
      this.current = this.nextStickyPartition(numPartitions)
      this.bytesOnCurrent = 0
    }
    this.bytesOnCurrent += recordBytes
    return this.current
  }

  // Java picks a new random partition, different from the previous one when there is a choice.
  private nextStickyPartition (numPartitions: number): number {
    if (numPartitions === 1) return 0
    const pick = Math.floor(this.random() * numPartitions) % numPartitions
    if (pick !== this.current) return pick
    return (pick + 1) % numPartitions
  }
}
