// Appends and their results cross threads as rows of float64s, not as objects. Structured clone
// costs about 1 µs per small object in each direction: posting 64 append results from a worker took
// 55-67 µs as objects and 1.3-3 µs as one Float64Array on this machine, and through the store that was
// +12% appends/s for 16 KiB batches (bench/storage-append.ts). All fields are integers below 2^53.
//
// The batch bytes are not copied: a row carries the address of the caller's Buffer (native.ts,
// addressOf), the network thread keeps that Buffer referenced until the shard has answered the append
// (shard-channel.ts), and the shard reads it in place: plain appends by address, in the native call
// itself (NativeLog.appendManyAt: no Buffer per append, which V8 would count as new external memory
// each time), a producer's append through a Buffer over it (viewAt). The copy into one transferred
// ArrayBuffer per message it replaces cost the broker's network thread ~9% of its time under produce,
// and its garbage collector the external memory churn (a MiB-sized allocation per message).
//
// Request rows (one Float64Array per `ops` message, transferred):
//   row: id, log, address, length (of its batches), leaderEpoch, logAppendTimeMs, nowMs, flags
//        (bit 0 allowControl: the broker's own markers and offset commits; bit 1 producer: some batch
//        carries a producer id, found here by the sender, which has the bytes at hand)
// Result rows (one Float64Array per `results` message, transferred):
//   row: id, error (-1: ok; else an index into the message's `errors`), baseOffset, lastOffset,
//        logAppendTimeMs, logStartOffset, firstUnstableOffset (after this append; -1: no open
//        transaction), abortedFirstOffset (an ABORT marker: its transaction's first offset; else -1)
import { addressOf, viewAt, type AppendOptions } from './native.js'
import { hasProducer } from './producer-batch.js'
import type { TxnAppendResult } from './producer-state.js'
import type { LogId, WireError } from './messages.js'

export const APPEND_ROW = 8
export const RESULT_ROW = 8

/** The broker's own batches set allowControl: transaction markers, and transactional offset commits
 *  (which, like markers, carry a producer id without a sequence). Client batches never may. */
export type ShardAppendOptions = AppendOptions & { allowControl?: boolean }

const ALLOW_CONTROL = 1
const PRODUCER = 2

/** An append as the shard reads it: its bytes stay where the sender has them (`address`, `length`). */
export interface AppendRequest { id: number; log: LogId; address: number; length: number; producer: boolean; opts: ShardAppendOptions }

/** A Buffer over an append's bytes, valid until the shard answers it: never keep one past that. */
export function batchesOf (req: AppendRequest): Buffer {
  return req.length === 0 ? Buffer.alloc(0) : viewAt(req.address, req.length)
}

/** Network-thread side: collects a message's append rows. The caller keeps each `batches` referenced
 *  until its append is answered. */
export class AppendRowWriter {
  /** Reused between messages; take() copies the rows out (the copy is what is transferred). A plain
   *  array and Float64Array.from (an iterator) made garbage per message. */
  private rows = new Float64Array(16 * APPEND_ROW)
  private used = 0
  private bytes = 0

  get count (): number { return this.used / APPEND_ROW }
  get payloadBytes (): number { return this.bytes }

  add (id: number, log: LogId, batches: Buffer, opts: ShardAppendOptions): void {
    if (this.used + APPEND_ROW > this.rows.length) {
      const larger = new Float64Array(2 * this.rows.length)
      larger.set(this.rows)
      this.rows = larger
    }
    const row = this.rows
    const r = this.used
    row[r] = id
    row[r + 1] = log
    row[r + 2] = batches.length === 0 ? 0 : addressOf(batches)
    row[r + 3] = batches.length
    row[r + 4] = opts.leaderEpoch
    row[r + 5] = opts.logAppendTimeMs
    row[r + 6] = opts.nowMs
    row[r + 7] = (opts.allowControl === true ? ALLOW_CONTROL : 0) | (hasProducer(batches) ? PRODUCER : 0)
    this.used += APPEND_ROW
    this.bytes += batches.length
  }

  /** The rows added so far (null if none), and a fresh start. */
  take (): ArrayBuffer | null {
    if (this.used === 0) return null
    const table = this.rows.slice(0, this.used)
    this.used = 0
    this.bytes = 0
    return table.buffer
  }
}

/** Shard side: the append requests of a message, in row (= id) order. Their bytes are the network
 *  thread's memory, valid until the shard answers them. */
export function readAppendRows (data: ArrayBuffer, count: number): AppendRequest[] {
  const table = new Float64Array(data, 0, count * APPEND_ROW)
  const out: AppendRequest[] = []
  for (let r = 0; r < table.length; r += APPEND_ROW) {
    const flags = table[r + 7]!
    out.push({
      id: table[r]!,
      log: table[r + 1]!,
      address: table[r + 2]!,
      length: table[r + 3]!,
      producer: (flags & PRODUCER) !== 0,
      opts: { leaderEpoch: table[r + 4]!, logAppendTimeMs: table[r + 5]!, nowMs: table[r + 6]!, allowControl: (flags & ALLOW_CONTROL) !== 0 }
    })
  }
  return out
}

/** Shard side: collects a message's append outcomes. */
export class ResultRowWriter {
  private rows: number[] = []
  readonly errors: WireError[] = []

  ok (id: number, r: TxnAppendResult): void {
    this.rows.push(id, -1, r.baseOffset, r.lastOffset, r.logAppendTimeMs, r.logStartOffset, r.firstUnstableOffset, r.abortedFirstOffset)
  }

  failed (id: number, error: WireError): void {
    this.rows.push(id, this.errors.length, -1, -1, -1, -1, -1, -1)
    this.errors.push(error)
  }

  /** A typed array made from the plain one directly (Float64Array.from would iterate it). */
  take (): Float64Array | null {
    if (this.rows.length === 0) return null
    const table = new Float64Array(this.rows.length)
    table.set(this.rows)
    return table
  }
}

export interface ResultRowHandler {
  ok: (id: number, result: TxnAppendResult) => void
  failed: (id: number, error: WireError) => void
}

/** Network-thread side: hands each result row to `handler`. */
export function readResultRows (rows: Float64Array, errors: WireError[], handler: ResultRowHandler): void {
  for (let r = 0; r < rows.length; r += RESULT_ROW) {
    const error = rows[r + 1]!
    if (error < 0) {
      handler.ok(rows[r]!, {
        baseOffset: rows[r + 2]!, lastOffset: rows[r + 3]!, logAppendTimeMs: rows[r + 4]!, logStartOffset: rows[r + 5]!,
        firstUnstableOffset: rows[r + 6]!, abortedFirstOffset: rows[r + 7]!
      })
      continue
    }
    const wire = errors[error]
    if (wire === undefined) throw new Error(`result row names error ${error} of ${errors.length}`)
    handler.failed(rows[r]!, wire)
  }
}
