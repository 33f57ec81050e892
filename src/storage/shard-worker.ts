// A shard: one worker thread and the ONLY writer of its partitions' logs. Appends, rolls, flushes,
// truncation and retention all run here; the network thread reads the same logs through its own
// attached handles (the native core is one per process) and never writes.
//
// piscina runs `startShard` once as the thread's only task; after that the shard lives on the port it
// was handed. The pool must run with `atomics: 'disabled'`: piscina's default parks an idle worker in
// Atomics.wait, which would starve both this port and the retention timer.
import { NativeLog, StoreError, type AppendResult, type LogConfig } from './native.js'
import type { ControlOp, ControlOutcome, ControlValues, FromShard, InitMessage, LogId, OpenedLog, OpsMessage, RetentionChange, ToShard, WireError } from './messages.js'
import { APPEND_ROW, batchesOf, readAppendRows, type AppendRequest } from './append-rows.js'
import { toWireError } from './wire-error.js'
import { ShardLifecycle } from './shard-lifecycle.js'
import { TurnRows } from './group-commit.js'
import type { ResultRowWriter } from './append-rows.js'
import { singleBatch } from './producer-batch.js'
import { replayProducers, writeSnapshot } from './producer-replay.js'
import type { AbortedTxn, ProducerState, TxnAppendResult } from './producer-state.js'

/** `aborted` is kept here too (the main thread has its own copy) for the snapshot a clean close writes. */
interface OpenLog { dir: string; native: NativeLog; producers: ProducerState; aborted: AbortedTxn[] }

class Shard {
  private readonly logs = new Map<LogId, OpenLog>()
  private readonly retentionTimer: NodeJS.Timeout
  private readonly lifecycle: ShardLifecycle

  constructor (private readonly init: InitMessage) {
    this.lifecycle = new ShardLifecycle(this.logs, (rows) => { this.answerLater(rows) }, (changes) => { this.post({ kind: 'retention', changes }) }, init.cleanerBackoffMs)
    this.retentionTimer = setInterval(() => { this.checkRetention(Date.now()) }, init.retentionCheckIntervalMs)
  }

  /**
   * Runs a message's appends and control ops merged in id (= issue) order; answers in one message.
   * Plain appends (no producer id) to one log with the same options are written together, in one
   * native call and one system call (NativeLog.appendManyAt), when nothing but other logs' appends comes
   * between them: a producer's append to the log, or any control op, writes the waiting group first.
   */
  run (msg: OpsMessage): void {
    const appends = msg.data === null ? [] : readAppendRows(msg.data, msg.appends)
    const appended = new TurnRows()
    const groups = new AppendGroups((log, reqs) => { this.lifecycle.counted(log, appended, () => { this.appendGroup(log, reqs, appended) }) })
    const results: ControlOutcome[] = []
    let a = 0
    let c = 0
    while (a < appends.length || c < msg.ops.length) {
      const append = appends[a]
      const op = msg.ops[c]
      if (append !== undefined && (op === undefined || append.id < op.id)) {
        if (!groups.add(append)) this.lifecycle.counted(append.log, appended, () => { this.append(append, appended) })
        a++
      } else if (op !== undefined) {
        groups.writeAll()
        if (op.kind === 'clean') this.cleanThenAnswer(op.id, op.log, op.nowMs)
        else results.push(this.control(op))
        c++
      }
    }
    groups.writeAll()
    this.lifecycle.flushDue(Date.now(), appended)
    const rows = appended.take()
    const transfer = rows === null ? [] : [rows.buffer as ArrayBuffer]
    if (rows !== null && results.length === 0 && appended.errors.length === 0) this.post(rows, transfer)
    else this.post({ kind: 'results', results, appended: rows, errors: appended.errors, endsOps: true }, transfer)
  }

  /** Plain appends (no producer id) to one log, written in one call straight from the sender's memory. */
  private appendGroup (id: LogId, reqs: AppendRequest[], out: TurnRows): void {
    try {
      const log = this.log(id)
      const spans = new Float64Array(2 * reqs.length)
      reqs.forEach((r, i) => {
        spans[2 * i] = r.address
        spans[2 * i + 1] = r.length
      })
      const outcomes = log.native.appendManyAt(spans, reqs.length, reqs[0]!.opts)
      const firstUnstable = log.producers.firstUnstableOffset()
      outcomes.forEach((o, i) => {
        const req = reqs[i]!
        if (o instanceof Error) out.failed(req.id, toWireError(o, `append to ${log.dir}`))
        else out.ok(req.id, withTxnState(o, firstUnstable, -1))
      })
    } catch (err) {
      for (const req of reqs) out.failed(req.id, toWireError(err, `append to ${this.describe(id)}`))
    }
  }

