// The network thread's end of one shard: owns the shard's piscina pool, queues the ops of the current
// event-loop turn, sends them as one message, and settles each op's promise from the shard's answer.
//
// Decisions, measured with bench/storage-hop.ts (2 vCPU AMD EPYC VM, Node 20.20, piscina 5.3.2,
// one message = 4 x 16 KiB batches, echo worker):
// - Channel: a MessagePort handed to the worker in piscina's first task, not piscina's task API.
//     piscina task, one at a time: p50 93 µs;  64 in flight: 39 µs per message
//     MessagePort,  one at a time: p50 36 µs;  64 in flight: 23 µs per message
//   piscina still owns the thread's life (start, pinning, destroy). The port also carries the shard's
//   unsolicited retention reports, which the task API cannot.
// - Payload: the turn's batches are copied into ONE new ArrayBuffer which is transferred (23 µs per
//   message). Structured clone of the socket-buffer slices costs 55 µs (cloning a view copies its whole
//   backing buffer); cloning one fresh copy costs 34 µs.
// - Flush on setImmediate, not queueMicrotask: socket reads run as separate callbacks with a microtask
//   drain between them, so a microtask flush sends one message per connection. With 16 connections
//   appending in one turn: setImmediate 1 message per turn, 4.1 µs per append; microtask 16 messages,
//   27 µs per append. One connection: the same (p50 41 vs 39 µs).
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { Piscina } from 'piscina'
import { StoreError, type AppendOptions, type AppendResult } from './native.js'
import type { FromShard, InitMessage, LogName, OpOutcome, OpValues, RetentionChange, ShardOp } from './messages.js'
import { fromWireError } from './wire-error.js'
import { shardWorkerFile } from './worker-file.js'

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
/** Any op but an append, without its id (the channel numbers ops). */
export type ControlOp = DistributiveOmit<Exclude<ShardOp, { kind: 'append' }>, 'id'>

interface Pending { op: ShardOp; resolve: (value: never) => void; reject: (err: Error) => void }

export interface ShardStats { messages: number; ops: number; payloadBytes: number }

export interface ShardChannelOptions {
  shardId: number
  dataDir: string
  retentionCheckIntervalMs: number
  onRetention: (changes: RetentionChange[]) => void
}

export class ShardChannel {
  readonly stats: ShardStats = { messages: 0, ops: 0, payloadBytes: 0 }
  private outbox: ShardOp[] = []
  private payloads: Buffer[] = []
  private payloadBytes = 0
  private flushScheduled = false
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  /** Set once the shard thread is gone; every later request fails with it. */
  private failure: Error | null = null

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

  static async start (opts: ShardChannelOptions): Promise<ShardChannel> {
    const worker = shardWorkerFile()
    // One pinned thread per shard: piscina would otherwise recycle idle workers and move partitions.
    const pool = new Piscina({ ...worker, minThreads: 1, maxThreads: 1, idleTimeout: Infinity, atomics: 'disabled' })
    const { port1, port2 } = new MessageChannel()
    const init: InitMessage = { kind: 'init', port: port2, shardId: opts.shardId, dataDir: opts.dataDir, retentionCheckIntervalMs: opts.retentionCheckIntervalMs }
    await pool.run(init, { transferList: [port2] })
    return new ShardChannel(opts.shardId, pool, port1, opts.onRetention)
  }

  /** Queues an append for this turn's message. `batches` is copied when the turn is flushed. */
  async append (log: LogName, batches: Buffer, opts: AppendOptions): Promise<AppendResult> {
    const start = this.payloadBytes
    this.payloads.push(batches)
    this.payloadBytes += batches.length
    return await this.enqueue({ kind: 'append', id: this.nextId++, log, start, length: batches.length, opts })
  }

  async send<Op extends ControlOp> (op: Op): Promise<OpValues[Op['kind']]> {
    return await this.enqueue({ ...op, id: this.nextId++ } as ShardOp)
  }

  /** Stops the thread. The caller has closed the logs (`closeAll`) and awaited it. */
  async stop (): Promise<void> {
    this.port.close()
    await this.pool.destroy()
  }

  private async enqueue<T> (op: ShardOp): Promise<T> {
    if (this.failure !== null) throw this.failure
    return await new Promise<T>((resolve, reject) => {
      this.pending.set(op.id, { op, resolve: resolve as (value: never) => void, reject })
      this.outbox.push(op)
      if (!this.flushScheduled) {
        this.flushScheduled = true
        setImmediate(() => { this.flushTurn() })
      }
    })
  }

  private flushTurn (): void {
    this.flushScheduled = false
    if (this.failure !== null) return
    const data = this.payloadBytes > 0 ? new ArrayBuffer(this.payloadBytes) : null
    if (data !== null) {
      const bytes = new Uint8Array(data)
      let at = 0
      for (const payload of this.payloads) {
        bytes.set(payload, at)
        at += payload.length
      }
    }
    const ops = this.outbox
    this.stats.messages++
    this.stats.ops += ops.length
    this.stats.payloadBytes += this.payloadBytes
    this.outbox = []
    this.payloads = []
    this.payloadBytes = 0
    this.port.postMessage({ kind: 'ops', ops, data }, data === null ? [] : [data])
  }

  private receive (msg: FromShard): void {
    if (msg.kind === 'retention') return this.onRetention(msg.changes)
    for (const outcome of msg.results) this.settle(outcome)
  }

  private settle (outcome: OpOutcome): void {
    const entry = this.pending.get(outcome.id)
    if (entry === undefined) throw new Error(`shard ${this.shardId} answered unknown op ${outcome.id}`)
    this.pending.delete(outcome.id)
    if (outcome.ok) entry.resolve(outcome.value as never)
    else entry.reject(fromWireError(outcome.error, describe(entry.op)))
  }

  private fail (err: Error): void {
    this.failure ??= err
    this.outbox = []
    this.payloads = []
    this.payloadBytes = 0
    for (const entry of this.pending.values()) entry.reject(this.failure)
    this.pending.clear()
  }
}

function describe (op: ShardOp): string {
  return 'log' in op && op.log !== null ? `${op.kind} ${op.log}` : op.kind
}
