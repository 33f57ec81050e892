// Reads decoded records from a partition for the gateway's consumers (REST consumer instances and the
// WebSocket fan-out): zero-copy views from the store, decoded with every codec (record-batch.ts),
// control batches (transaction markers) skipped, records before `offset` dropped (a read starts at the
// batch that holds it). The CRC is not checked again: the shard verified it on append.
//
// Isolation, as Kafka's Fetch (broker/handlers/fetch.ts) and its Java consumer together apply it:
// read_uncommitted reads to the high watermark; read_committed reads only below the last stable offset
// (no transaction open below it) and drops the batches of aborted transactions: a transactional batch
// whose producer has an aborted transaction spanning it (first offset <= base offset < ABORT marker).
import { decodeBatch, iterateBatches, type BatchHeader, type Record } from '../protocol/codec/record-batch.js'
import { StoreError } from '../storage/native.js'
import type { PartitionStore } from '../storage/partition-store.js'
import type { AbortedTxn } from '../storage/producer-state.js'

export type Isolation = 'read_uncommitted' | 'read_committed'

export interface ReadPosition { readonly topic: string, readonly partition: number, readonly offset: number }

export interface RecordsRead {
  records: Record[]
  /** Where the next read starts: after the last batch read, or `offset` when nothing was there. */
  nextOffset: number
  /** The end this read was bounded by: the high watermark, or the last stable offset (read_committed). */
  upTo: number
  /** Stored bytes read (compressed as stored). */
  bytes: number
}

/** `offset` below the log start (retention deleted it): the caller moves to logStartOffset. */
export class OffsetBelowLogStart extends Error {
  constructor (readonly logStartOffset: number) { super(`offset below the log start offset ${logStartOffset}`) }
}

/** Where a consumer with `isolation` ends: the high watermark, or the last stable offset. */
export function endOffset (store: PartitionStore, topic: string, partition: number, isolation: Isolation): number {
  return isolation === 'read_committed' ? store.lastStableOffset(topic, partition) : store.highWatermark(topic, partition)
}

export function readRecords (store: PartitionStore, at: ReadPosition, maxBytes: number, isolation: Isolation = 'read_uncommitted'): RecordsRead {
  const { topic, partition, offset } = at
  const upTo = endOffset(store, topic, partition, isolation)
  if (offset >= upTo) return { records: [], nextOffset: offset, upTo, bytes: 0 }
  let views: Buffer[]
  try {
    views = store.read(topic, partition, offset, maxBytes, upTo)
  } catch (error) {
    if (error instanceof StoreError && error.code === 'OFFSET_OUT_OF_RANGE') throw new OffsetBelowLogStart(store.logStartOffset(topic, partition))
    throw error
  }
  const aborted = isolation === 'read_committed' ? store.abortedTransactions(topic, partition, offset, upTo) : []
  const records: Record[] = []
  let nextOffset = offset
  let bytes = 0
  for (const view of views) {
    bytes += view.length
    for (const { bytes: batch, header } of iterateBatches(view)) {
      nextOffset = Number(header.baseOffset) + header.lastOffsetDelta + 1
      if (header.control || (aborted.length > 0 && isAborted(header, aborted))) continue
      for (const record of decodeBatch(batch, { verifyCrc: false }).records) {
        if (Number(record.offset) >= offset) records.push(record)
      }
    }
  }
  return { records, nextOffset, upTo, bytes }
}

function isAborted (header: BatchHeader, aborted: readonly AbortedTxn[]): boolean {
  if (!header.transactional) return false
  const producerId = Number(header.producerId)
  const base = Number(header.baseOffset)
  return aborted.some(txn => txn.producerId === producerId && txn.firstOffset <= base && base < txn.lastOffset)
}