  /** An append whose batches carry a producer id (AppendGroups writes the others). */
  private append (req: AppendRequest, out: TurnRows): void {
    try {
      this.appendForProducer(this.log(req.log), req, out)
    } catch (err) {
      out.failed(req.id, toWireError(err, `append to ${this.describe(req.log)}`))
    }
  }

  /** Sequence checks and the append with nothing in between: this shard is the partition's only writer.
   *  A producer's request carries one batch (Kafka's clients send one per partition); more is refused,
   *  as the checks of later batches would depend on earlier ones that might still fail validation. */
  private appendForProducer (log: OpenLog, req: AppendRequest, out: TurnRows): void {
    const batches = batchesOf(req)
    const batch = singleBatch(batches)
    if (batch === null) throw new StoreError('INVALID_RECORD', 'an idempotent or transactional append must carry exactly one record batch')
    if (batch.controlType >= 0 && req.opts.allowControl !== true) throw new StoreError('INVALID_RECORD', 'clients may not write control batches')
    const duplicate = log.producers.check(batch)
    if (duplicate !== null) {
      out.ok(req.id, withTxnState({ ...duplicate, logStartOffset: log.native.logStartOffset() }, log.producers.firstUnstableOffset(), -1))
      return
    }
    const appended = log.native.append(batches, req.opts)
    const aborted = log.producers.record(batch, appended, req.opts.nowMs)
    if (aborted !== null) log.aborted.push(aborted)
    out.ok(req.id, withTxnState(appended, log.producers.firstUnstableOffset(), aborted?.firstOffset ?? -1))
  }

  /** A compaction pass runs in steps between later messages (shard-lifecycle.ts); its answer comes
   *  in a results message of its own. */
  private cleanThenAnswer (id: number, log: LogId, nowMs: number): void {
    try {
      this.log(log)
    } catch (err) {
      this.post({ kind: 'results', results: [{ id, ok: false, error: toWireError(err, `clean ${this.describe(log)}`) }], appended: null, errors: [], endsOps: false })
      return
    }
    this.lifecycle.clean(log, nowMs, (outcome) => {
      this.post({ kind: 'results', results: [{ id, ...outcome }], appended: null, errors: [], endsOps: false })
    })
  }

  private control (op: ControlOp): ControlOutcome {
    try {
      return { id: op.id, ok: true, value: this.apply(op) }
    } catch (err) {
      return { id: op.id, ok: false, error: toWireError(err, 'log' in op && op.log !== null ? `${op.kind} ${this.describe(op.log)}` : op.kind) }
    }
  }

  private apply (op: ControlOp): ControlValues[keyof ControlValues] {
    switch (op.kind) {
      case 'open': this.lifecycle.configure(op.log, op.config); return this.open(op.log, op.dir, op.config)
      case 'setConfig': this.log(op.log).native.setConfig(op.config); this.lifecycle.configure(op.log, op.config); return null
      case 'truncateTo': this.log(op.log).native.truncateTo(op.offset); return null
      case 'advanceLogStart': return this.log(op.log).native.advanceLogStart(op.offset)
      case 'assignEpoch': this.log(op.log).native.assignEpoch(op.epoch, op.startOffset); return null
      case 'flush': this.flush(op.log); return null
      case 'delete': this.log(op.log).native.delete(); this.logs.delete(op.log); this.lifecycle.forget(op.log); return null
      case 'clean': throw new Error('clean is answered when its pass ends (cleanThenAnswer)')
      case 'closeAll': this.closeAll(); return null
      case 'producers': return this.log(op.log).producers.producersView()
    }
  }

  private open (id: LogId, dir: string, config: LogConfig): OpenedLog {
    const native = NativeLog.open(dir, config)
    const { producers, aborted } = replayProducers(native, dir)
    this.logs.set(id, { dir, native, producers, aborted })
    return { recovery: native.recovery, firstUnstableOffset: producers.firstUnstableOffset(), aborted: [...aborted] }
  }

  private log (id: LogId): OpenLog {
    const log = this.logs.get(id)
    if (log === undefined) throw new StoreError('UNKNOWN_PARTITION', `log ${id} is not open on shard ${this.init.shardId}`)
    return log
  }

  private describe (id: LogId): string {
    return this.logs.get(id)?.dir ?? `log ${id}`
  }

