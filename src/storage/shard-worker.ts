// A shard: one worker thread and the ONLY writer of its partitions' logs. Appends, rolls, flushes,
// truncation and retention all run here; the network thread reads the same logs through its own
// attached handles (the native core is one per process) and never writes.
//
// piscina runs `startShard` once as the thread's only task; after that the shard lives on the port it
// was handed. The pool must run with `atomics: 'disabled'`: piscina's default parks an idle worker in
// Atomics.wait, which would starve both this port and the retention timer.
import { join } from 'node:path'
import { NativeLog, StoreError, type LogConfig, type RecoveryReport } from './native.js'
import type { FromShard, InitMessage, LogName, OpOutcome, OpsMessage, OpValues, RetentionChange, ShardOp } from './messages.js'
import { toWireError } from './wire-error.js'

class Shard {
  private readonly logs = new Map<LogName, NativeLog>()
  private readonly retentionTimer: NodeJS.Timeout

  constructor (private readonly init: InitMessage) {
    this.retentionTimer = setInterval(() => { this.checkRetention(Date.now()) }, init.retentionCheckIntervalMs)
  }

  /** Runs a turn's ops in order and answers them in one message. */
  run (msg: OpsMessage): void {
    const results = msg.ops.map((op) => this.outcome(op, msg.data))
    this.post({ kind: 'results', results })
  }

  private outcome (op: ShardOp, data: ArrayBuffer | null): OpOutcome {
    try {
      return { id: op.id, ok: true, value: this.apply(op, data) }
    } catch (err) {
      return { id: op.id, ok: false, error: toWireError(err) }
    }
  }

  private apply (op: ShardOp, data: ArrayBuffer | null): OpValues[keyof OpValues] {
    switch (op.kind) {
      case 'open': return this.open(op.log, op.config)
      case 'append':
        if (data === null) throw new Error(`append to ${op.log} arrived without a payload`)
        return this.log(op.log).append(Buffer.from(data, op.start, op.length), op.opts)
      case 'setConfig': this.log(op.log).setConfig(op.config); return null
      case 'truncateTo': this.log(op.log).truncateTo(op.offset); return null
      case 'advanceLogStart': return this.log(op.log).advanceLogStart(op.offset)
      case 'assignEpoch': this.log(op.log).assignEpoch(op.epoch, op.startOffset); return null
      case 'flush': this.flush(op.log); return null
      case 'delete': this.log(op.log).delete(); this.logs.delete(op.log); return null
      case 'closeAll': this.closeAll(); return null
    }
  }

  private open (name: LogName, config: LogConfig): RecoveryReport {
    const log = NativeLog.open(join(this.init.dataDir, name), config)
    this.logs.set(name, log)
    return log.recovery
  }

  private log (name: LogName): NativeLog {
    const log = this.logs.get(name)
    if (log === undefined) throw new StoreError('UNKNOWN_PARTITION', `${name} is not open on shard ${this.init.shardId}`)
    return log
  }

  private flush (name: LogName | null): void {
    if (name !== null) return this.log(name).flush()
    for (const log of this.logs.values()) log.flush()
  }

  /** Closes every log even if one fails; the first failure is rethrown once all are released. */
  private closeAll (): void {
    clearInterval(this.retentionTimer)
    let failure: unknown = null
    for (const log of this.logs.values()) {
      try {
        log.close()
      } catch (err) {
        failure ??= err
      }
    }
    this.logs.clear()
    if (failure !== null) throw failure
  }

  private checkRetention (nowMs: number): void {
    const changes: RetentionChange[] = []
    for (const [name, log] of this.logs) {
      try {
        const r = log.applyRetention(nowMs)
        if (r.deletedSegments > 0) changes.push({ log: name, ...r, error: null })
      } catch (err) {
        changes.push({ log: name, logStartOffset: -1, deletedSegments: 0, deletedBytes: 0, error: toWireError(err) })
      }
    }
    if (changes.length > 0) this.post({ kind: 'retention', changes })
  }

  private post (msg: FromShard): void {
    this.init.port.postMessage(msg)
  }
}

export default function startShard (init: InitMessage): void {
  const shard = new Shard(init)
  init.port.on('message', (msg: OpsMessage) => { shard.run(msg) })
}
