// What a compaction pass needs to know about transactions, after Kafka's CleanedTransactionMetadata.
//
// A pass reads the cleanable part of the log in offset order. Along the way this class tells, for
// each transactional batch, whether its transaction was aborted, and for each marker whether any
// batch of its transaction was still seen in this pass:
//   - a batch of an aborted transaction (its producer's aborted range, from the first offset up to
//     the ABORT marker, as the partition's aborted-transaction list has it) loses its records;
//   - a marker is kept while a batch of its transaction remains. Once a pass sees none, the marker
//     gets a delete horizon (now + delete.retention.ms, KIP-534: written into the batch, so it
//     survives a restart), and the first pass after the horizon removes it. The pass that reads data
//     of a transaction therefore never removes its marker: consumers that fetched the data before
//     the pass still find the marker for delete.retention.ms after it.
// Batches of open transactions never reach a pass: the cleanable range ends at the first unstable
// offset (cleaner.ts).
import type { AbortedTxn } from './producer-state.js'

/** The partition's transaction state, as the shard knows it when a pass starts. */
export interface LogTxns {
  /** Aborted transactions of the partition (any order). */
  aborted: readonly AbortedTxn[]
  /** First offset of the oldest open transaction, -1 when none is open. */
  firstUnstableOffset: number
  /** The last offset of the producer's newest data batch, -1 when unknown: that batch keeps its
   *  header (emptied if need be), so the producer's sequence state survives a restart. */
  lastDataOffset: (producerId: number) => number
}

export const NO_TXNS: LogTxns = { aborted: [], firstUnstableOffset: -1, lastDataOffset: () => -1 }

const ABORT = 0
const COMMIT = 1

export class TxnCleaning {
  private readonly pending: AbortedTxn[]
  private next = 0
  /** Aborted transactions begun at or before the current batch and not yet closed by their marker. */
  private readonly ongoingAborted = new Map<number, { txn: AbortedTxn, seen: boolean }>()
  /** Producers whose committed transaction had a batch in this pass, until its marker. */
  private readonly ongoingCommitted = new Set<number>()
  /** Marker offsets of the aborted transactions this pass found without any batch left. */
  readonly emptiedAborts: number[] = []

  constructor (aborted: readonly AbortedTxn[]) {
    this.pending = [...aborted].sort((a, b) => a.firstOffset - b.firstOffset)
  }

  /** A data batch, in offset order: true when its records belong to an aborted transaction. */
  onData (producerId: number, transactional: boolean, lastOffset: number): boolean {
    this.consumeUpTo(lastOffset)
    if (!transactional) return false
    const aborted = this.ongoingAborted.get(producerId)
    if (aborted !== undefined && lastOffset < aborted.txn.lastOffset) {
      aborted.seen = true
      return true
    }
    this.ongoingCommitted.add(producerId)
    return false
  }

  /** A control batch, in offset order (`type` -1 when it has no record): true when no batch of its
   *  transaction was seen, so that the marker may go once its delete horizon has passed. */
  onMarker (producerId: number, type: number, lastOffset: number): boolean {
    this.consumeUpTo(lastOffset)
    if (type === ABORT) {
      const aborted = this.ongoingAborted.get(producerId)
      this.ongoingAborted.delete(producerId)
      if (aborted?.seen === true) return false
      if (aborted !== undefined) this.emptiedAborts.push(aborted.txn.lastOffset)
      return true
    }
    if (type === COMMIT) return !this.ongoingCommitted.delete(producerId)
    return type < 0 // an emptied marker goes; other control records are not ours to remove
  }

  private consumeUpTo (offset: number): void {
    while (this.next < this.pending.length && this.pending[this.next]!.firstOffset <= offset) {
      // A producer has one transaction at a time: a later one replaces the earlier, whose marker was passed.
      const txn = this.pending[this.next++]!
      this.ongoingAborted.set(txn.producerId, { txn, seen: false })
    }
  }
}
