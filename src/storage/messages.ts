// Every message that crosses between the network thread and a shard worker.
//
// Channel: piscina starts each shard's thread and keeps it alive; its only piscina task is `init`,
// which hands the shard one end of a MessageChannel. Everything else travels on that port, in order
// (see the measurements in shard-channel.ts for why not piscina's task API).
//
// main -> shard  `init` (once, as the piscina task), then `ops`: every operation one event-loop turn
//                issued for this shard, in issue order. Append payloads are copied into ONE new
//                ArrayBuffer per message and transferred; an op names its bytes by [start, start+length).
// shard -> main  `results`: one outcome per op of an `ops` message, same order, matched by id.
//                `retention`: log-start changes (or failures) from the shard's periodic retention check.
import type { MessagePort } from 'node:worker_threads'
import type { AppendOptions, AppendResult, LogConfig, RecoveryReport } from './native.js'

/** A partition log as the shard knows it: its directory name under the data dir (`<topic>-<partition>`). */
export type LogName = string

export type ShardOp =
  | { kind: 'open'; id: number; log: LogName; config: LogConfig }
  | { kind: 'append'; id: number; log: LogName; start: number; length: number; opts: AppendOptions }
  | { kind: 'setConfig'; id: number; log: LogName; config: LogConfig }
  | { kind: 'truncateTo'; id: number; log: LogName; offset: number }
  | { kind: 'advanceLogStart'; id: number; log: LogName; offset: number }
  | { kind: 'assignEpoch'; id: number; log: LogName; epoch: number; startOffset: number }
  | { kind: 'flush'; id: number; log: LogName | null } // null: every log of the shard
  | { kind: 'delete'; id: number; log: LogName }
  | { kind: 'closeAll'; id: number }

/** What a successful op answers with, by kind. */
export interface OpValues {
  open: RecoveryReport
  append: AppendResult
  setConfig: null
  truncateTo: null
  advanceLogStart: number
  assignEpoch: null
  flush: null
  delete: null
  closeAll: null
}

/** An error as it crosses threads: `code` is the StoreError code, null for an unexpected error (a bug). */
export interface WireError { code: string | null; message: string; errno?: number }

export type OpOutcome =
  | { id: number; ok: true; value: OpValues[keyof OpValues] }
  | { id: number; ok: false; error: WireError }

export interface RetentionChange {
  log: LogName
  logStartOffset: number
  deletedSegments: number
  deletedBytes: number
  error: WireError | null
}

export type ShardMessage =
  | { kind: 'init'; port: MessagePort; shardId: number; dataDir: string; retentionCheckIntervalMs: number }
  | { kind: 'ops'; ops: ShardOp[]; data: ArrayBuffer | null }
  | { kind: 'results'; results: OpOutcome[] }
  | { kind: 'retention'; changes: RetentionChange[] }

export type InitMessage = Extract<ShardMessage, { kind: 'init' }>
export type OpsMessage = Extract<ShardMessage, { kind: 'ops' }>
export type FromShard = Extract<ShardMessage, { kind: 'results' | 'retention' }>
