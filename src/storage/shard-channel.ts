// The network thread's end of one shard: owns the shard's piscina pool, queues the ops of the current
// event-loop turn, sends them as one message, and settles each op's promise from the shard's answer.
//
// Decisions, measured with bench/storage-hop.ts (an echo worker; removed once the store path it chose
// was in place, see git history; 2 vCPU AMD EPYC VM, Node 20.20, piscina 5.3.2, one message =
// 4 x 16 KiB batches):
// - Channel: a MessagePort handed to the worker in piscina's first task, not piscina's task API.
//     piscina task, one at a time: p50 93 µs;  64 in flight: 39 µs per message
//     MessagePort,  one at a time: p50 36 µs;  64 in flight: 23 µs per message
//   piscina still owns the thread's life (start, pinning, destroy). The port also carries the shard's
//   unsolicited retention reports, which the task API cannot.
// - Payload: the batches are not copied at all. A row carries the address of the caller's Buffer, which
//   stays referenced here (Pending.batches) until the shard has answered, and the shard reads it in
//   place (append-rows.ts). Before that, the turn's batches were copied into ONE new ArrayBuffer which
//   was transferred (23 µs per message; structured clone of the socket-buffer slices cost 55 µs, since
//   cloning a view copies its whole backing buffer). Appends and their results are float64 rows in
//   transferred buffers, not cloned objects.
// - Flush on setImmediate, not queueMicrotask: socket reads run as separate callbacks with a microtask
//   drain between them, so a microtask flush sends one message per connection. With 16 connections
//   appending in one turn: setImmediate 1 message per turn, 4.1 µs per append; microtask 16 messages,
//   27 µs per append. One connection: the same (p50 41 vs 39 µs).
// - At most MAX_MESSAGES_IN_FLIGHT `ops` messages per shard: while the shard works on them, further
//   turns' ops wait here and go out together when it answers. Under load that makes fewer, larger
//   messages (a postMessage costs ~20 µs of the network thread here, 11% of its time under produce);
//   when the shard keeps up, every turn still goes out at once. Broker, 8 partitions, 2M produced
//   records of 1 KB, two runs each at load average 5-6: broker CPU 8.6/7.4 s without a limit,
//   7.9/6.6 s with 2, 7.9/7.0 s with 1 (throughput within this machine's noise).
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import type { Piscina } from 'piscina'
import { StoreError } from './native.js'
import type { ControlOp, ControlOutcome, ControlValues, FromShard, InitMessage, LogId, OpsMessage, ResultsMessage, RetentionChange, ToShard, WireError } from './messages.js'
import { AppendRowWriter, readResultRows, type ResultRowHandler, type ShardAppendOptions } from './append-rows.js'
import type { TxnAppendResult } from './producer-state.js'
import { fromWireError } from './wire-error.js'
import { takeShardThread } from './shard-threads.js'

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
/** A control op as callers give it: the channel numbers ops. */
export type ControlRequest = DistributiveOmit<ControlOp, 'id'>

/**
 * A turn's appends beyond this many bytes go out in several messages, so the first of them are
 * answered before the shard has written the whole turn. (Measured when the batches were still copied:
 * 64 appends of 1 MiB in flight: 1195 and 600 MiB/s with this cap, 338 and 469 MiB/s with all 64 MiB
 * in one message; a cap of 256 or 64 KiB did not help 16 KiB appends.)
 */
const MAX_MESSAGE_BYTES = 4 * 2 ** 20

/** `batches`: an append's bytes, which the shard reads in place until it answers (append-rows.ts). */
const MAX_MESSAGES_IN_FLIGHT = 2

const NO_ERRORS: WireError[] = []

/** `onAppended`: an append's hook, run with its result before its promise resolves. */
interface Pending { resolve: (value: never) => void; reject: (err: Error) => void; batches: Buffer | null; onAppended: AppendHook | null }

export type AppendHook = (result: TxnAppendResult) => void

export interface ShardStats { messages: number; ops: number; payloadBytes: number }

/** Ops waiting for this turn's message (`queued`) and sent ops whose answer has not come (`inFlight`). */
export interface ShardDepth { queued: number; inFlight: number }

export interface ShardChannelOptions {
  shardId: number
  retentionCheckIntervalMs: number
  cleanerBackoffMs: number
  producerExpirationMs: number
  onRetention: (changes: RetentionChange[]) => void
}

export class ShardChannel {
  readonly stats: ShardStats = { messages: 0, ops: 0, payloadBytes: 0 }
  private ops: ControlOp[] = []
  private readonly appends = new AppendRowWriter()
  private flushScheduled = false
  /** `ops` messages the shard has not finished running. */
  private messagesInFlight = 0
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  /** Set once the shard thread is gone; every later request fails with it. */
  private failure: Error | null = null
  private readonly settleRow: ResultRowHandler = {
    ok: (id, result) => {
      const entry = this.take(id)
      try {
        entry.onAppended?.(result)
      } catch (err) {
        entry.reject(err as Error)
        return
      }
      entry.resolve(result as never)
    },
    failed: (id, error) => { this.take(id).reject(fromWireError(error)) }
  }

  private constructor (
    readonly shardId: number,
    private readonly pool: Piscina,
    private readonly port: MessagePort,
    private readonly onRetention: ShardChannelOptions['onRetention']
  ) {
    port.on('message', (msg: FromShard) => { this.receive(msg) })
    port.on('close', () => { this.fail(new StoreError('SHARD_FAILED', `shard ${shardId} stopped`)) })
    pool.on('error', (err: Error) => { this.fail(new StoreError('SHARD_FAILED', `shard ${shardId} failed: ${err.stack ?? err.message}`)) })
  }

