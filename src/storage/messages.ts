// Every message that crosses between the network thread and a shard worker.
//
// Channel: piscina starts each shard's thread and keeps it alive; its only piscina task is `init`,
// which hands the shard one end of a MessageChannel. Everything else travels on that port, in order
// (see the measurements in shard-channel.ts for why not piscina's task API).
//
// main -> shard  `init` (once, as the piscina task), then `ops`: every operation one event-loop turn
//                issued for this shard. Appends travel as rows in `data` (append-rows.ts), the other
//                ops as objects. Every op has an id, increasing in issue order, and the shard runs the
//                appends and the other ops of a message merged in id order. A turn with appends only
//                sends its rows' ArrayBuffer alone (AppendsOnly), not wrapped in an `ops` object.
// shard -> main  `results`: the outcome of every op of one `ops` message, matched by id: append
//                outcomes as rows, the others as objects; `endsOps` marks the one that ends the shard's
//                run of an `ops` message (others carry answers that waited: fsyncs, compaction). When
//                that run has only append outcomes, none failed, the rows go alone (RowsOnly).
//                `retention`: log-start changes (or failures) from the shard's periodic retention check,
//                and the aborted transactions a compaction pass emptied.
// The bare forms spare both threads the structured clone of an object per message (its property
// names are strings the receiver looks up again each time): a Produce costs one message each way
// per shard, so that was a measurable share of both threads' time (see shard-channel.ts).
import type { MessagePort } from 'node:worker_threads'
import type { CleanResult } from './cleaner.js'
import type { LogConfig, RecoveryReport } from './native.js'
import type { AbortedTxn, ProducerView } from './producer-state.js'

/** Names a partition log in messages; the store assigns one per opened log, never reused. */
export type LogId = number

/** Every op but appends (those are rows, see append-rows.ts). */
export type ControlOp =
  | { kind: 'open'; id: number; log: LogId; dir: string; config: LogConfig }
  | { kind: 'setConfig'; id: number; log: LogId; config: LogConfig }
  | { kind: 'truncateTo'; id: number; log: LogId; offset: number }
  | { kind: 'clean'; id: number; log: LogId; nowMs: number } // one compaction pass now
  | { kind: 'advanceLogStart'; id: number; log: LogId; offset: number }
  | { kind: 'assignEpoch'; id: number; log: LogId; epoch: number; startOffset: number }
  | { kind: 'flush'; id: number; log: LogId | null } // null: every log of the shard
  | { kind: 'delete'; id: number; log: LogId }
  | { kind: 'closeAll'; id: number }
  | { kind: 'producers'; id: number; log: LogId }

/** What a successful control op answers with, by kind. */
export interface ControlValues {
  open: OpenedLog
  setConfig: null
  truncateTo: null
  clean: CleanResult | null
  advanceLogStart: number
  assignEpoch: null
  flush: null
  delete: null
  closeAll: null
  producers: ProducerView[]
}

/** An opened log: its recovery, and the transaction state its replay found (producer-replay.ts). */
export interface OpenedLog { recovery: RecoveryReport; firstUnstableOffset: number; aborted: AbortedTxn[] }

/**
 * An error as it crosses threads: `code` is the StoreError code, null for an unexpected error (a bug).
 * The shard puts the op and the log's directory in `message`.
 */
export interface WireError { code: string | null; message: string; errno?: number }

export type ControlOutcome =
  | { id: number; ok: true; value: ControlValues[keyof ControlValues] }
  | { id: number; ok: false; error: WireError }

export interface RetentionChange {
  log: LogId
  logStartOffset: number
  deletedSegments: number
  deletedBytes: number
  error: WireError | null
  /** A compaction pass found no batch left of these aborted transactions (by ABORT marker offset). */
  emptiedAborts?: number[]
}

export type ShardMessage =
  | { kind: 'init'; port: MessagePort; shardId: number; retentionCheckIntervalMs: number; cleanerBackoffMs: number; producerExpirationMs: number }
  | { kind: 'ops'; ops: ControlOp[]; appends: number; data: ArrayBuffer | null }
  | { kind: 'results'; results: ControlOutcome[]; appended: Float64Array | null; errors: WireError[]; endsOps: boolean }
  | { kind: 'retention'; changes: RetentionChange[] }

export type InitMessage = Extract<ShardMessage, { kind: 'init' }>
export type OpsMessage = Extract<ShardMessage, { kind: 'ops' }>
export type ResultsMessage = Extract<ShardMessage, { kind: 'results' }>
/** An `ops` message with appends only: its `data`. */
export type AppendsOnly = ArrayBuffer
/** A `results` message ending an `ops` run, with append outcomes only and no failure: its `appended`. */
export type RowsOnly = Float64Array
export type ToShard = OpsMessage | AppendsOnly
export type FromShard = Extract<ShardMessage, { kind: 'results' | 'retention' }> | RowsOnly
