// A shard's data lifecycle beside its appends: the flush policy with group commit, the compaction
// schedule, and which logs retention may delete from (cleanup.policy).
//
// Compaction runs in steps (cleaner.ts, cleanSteps), one per macrotask, so a pass over a large log
// lets the shard's appends and ops run between its steps instead of stalling them for its length.
//
// Group commit: the shard runs a turn's appends through `counted`, then calls `flushDue` before it
// answers. Every log due is fsynced once for all of the turn's appends, and the answers wait in
// TurnRows until then: an append whose fsync failed is answered with that failure, never acked.
import type { NativeLog, LifecycleConfig, LogConfig } from './native.js'
import type { LogId, RetentionChange, WireError } from './messages.js'
import { ResultRowWriter } from './append-rows.js'
import { FlushPolicy, type FlushLimits } from './flush-policy.js'
import { cleanSteps, type CleanResult } from './cleaner.js'
import { toWireError } from './wire-error.js'

/** Kafka's log.cleaner.backoff.ms default: how often a shard looks for logs to compact. */
export const CLEANER_BACKOFF_MS = 15_000

const NEVER = Number.MAX_SAFE_INTEGER
const DEFAULTS: LifecycleConfig = {
  cleanupPolicy: 'delete',
  deleteRetentionMs: 86_400_000,
  minCompactionLagMs: 0,
  maxCompactionLagMs: NEVER,
  minCleanableDirtyRatio: 0.5,
  flushMessages: NEVER,
  flushMs: NEVER
}

type AppendOutcome = Parameters<ResultRowWriter['ok']>[1]

/** A turn's append answers, held until the turn's fsyncs are done. */
export class TurnRows extends ResultRowWriter {
  /** The log of the append being run (set by ShardLifecycle.counted). */
  current: LogId = -1
  private readonly pending: Array<{ id: number, log: LogId, result: AppendOutcome | null, error: WireError | null }> = []

  override ok (id: number, result: AppendOutcome): void { this.pending.push({ id, log: this.current, result, error: null }) }
  override failed (id: number, error: WireError): void { this.pending.push({ id, log: this.current, result: null, error }) }

  /** Writes the held answers, turning the successes on a log whose fsync failed into that failure. */
  settle (unsynced: ReadonlyMap<LogId, WireError>): void {
    for (const p of this.pending) {
      const error = p.error ?? unsynced.get(p.log) ?? null
      if (error !== null) super.failed(p.id, error)
      else if (p.result !== null) super.ok(p.id, p.result)
    }
    this.pending.length = 0
  }
}

interface LifecycleLog { dir: string, native: NativeLog }

/** How a compaction pass ended: its result, or the failure as it crosses threads. */
export type CleanOutcome = { ok: true, value: CleanResult | null } | { ok: false, error: WireError }

export class ShardLifecycle {
  private readonly configs = new Map<LogId, LifecycleConfig>()
  private readonly flushes: FlushPolicy
  private readonly cleanerTimer: NodeJS.Timeout
  /** Passes under way, with whoever waits for each. */
  private readonly cleaning = new Map<LogId, Array<(outcome: CleanOutcome) => void>>()
  private stopped = false

  constructor (private readonly logs: ReadonlyMap<LogId, LifecycleLog>, private readonly report: (changes: RetentionChange[]) => void) {
    this.flushes = new FlushPolicy(() => { this.flushDue(Date.now(), null) })
    this.cleanerTimer = setInterval(() => { this.cleanAll(Date.now()) }, CLEANER_BACKOFF_MS)
  }

  configure (id: LogId, config: LogConfig): void { this.configs.set(id, config.lifecycle ?? DEFAULTS) }

  forget (id: LogId): void {
    this.configs.delete(id)
    this.flushes.forget(id)
  }

  /** Whether retention by time and size applies (cleanup.policy has `delete`). */
  deletes (id: LogId): boolean { return this.config(id).cleanupPolicy !== 'compact' }

  /** Runs one append of a turn and counts the records it added, for flush.messages. flush.ms runs on
   *  the shard's clock, not the append's (a caller's nowMs may be stale or skewed). */
  counted (id: LogId, rows: TurnRows, append: () => void): void {
    const log = this.logs.get(id)
    const before = log?.native.highWatermark() ?? 0
    rows.current = id
    append()
    const added = log === undefined ? 0 : log.native.highWatermark() - before
    if (added > 0) this.flushes.appended(id, added, Date.now(), this.limits(id))
  }

  /** fsyncs every log the flush policy says is due, then settles the turn's answers (if any). */
  flushDue (nowMs: number, rows: TurnRows | null): void {
    const failed = new Map<LogId, WireError>()
    for (const id of this.flushes.due(nowMs)) {
      const log = this.logs.get(id)
      try {
        log?.native.flush()
      } catch (err) {
        failed.set(id, toWireError(err, `flush of ${log?.dir ?? `log ${id}`}`))
      }
    }
    rows?.settle(failed)
    if (rows === null && failed.size > 0) {
      this.report([...failed].map(([log, error]) => ({ log, logStartOffset: -1, deletedSegments: 0, deletedBytes: 0, error })))
    }
  }

  /** Runs a cleaner pass over a log, whatever its cleanup.policy says, and calls `done` at its end;
   *  joins the pass under way if there is one. */
  clean (id: LogId, nowMs: number, done: (outcome: CleanOutcome) => void): void {
    const waiting = this.cleaning.get(id)
    if (waiting !== undefined) {
      waiting.push(done)
      return
    }
    const log = this.logs.get(id)
    if (log === undefined) {
      done({ ok: true, value: null })
      return
    }
    this.cleaning.set(id, [done])
    const steps = cleanSteps(log.native, log.dir, this.config(id), nowMs)
    const finish = (outcome: CleanOutcome): void => {
      const waiters = this.cleaning.get(id) ?? []
      this.cleaning.delete(id)
      for (const w of waiters) w(outcome)
    }
    const step = (): void => {
      try {
        if (this.stopped || this.logs.get(id) !== log) throw new Error(`${log.dir} was closed during compaction`)
        const next = steps.next()
        if (next.done === true) finish({ ok: true, value: next.value })
        else setImmediate(step)
      } catch (err) {
        finish({ ok: false, error: toWireError(err, `compaction of ${log.dir}`) })
      }
    }
    step()
  }

  stop (): void {
    this.stopped = true
    clearInterval(this.cleanerTimer)
    this.flushes.stop()
  }

  private cleanAll (nowMs: number): void {
    for (const id of this.logs.keys()) {
      if (this.config(id).cleanupPolicy === 'delete' || this.cleaning.has(id)) continue
      this.clean(id, nowMs, (outcome) => {
        if (!outcome.ok) this.report([{ log: id, logStartOffset: -1, deletedSegments: 0, deletedBytes: 0, error: outcome.error }])
      })
    }
  }

  private config (id: LogId): LifecycleConfig { return this.configs.get(id) ?? DEFAULTS }

  private limits (id: LogId): FlushLimits {
    const { flushMessages, flushMs } = this.config(id)
    return { flushMessages, flushMs }
  }
}
