// Writes a transaction's COMMIT or ABORT marker into each of its partitions. Kafka sends
// WriteTxnMarkers to each partition leader; here every partition is local, so the coordinator appends
// the control batch itself. A partition deleted since it joined the transaction is skipped: there is
// nothing left to mark.
import type { Logger } from 'pino'
import { ControlRecordType, encodeTxnMarker } from '../protocol/codec/record-batch.js'
import { StoreError } from '../storage/native.js'
import type { PartitionStore } from '../storage/partition-store.js'
import type { TxnPartition } from './txn-state.js'

export interface MarkerSpec { producerId: number, producerEpoch: number, commit: boolean }

/** Resolves once every marker is appended; rejects with the first failure other than a deleted partition. */
export async function writeMarkers (store: PartitionStore, spec: MarkerSpec, partitions: readonly TxnPartition[], log: Logger): Promise<void> {
  const nowMs = Date.now()
  const marker = encodeTxnMarker({
    type: spec.commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT,
    producerId: BigInt(spec.producerId),
    producerEpoch: spec.producerEpoch,
    coordinatorEpoch: 0,
    timestamp: BigInt(nowMs)
  })
  await Promise.all(partitions.map(async ({ topic, partition }) => {
    try {
      await store.appendMarker(topic, partition, marker, nowMs)
    } catch (error) {
      if (error instanceof StoreError && error.code === 'UNKNOWN_PARTITION') {
        log.warn({ topic, partition, producerId: spec.producerId }, 'transaction partition is gone; no marker written')
        return
      }
      throw error
    }
  }))
}
