// Reads decoded records from a partition for the gateway's consumers (REST consumer instances and the
// WebSocket fan-out): zero-copy views from the store up to the high watermark, decoded with every codec
// (record-batch.ts), control batches (transaction markers) skipped, records before `offset` dropped
// (a read starts at the batch that holds it). The CRC is not checked again: the shard verified it on
// append. Transactions are read uncommitted (there is no transaction coordinator yet).
import { decodeBatch, iterateBatches, type Record } from '../protocol/codec/record-batch.js'
import { StoreError } from '../storage/native.js'
import type { PartitionStore } from '../storage/partition-store.js'

export interface RecordsRead {
  records: Record[]
  /** Where the next read starts: after the last batch read, or `offset` when nothing was there. */
  nextOffset: number
  /** Stored bytes read (compressed as stored). */
  bytes: number
}

/** `offset` below the log start (retention deleted it): the caller moves to logStartOffset. */
export class OffsetBelowLogStart extends Error {
  constructor (readonly logStartOffset: number) { super(`offset below the log start offset ${logStartOffset}`) }
}

export function readRecords (store: PartitionStore, topic: string, partition: number, offset: number, maxBytes: number): RecordsRead {
  const highWatermark = store.highWatermark(topic, partition)
  if (offset >= highWatermark) return { records: [], nextOffset: offset, bytes: 0 }
  let views: Buffer[]
  try {
    views = store.read(topic, partition, offset, maxBytes, highWatermark)
  } catch (error) {
    if (error instanceof StoreError && error.code === 'OFFSET_OUT_OF_RANGE') throw new OffsetBelowLogStart(store.logStartOffset(topic, partition))
    throw error
  }
  const records: Record[] = []
  let nextOffset = offset
  let bytes = 0
  for (const view of views) {
    bytes += view.length
    for (const { bytes: batch, header } of iterateBatches(view)) {
      nextOffset = Number(header.baseOffset) + header.lastOffsetDelta + 1
      if (header.control) continue
      for (const record of decodeBatch(batch, { verifyCrc: false }).records) {
        if (Number(record.offset) >= offset) records.push(record)
      }
    }
  }
  return { records, nextOffset, bytes }
}
