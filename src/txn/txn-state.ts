// One transactional id's coordinator state (Kafka's TransactionMetadata), and the state machine of the
// "TV1" flow (protocol-notes.md §11):
//
//   Empty ── AddPartitions/AddOffsets ──> Ongoing ── EndTxn ──> PrepareCommit ── markers ──> CompleteCommit
//     ^                                      │                  PrepareAbort  ── markers ──> CompleteAbort
//     └──── InitProducerId (epoch + 1) ──────┴─ timeout, or InitProducerId of a new instance: PrepareAbort
//
// Complete* accept a new transaction like Empty. Prepare* last until every marker is written; in them,
// InitProducerId, AddPartitions and EndTxn answer CONCURRENT_TRANSACTIONS (retriable).
export const TxnStatus = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7
} as const
export type TxnStatus = typeof TxnStatus[keyof typeof TxnStatus]

/** The names DescribeTransactions and ListTransactions use (Kafka's TransactionState.name). */
export const txnStatusName: Record<TxnStatus, string> = {
  0: 'Empty',
  1: 'Ongoing',
  2: 'PrepareCommit',
  3: 'PrepareAbort',
  4: 'CompleteCommit',
  5: 'CompleteAbort',
  6: 'Dead',
  7: 'PrepareEpochFence'
}

export interface TxnPartition { topic: string, partition: number }

export interface TxnMetadata {
  transactionalId: string
  producerId: number
  producerEpoch: number
  /** The epoch before the last bump: a retried InitProducerId from the new instance carries it. */
  lastProducerEpoch: number
  timeoutMs: number
  status: TxnStatus
  /** Partitions of the open transaction, keyed `topic\0partition`. */
  partitions: Map<string, TxnPartition>
  startMs: number
  updateMs: number
}

export function partitionKey (topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}

export function isPreparing (status: TxnStatus): boolean {
  return status === TxnStatus.PrepareCommit || status === TxnStatus.PrepareAbort || status === TxnStatus.PrepareEpochFence
}

/** Empty or Complete*: no transaction open, a new one may begin. */
export function isIdle (status: TxnStatus): boolean {
  return status === TxnStatus.Empty || status === TxnStatus.CompleteCommit || status === TxnStatus.CompleteAbort
}
