// Record payloads and batches for the load drivers. Values are random text (compressible about as
// much as event payloads, unlike zeros); keys follow the workload's key distribution and decide the
// partition as a Java producer would (murmur2), so keyed runs load partitions the way real ones do.
import { randomBytes } from 'node:crypto'
import { encodeBatch, type RecordInput } from '../../src/protocol/codec/record-batch.js'
import { partitionForKey } from '../../src/protocol/partitioner.js'

export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'
export const CODEC_IDS: Record<Compression, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 }

/** 'none': null keys spread round-robin; 'uniform:N': N distinct keys, equally likely. */
export type KeyDistribution = 'none' | `uniform:${number}`

export function value (bytes: number): Buffer {
  return Buffer.from(randomBytes(Math.ceil(bytes * 3 / 4) + 3).toString('base64').slice(0, bytes))
}

export function keyCount (keys: KeyDistribution): number {
  if (keys === 'none') return 0
  const n = Number(keys.slice('uniform:'.length))
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`--keys takes none or uniform:N, got ${keys}`)
  return n
}

/** A key that hashes to `partition`, drawn from the workload's key space (null when unkeyed). */
export function keyFor (keys: KeyDistribution, partition: number, partitions: number): Buffer | null {
  const n = keyCount(keys)
  if (n === 0) return null
  for (let attempt = 0; attempt < 100_000; attempt++) {
    const key = Buffer.from(`key-${Math.floor(Math.random() * n)}`)
    if (partitionForKey(key, partitions) === partition) return key
  }
  throw new RangeError(`no key of ${keys} lands on partition ${partition} of ${partitions}`)
}

export interface BatchSpec {
  recordBytes: number
  records: number
  compression: Compression
  keys: KeyDistribution
}

/** One pre-encoded batch for `partition`; records share one value but keys vary per the distribution. */
export function batchFor (spec: BatchSpec, partition: number, partitions: number): Buffer {
  const payload = value(spec.recordBytes)
  const records: RecordInput[] = Array.from({ length: spec.records }, () => ({
    key: keyFor(spec.keys, partition, partitions), value: payload, headers: [], timestamp: Date.now()
  }))
  return encodeBatch({ records, compression: CODEC_IDS[spec.compression] })
}