  private flush (id: LogId | null): void {
    if (id !== null) return this.log(id).native.flush()
    for (const log of this.logs.values()) log.native.flush()
  }

  /** Closes every log even if one fails; the first failure is rethrown once all are released. */
  private closeAll (): void {
    clearInterval(this.retentionTimer)
    this.lifecycle.stop()
    let failure: unknown = null
    const failed = new Map<LogId, WireError>()
    for (const [id, log] of this.logs) {
      try {
        writeSnapshot(log.dir, log.native, log.producers, log.aborted)
        log.native.close()
      } catch (err) {
        failure ??= err
        failed.set(id, toWireError(err, `close of ${log.dir}`))
      }
    }
    this.logs.clear()
    this.lifecycle.closed(failed)
    if (failure !== null) throw failure
  }

  /** Answers appends that waited for an fsync, in a results message of their own. */
  private answerLater (rows: ResultRowWriter): void {
    const appended = rows.take()
    if (appended !== null) this.post({ kind: 'results', results: [], appended, errors: rows.errors, endsOps: false }, [appended.buffer as ArrayBuffer])
  }

  private checkRetention (nowMs: number): void {
    const changes: RetentionChange[] = []
    for (const [id, log] of this.logs) {
      log.producers.expire(nowMs, this.init.producerExpirationMs)
      const logStart = log.native.logStartOffset()
      if (log.aborted.length > 0 && log.aborted[0]!.lastOffset < logStart) log.aborted = log.aborted.filter(a => a.lastOffset >= logStart)
      try {
        if (!this.lifecycle.deletes(id)) continue
        const r = log.native.applyRetention(nowMs)
        if (r.deletedSegments > 0) changes.push({ log: id, ...r, error: null })
      } catch (err) {
        changes.push({ log: id, logStartOffset: -1, deletedSegments: 0, deletedBytes: 0, error: toWireError(err, `retention of ${log.dir}`) })
      }
    }
    if (changes.length > 0) this.post({ kind: 'retention', changes })
  }

  private post (msg: FromShard, transfer: ArrayBuffer[] = []): void {
    this.init.port.postMessage(msg, transfer)
  }
}

/** A group's bytes stay below this: a group is one write and one segment's worth of positions. */
const MAX_GROUP_BYTES = 8 * 2 ** 20

/** The plain appends of a message waiting to be written together, per log (see Shard.run). */
class AppendGroups {
  private readonly groups = new Map<LogId, { reqs: AppendRequest[], bytes: number }>()

  constructor (private readonly write: (log: LogId, reqs: AppendRequest[]) => void) {}

  /** Adds a plain append to its log's group; false (after writing that group) when `req` must run
   *  alone: it has a producer id. */
  add (req: AppendRequest): boolean {
    const group = this.groups.get(req.log)
    const plain = !req.producer
    if (group !== undefined && plain && sameOptions(group.reqs[0]!.opts, req.opts) && group.bytes + req.length <= MAX_GROUP_BYTES) {
      group.reqs.push(req)
      group.bytes += req.length
      return true
    }
    if (group !== undefined) {
      this.groups.delete(req.log)
      this.write(req.log, group.reqs)
    }
    if (plain) this.groups.set(req.log, { reqs: [req], bytes: req.length })
    return plain
  }

  writeAll (): void {
    for (const [log, group] of this.groups) this.write(log, group.reqs)
    this.groups.clear()
  }
}

function sameOptions (a: AppendRequest['opts'], b: AppendRequest['opts']): boolean {
  return a.leaderEpoch === b.leaderEpoch && a.logAppendTimeMs === b.logAppendTimeMs && a.allowControl === b.allowControl
}

/** The native result object gains the partition's transaction state in place: no copy per append. */
function withTxnState (r: AppendResult, firstUnstableOffset: number, abortedFirstOffset: number): TxnAppendResult {
  const out = r as TxnAppendResult
  out.firstUnstableOffset = firstUnstableOffset
  out.abortedFirstOffset = abortedFirstOffset
  return out
}

const APPEND_ROW_BYTES = APPEND_ROW * Float64Array.BYTES_PER_ELEMENT

export default function startShard (init: InitMessage): void {
  const shard = new Shard(init)
  init.port.on('message', (msg: ToShard) => {
    shard.run(msg instanceof ArrayBuffer ? { kind: 'ops', ops: [], appends: msg.byteLength / APPEND_ROW_BYTES, data: msg } : msg)
  })
}