  /**
   * Starts the shard's thread and returns at once: ops sent before the thread runs wait in the port (a
   * MessagePort queues messages until its other end listens), so a broker with no partitions to open
   * is ready without waiting for its shard threads to boot (Node's start and the module loading of a
   * thread take ~100 ms each on the 2-core VM). A thread that fails to start fails every op.
   */
  static start (opts: ShardChannelOptions): ShardChannel {
    const pool = takeShardThread()
    const { port1, port2 } = new MessageChannel()
    const init: InitMessage = { kind: 'init', port: port2, shardId: opts.shardId, retentionCheckIntervalMs: opts.retentionCheckIntervalMs, cleanerBackoffMs: opts.cleanerBackoffMs, producerExpirationMs: opts.producerExpirationMs }
    const channel = new ShardChannel(opts.shardId, pool, port1, opts.onRetention)
    pool.run(init, { transferList: [port2] }).catch((err: Error) => {
      channel.fail(new StoreError('SHARD_FAILED', `shard ${opts.shardId} failed to start: ${err.stack ?? err.message}`))
    })
    return channel
  }

  // append/send/enqueue return the promise they make instead of being async: each async layer costs
  // another promise per op, which shows at 1 KiB appends.

  /** Queues an append for this turn's message. The shard reads `batches` in place: it must not be
   *  modified until the returned promise settles. `onAppended` runs with the result as the shard's
   *  answer arrives, before the promise resolves (if it throws, the promise rejects with that). */
  append (log: LogId, batches: Buffer, opts: ShardAppendOptions, onAppended: AppendHook | null = null): Promise<TxnAppendResult> {
    if (this.failure !== null) return Promise.reject(this.failure)
    if (this.appends.payloadBytes > 0 && this.appends.payloadBytes + batches.length > MAX_MESSAGE_BYTES) this.sendOutbox()
    const id = this.nextId++
    this.appends.add(id, log, batches, opts)
    return this.enqueue(id, batches, onAppended)
  }

  send<Op extends ControlRequest> (op: Op): Promise<ControlValues[Op['kind']]> {
    if (this.failure !== null) return Promise.reject(this.failure)
    const id = this.nextId++
    this.ops.push({ ...op, id } as ControlOp)
    return this.enqueue(id)
  }

  depth (): ShardDepth {
    const queued = this.appends.count + this.ops.length
    return { queued, inFlight: this.pending.size - queued }
  }

  /** Stops the thread. The caller has closed the logs (`closeAll`) and awaited it. */
  async stop (): Promise<void> {
    this.port.close()
    await this.pool.destroy()
  }

  private enqueue<T> (id: number, batches: Buffer | null = null, onAppended: AppendHook | null = null): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: never) => void, reject, batches, onAppended })
      this.scheduleFlush()
    })
  }

  /** Sends what is queued now instead of at the end of this turn (unless the shard is busy). */
  sendNow (): void {
    if (this.messagesInFlight < MAX_MESSAGES_IN_FLIGHT) this.sendOutbox()
  }

  /** Sends the outbox at the end of this turn, unless the shard is still busy with earlier messages:
   *  then its next answer sends it. */
  private scheduleFlush (): void {
    if (this.flushScheduled) return
    this.flushScheduled = true
    setImmediate(() => {
      this.flushScheduled = false
      if (this.messagesInFlight < MAX_MESSAGES_IN_FLIGHT) this.sendOutbox()
    })
  }

  private sendOutbox (): void {
    const count = this.appends.count
    if ((count === 0 && this.ops.length === 0) || this.failure !== null) return
    this.stats.messages++
    this.stats.ops += count + this.ops.length
    this.stats.payloadBytes += this.appends.payloadBytes
    const data = this.appends.take()
    const msg: ToShard = data !== null && this.ops.length === 0 ? data : { kind: 'ops', ops: this.ops, appends: count, data } satisfies OpsMessage
    this.ops = []
    this.messagesInFlight++
    this.port.postMessage(msg, data === null ? [] : [data])
  }

  private receive (msg: FromShard): void {
    if (msg instanceof Float64Array) {
      readResultRows(msg, NO_ERRORS, this.settleRow)
      this.endOps()
      return
    }
    if (msg.kind === 'retention') return this.onRetention(msg.changes)
    this.settle(msg)
  }

  private settle (msg: ResultsMessage): void {
    for (const outcome of msg.results) this.settleControl(outcome)
    if (msg.appended !== null) readResultRows(msg.appended, msg.errors, this.settleRow)
    if (msg.endsOps) this.endOps()
  }

  /** The shard finished running an `ops` message: what waited meanwhile goes out. */
  private endOps (): void {
    this.messagesInFlight--
    if (this.appends.count > 0 || this.ops.length > 0) this.scheduleFlush()
  }

  private settleControl (outcome: ControlOutcome): void {
    const entry = this.take(outcome.id)
    if (outcome.ok) entry.resolve(outcome.value as never)
    else entry.reject(fromWireError(outcome.error))
  }

  private take (id: number): Pending {
    const entry = this.pending.get(id)
    if (entry === undefined) throw new Error(`shard ${this.shardId} answered unknown op ${id}`)
    this.pending.delete(id)
    return entry
  }

  private fail (err: Error): void {
    this.failure ??= err
    this.ops = []
    this.appends.take()
    for (const entry of this.pending.values()) entry.reject(this.failure)
    this.pending.clear()
  }
}
