// __transaction_state: where the coordinator keeps each transactional id's latest state, one record per
// transition, in the partition Kafka would choose (the same hash as groups use for __consumer_offsets).
// Compacted, so the latest record per id survives; replaying a partition gives each id's last state.
import type { Logger } from 'pino'
import { decodeBatch, iterateBatches } from '../protocol/codec/record-batch.js'
import { OffsetLog } from '../groups/offset-log.js'
import { offsetsPartitionFor } from '../groups/offsets-topic.js'
import type { PartitionStore } from '../storage/partition-store.js'
import { decodeTxnRecord, txnRecord, type TxnLogValue } from './txn-records.js'
import { partitionKey, type TxnMetadata, type TxnStatus } from './txn-state.js'

export const TXN_TOPIC = '__transaction_state'
export const TXN_TOPIC_CONFIGS: Readonly<Record<string, string>> = Object.freeze({ 'cleanup.policy': 'compact' })

const READ_BYTES = 1 << 20

export class TxnLog {
  private readonly writer: OffsetLog

  constructor (private readonly store: PartitionStore, readonly partitions: number, private readonly log: Logger) {
    this.writer = new OffsetLog(store, log, TXN_TOPIC)
  }

  partitionFor (transactionalId: string): number {
    return offsetsPartitionFor(transactionalId, this.partitions)
  }

  /** Resolves once `meta` (as it stands now) is in the log. */
  async write (meta: TxnMetadata): Promise<void> {
    await this.writer.write(this.partitionFor(meta.transactionalId), [txnRecord(meta.transactionalId, valueOf(meta))])
  }

  async forget (transactionalId: string): Promise<void> {
    await this.writer.write(this.partitionFor(transactionalId), [txnRecord(transactionalId, null)])
  }

  async drain (): Promise<void> { await this.writer.drain() }

  /** Every transactional id's last state, from all partitions. */
  load (): Map<string, TxnMetadata> {
    const out = new Map<string, TxnMetadata>()
    for (let p = 0; p < this.partitions; p++) {
      const end = this.store.highWatermark(TXN_TOPIC, p)
      let offset = this.store.logStartOffset(TXN_TOPIC, p)
      while (offset < end) {
        const views = this.store.read(TXN_TOPIC, p, offset, READ_BYTES)
        if (views.length === 0) break
        // A view holds every batch read from one segment, and a read may span segments.
        for (const { bytes } of views.flatMap((view) => [...iterateBatches(view)])) {
          const batch = decodeBatch(bytes)
          offset = Number(batch.baseOffset) + batch.lastOffsetDelta + 1
          for (const record of batch.records) this.apply(out, record.key, record.value, p)
        }
      }
    }
    return out
  }

  private apply (out: Map<string, TxnMetadata>, key: Buffer | null, value: Buffer | null, partition: number): void {
    if (key === null) return
    try {
      const decoded = decodeTxnRecord(key, value)
      if (decoded.value === null) out.delete(decoded.transactionalId)
      else out.set(decoded.transactionalId, metadataOf(decoded.transactionalId, decoded.value))
    } catch (error) {
      this.log.warn({ err: error, topic: TXN_TOPIC, partition }, 'skipping an unreadable record of the transaction log')
    }
  }
}

function valueOf (meta: TxnMetadata): TxnLogValue {
  const byTopic = new Map<string, number[]>()
  for (const { topic, partition } of meta.partitions.values()) {
    let ids = byTopic.get(topic)
    if (ids === undefined) byTopic.set(topic, ids = [])
    ids.push(partition)
  }
  return {
    producerId: meta.producerId,
    producerEpoch: meta.producerEpoch,
    transactionTimeoutMs: meta.timeoutMs,
    transactionStatus: meta.status,
    transactionPartitions: [...byTopic].map(([topic, partitionIds]) => ({ topic, partitionIds })),
    transactionLastUpdateTimestampMs: meta.updateMs,
    transactionStartTimestampMs: meta.startMs
  }
}

function metadataOf (transactionalId: string, v: TxnLogValue): TxnMetadata {
  const partitions = new Map<string, { topic: string, partition: number }>()
  for (const { topic, partitionIds } of v.transactionPartitions ?? []) {
    for (const partition of partitionIds) partitions.set(partitionKey(topic, partition), { topic, partition })
  }
  return {
    transactionalId,
    producerId: v.producerId,
    producerEpoch: v.producerEpoch,
    lastProducerEpoch: -1,
    timeoutMs: v.transactionTimeoutMs,
    status: v.transactionStatus as TxnStatus,
    partitions,
    startMs: v.transactionStartTimestampMs,
    updateMs: v.transactionLastUpdateTimestampMs
  }
}
