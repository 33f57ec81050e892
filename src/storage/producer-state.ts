// Idempotent and transactional producer state of one partition, kept by the partition's shard: the
// shard is the only writer, so a batch's sequence check and its append happen with nothing in between.
// The rules are Kafka's (ProducerStateManager / ProducerAppendInfo; protocol-notes.md §10):
//   - per producer id: the current epoch and the metadata of the last 5 batches (a producer has at most
//     5 requests in flight), so a retried batch is answered with its original offsets, not re-appended;
//   - a batch from an older epoch is INVALID_PRODUCER_EPOCH; a new epoch must start at sequence 0 and
//     a known epoch must continue at lastSeq + 1 (wrapping at INT32_MAX), else
//     OUT_OF_ORDER_SEQUENCE_NUMBER; an unknown producer (never seen, or expired) may start anywhere;
//   - a transactional batch opens the producer's transaction at its first offset, which holds the last
//     stable offset back until the producer's COMMIT or ABORT marker.
// The state is rebuilt on open by replaying the log's batch headers (replay()), so it survives a
// restart without a separate snapshot file.
import { StoreError, type AppendResult } from './native.js'
import type { ProducerBatch } from './producer-batch.js'

const CACHED_BATCHES = 5
const INT32_RANGE = 2 ** 31

interface CachedBatch { firstSeq: number; lastSeq: number; firstOffset: number; lastOffset: number; logAppendTimeMs: number }

interface ProducerEntry {
  epoch: number
  batches: CachedBatch[]
  lastWriteMs: number
}

/** An aborted transaction on this partition: its first offset and its ABORT marker's offset. */
export interface AbortedTxn { producerId: number; firstOffset: number; lastOffset: number }

/** An append's outcome with the partition's transaction state after it (see append-rows.ts). */
export interface TxnAppendResult extends AppendResult { firstUnstableOffset: number; abortedFirstOffset: number }

/** What an earlier append of the same batch got: the offsets a retry is answered with. */
export interface DuplicateAppend { baseOffset: number; lastOffset: number; logAppendTimeMs: number }

/** A producer as DescribeProducers shows it. */
export interface ProducerView { producerId: number; epoch: number; lastSequence: number; lastTimestamp: number; txnStartOffset: number }

/** ProducerState as plain data, for the snapshot a clean close writes (producer-replay.ts). */
export interface ProducerSnapshot {
  producers: Array<[number, { epoch: number, batches: CachedBatch[], lastWriteMs: number }]>
  ongoing: Array<[number, number]>
}

export class ProducerState {
  private readonly producers = new Map<number, ProducerEntry>()
  /** Open transactions: producer id -> first offset. */
  private readonly ongoing = new Map<number, number>()

  /** The first offset of the oldest open transaction, or -1: the last stable offset is min(this, HW). */
  firstUnstableOffset (): number {
    let first = -1
    for (const offset of this.ongoing.values()) if (first < 0 || offset < first) first = offset
    return first
  }

  /** The original append when `batch` repeats one of its producer's last 5; throws on a sequence or epoch error. */
  check (batch: ProducerBatch): DuplicateAppend | null {
    const entry = this.producers.get(batch.producerId)
    if (entry === undefined) return null
    if (batch.producerEpoch < entry.epoch) {
      throw new StoreError('INVALID_PRODUCER_EPOCH', `producer ${batch.producerId} epoch ${batch.producerEpoch} is older than ${entry.epoch}`)
    }
    // Markers and the coordinator's own transactional batches (TxnOffsetCommit) carry no sequence.
    if (batch.controlType >= 0 || batch.baseSequence < 0) return null
    const lastSeq = sequenceAfter(batch.baseSequence, batch.lastOffsetDelta)
    if (batch.producerEpoch === entry.epoch) {
      const dup = entry.batches.find(b => b.firstSeq === batch.baseSequence && b.lastSeq === lastSeq)
      if (dup !== undefined) return { baseOffset: dup.firstOffset, lastOffset: dup.lastOffset, logAppendTimeMs: dup.logAppendTimeMs }
    }
    // A new epoch restarts at 0; a known epoch whose batches are gone (only markers left) may resume anywhere.
    const last = entry.batches[entry.batches.length - 1]
    const expected = batch.producerEpoch !== entry.epoch ? 0 : last === undefined ? batch.baseSequence : sequenceAfter(last.lastSeq, 1)
    if (batch.baseSequence !== expected) {
      throw new StoreError('OUT_OF_ORDER_SEQUENCE_NUMBER', `producer ${batch.producerId} epoch ${batch.producerEpoch}: sequence ${batch.baseSequence}, expected ${expected}`)
    }
    return null
  }

