// A shard's data lifecycle beside its appends: the flush policy with group commit (group-commit.ts),
// the compaction schedule, and which logs retention may delete from (cleanup.policy).
//
// Compaction runs in steps (cleaner.ts, cleanSteps), one per macrotask, so a pass over a large log
// lets the shard's appends and ops run between its steps instead of stalling them for its length.
//
// Group commit: the shard runs a turn's appends through `counted`, then calls `flushDue` before it
// answers; the answers that must wait for an fsync are answered later, in a message of their own.
import type { NativeLog, LifecycleConfig, LogConfig } from './native.js'
import type { LogId, RetentionChange, WireError } from './messages.js'
import type { ResultRowWriter } from './append-rows.js'
import type { FlushLimits } from './flush-policy.js'
import { GroupCommit, type TurnRows } from './group-commit.js'
import { cleanSteps, type CleanResult } from './cleaner.js'
import type { AbortedTxn, ProducerState } from './producer-state.js'
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

/** `aborted` is the shard's list for the log: a pass reads it and drops what it emptied. */
interface LifecycleLog { dir: string, native: NativeLog, producers: ProducerState, aborted: AbortedTxn[] }

/** How a compaction pass ended: its result, or the failure as it crosses threads. */
export type CleanOutcome = { ok: true, value: CleanResult | null } | { ok: false, error: WireError }

export class ShardLifecycle {
  private readonly configs = new Map<LogId, LifecycleConfig>()
  /** segment.bytes of each log: compaction merges cleaned segments up to it. */
  private readonly segmentBytes = new Map<LogId, number>()
  private readonly commits: GroupCommit
  private readonly cleanerTimer: NodeJS.Timeout
  /** Passes under way, with whoever waits for each. */
  private readonly cleaning = new Map<LogId, Array<(outcome: CleanOutcome) => void>>()
  /** Per log, the earliest delete horizon of a marker its last pass kept (see Compaction.horizonDueMs). */
  private readonly horizons = new Map<LogId, number>()
  private stopped = false

  /** `answer` posts answers that waited for an fsync; `report` failures nobody waited for. */
  constructor (
    private readonly logs: ReadonlyMap<LogId, LifecycleLog>,
    answer: (rows: ResultRowWriter) => void,
    private readonly report: (changes: RetentionChange[]) => void,
    cleanerBackoffMs = CLEANER_BACKOFF_MS
  ) {
    this.commits = new GroupCommit(logs, answer, report)
    this.cleanerTimer = setInterval(() => { this.cleanAll(Date.now()) }, cleanerBackoffMs)
  }

  configure (id: LogId, config: LogConfig): void {
    this.configs.set(id, config.lifecycle ?? DEFAULTS)
    this.segmentBytes.set(id, config.segmentBytes)
  }

  forget (id: LogId): void {
    this.configs.delete(id)
    this.segmentBytes.delete(id)
    this.commits.forget(id)
    this.horizons.delete(id)
  }

  /** Whether retention by time and size applies (cleanup.policy has `delete`). */
  deletes (id: LogId): boolean { return this.config(id).cleanupPolicy !== 'compact' }

  /** Runs one append of a turn and counts the records it added, for the flush policy. */
  counted (id: LogId, rows: TurnRows, append: () => void): void {
    this.commits.counted(id, rows, this.limits(id), append)
  }

  /** Starts the fsyncs due and writes the turn's answers that need not wait for them. */
  flushDue (nowMs: number, rows: TurnRows): void { this.commits.endTurn(nowMs, rows) }

  /** The shard closed its logs (`failed`: those whose close failed): answers whatever still waits. */
  closed (failed: ReadonlyMap<LogId, WireError>): void { this.commits.closed(failed) }

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
    const txns = { aborted: log.aborted, firstUnstableOffset: log.producers.firstUnstableOffset(), lastDataOffset: (pid: number) => log.producers.lastDataOffset(pid) }
    const steps = cleanSteps(log.native, log.dir, { ...this.config(id), txns, horizonDueMs: this.horizons.get(id), maxSegmentBytes: this.segmentBytes.get(id) }, nowMs)
    const finish = (outcome: CleanOutcome): void => {
      if (outcome.ok && outcome.value !== null) this.passed(id, log, outcome.value)
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
    this.commits.stop()
  }

  private cleanAll (nowMs: number): void {
    for (const id of this.logs.keys()) {
      if (this.config(id).cleanupPolicy === 'delete' || this.cleaning.has(id)) continue
      this.clean(id, nowMs, (outcome) => {
        if (!outcome.ok) this.report([{ log: id, logStartOffset: -1, deletedSegments: 0, deletedBytes: 0, error: outcome.error }])
      })
    }
  }

  /** After a pass: its emptied aborted transactions leave the shard's list and, in a report that
   *  reaches the main thread before the pass's own answer, the store's. */
  private passed (id: LogId, log: LifecycleLog, result: CleanResult): void {
    if (Number.isFinite(result.nextHorizonMs)) this.horizons.set(id, result.nextHorizonMs)
    else this.horizons.delete(id)
    if (result.emptiedAborts.length === 0) return
    const emptied = new Set(result.emptiedAborts)
    log.aborted = log.aborted.filter((a) => !emptied.has(a.lastOffset))
    this.report([{ log: id, logStartOffset: -1, deletedSegments: 0, deletedBytes: 0, error: null, emptiedAborts: result.emptiedAborts }])
  }

  private config (id: LogId): LifecycleConfig { return this.configs.get(id) ?? DEFAULTS }

  private limits (id: LogId): FlushLimits {
    const { flushMessages, flushMs } = this.config(id)
    return { flushMessages, flushMs }
  }
}