  /** Records an appended data batch (after check()), or a marker; returns the aborted transaction an ABORT marker closes. */
  record (batch: ProducerBatch, appended: { baseOffset: number; lastOffset: number; logAppendTimeMs: number }, nowMs: number): AbortedTxn | null {
    let entry = this.producers.get(batch.producerId)
    if (entry === undefined) this.producers.set(batch.producerId, entry = { epoch: batch.producerEpoch, batches: [], lastWriteMs: nowMs })
    if (batch.producerEpoch !== entry.epoch) {
      entry.epoch = batch.producerEpoch
      entry.batches = []
    }
    entry.lastWriteMs = nowMs
    if (batch.controlType >= 0) return this.closeTxn(batch, appended.baseOffset)
    if (batch.transactional && !this.ongoing.has(batch.producerId)) this.ongoing.set(batch.producerId, appended.baseOffset)
    if (batch.baseSequence < 0) return null
    entry.batches.push({
      firstSeq: batch.baseSequence,
      lastSeq: sequenceAfter(batch.baseSequence, batch.lastOffsetDelta),
      firstOffset: appended.baseOffset,
      lastOffset: appended.lastOffset,
      logAppendTimeMs: appended.logAppendTimeMs
    })
    if (entry.batches.length > CACHED_BATCHES) entry.batches.shift()
    return null
  }

  /** The last offset of the producer's newest data batch with a sequence, -1 when none is known. */
  lastDataOffset (producerId: number): number {
    const batches = this.producers.get(producerId)?.batches
    return batches?.[batches.length - 1]?.lastOffset ?? -1
  }

  /** Drops producers idle for `expirationMs` that have no open transaction. */
  expire (nowMs: number, expirationMs: number): void {
    for (const [id, entry] of this.producers) {
      if (!this.ongoing.has(id) && nowMs - entry.lastWriteMs >= expirationMs) this.producers.delete(id)
    }
  }

  snapshot (): ProducerSnapshot {
    return { producers: [...this.producers], ongoing: [...this.ongoing] }
  }

  static restore (snapshot: ProducerSnapshot): ProducerState {
    const state = new ProducerState()
    for (const [id, entry] of snapshot.producers) state.producers.set(id, { epoch: entry.epoch, batches: [...entry.batches], lastWriteMs: entry.lastWriteMs })
    for (const [id, offset] of snapshot.ongoing) state.ongoing.set(id, offset)
    return state
  }

  producersView (): ProducerView[] {
    return [...this.producers].map(([producerId, e]) => ({
      producerId,
      epoch: e.epoch,
      lastSequence: e.batches[e.batches.length - 1]?.lastSeq ?? -1,
      lastTimestamp: e.lastWriteMs,
      txnStartOffset: this.ongoing.get(producerId) ?? -1
    }))
  }

  private closeTxn (marker: ProducerBatch, markerOffset: number): AbortedTxn | null {
    const firstOffset = this.ongoing.get(marker.producerId)
    this.ongoing.delete(marker.producerId)
    if (firstOffset === undefined || marker.controlType !== 0) return null
    return { producerId: marker.producerId, firstOffset, lastOffset: markerOffset }
  }
}

/** The sequence `delta` records after `seq`; sequences wrap from INT32_MAX to 0. */
function sequenceAfter (seq: number, delta: number): number {
  return (seq + delta) % INT32_RANGE
}
