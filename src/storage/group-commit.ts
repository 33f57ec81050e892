// A shard's fsyncs, off its critical path. The flush policy (flush-policy.ts) says which logs are due;
// their fsyncs run as one native job on a pool thread (NativeLog.flushAsync) while the shard keeps
// appending to every log, this one included, and answering. One job at a time per shard: it covers
// every log due when it starts (group commit), and the logs that fall due while it runs go in the next
// job, started as soon as it ends.
//
// Which answers wait for an fsync: the append that takes its log to flush.messages, with the other
// answers of that turn on that log, waits for a job that started after it (so flush.messages=1 is
// strict: an acknowledged record is on disk), and so does an idempotent duplicate of a batch whose
// answer still waits (the original is not on disk yet). An fsync that fails turns the answers it
// covered into that failure, never into acks. Nothing else waits: flush.ms and appends below
// flush.messages are answered at once.
import { NativeLog, type StoreError } from './native.js'
import type { LogId, RetentionChange, WireError } from './messages.js'
import { ResultRowWriter } from './append-rows.js'
import { FlushPolicy, type FlushLimits } from './flush-policy.js'
import { toWireError } from './wire-error.js'

type AppendOutcome = Parameters<ResultRowWriter['ok']>[1]

interface TurnAnswer { id: number, log: LogId, result: AppendOutcome | null, error: WireError | null, added: number }

/** A turn's append answers, collected until the turn's end decides which wait for an fsync. */
export class TurnRows extends ResultRowWriter {
  /** The log of the append being run (set by GroupCommit.counted). */
  current: LogId = -1
  private readonly answers: TurnAnswer[] = []

  override ok (id: number, result: AppendOutcome): void { this.answers.push({ id, log: this.current, result, error: null, added: 0 }) }
  override failed (id: number, error: WireError): void { this.answers.push({ id, log: this.current, result: null, error, added: 0 }) }

  get answered (): number { return this.answers.length }

  /** Notes the records added to their log by the answers from index `from` on, `records` in all
   *  (0 for an answer: failed, or a duplicate). */
  noteAdded (from: number, records: number): void {
    const added = this.answers.slice(from)
    if (added.length === 1) added[0]!.added = records
    else for (const a of added) a.added = a.result === null ? 0 : a.result.lastOffset - a.result.baseOffset + 1
  }

  /** Writes the answers that `hold` does not keep back. */
  settle (hold: (a: TurnAnswer) => boolean): void {
    for (const a of this.answers) {
      if (hold(a)) continue
      if (a.error !== null) super.failed(a.id, a.error)
      else if (a.result !== null) super.ok(a.id, a.result)
    }
    this.answers.length = 0
  }
}

/** An answer waiting until its log is on disk up to `needs` (the offset after its last record). */
interface Held { id: number, result: AppendOutcome, needs: number }

interface CommitLog { dir: string, native: NativeLog }

export class GroupCommit {
  private readonly policy: FlushPolicy
  /** Logs due for an fsync that no job has started on yet. */
  private readonly wanted = new Set<LogId>()
  private readonly held = new Map<LogId, Held[]>()
  /** Logs that reached flush.messages in the current turn: their answers of the turn wait. */
  private readonly crossed = new Set<LogId>()
  private running = false

  constructor (
    private readonly logs: ReadonlyMap<LogId, CommitLog>,
    private readonly answer: (rows: ResultRowWriter) => void,
    private readonly report: (changes: RetentionChange[]) => void
  ) {
    this.policy = new FlushPolicy(() => { this.endTurn(Date.now(), null) })
  }

  /** Runs one append (or a group of appends to one log) of a turn and counts the records it added.
   *  flush.ms runs on the shard's clock, not the append's (a caller's nowMs may be stale or skewed). */
  counted (id: LogId, rows: TurnRows, limits: FlushLimits, append: () => void): void {
    const log = this.logs.get(id)
    const before = log?.native.highWatermark() ?? 0
    const from = rows.answered
    rows.current = id
    append()
    const added = log === undefined ? 0 : log.native.highWatermark() - before
    rows.noteAdded(from, added)
    if (added > 0 && this.policy.appended(id, added, Date.now(), limits)) this.crossed.add(id)
  }

  /** The turn's appends are written: starts the fsyncs due and answers what need not wait for them. */
  endTurn (nowMs: number, rows: TurnRows | null): void {
    for (const id of this.policy.due(nowMs)) this.wanted.add(id)
    rows?.settle((a) => {
      if (a.result === null) return false
      if (!this.crossed.has(a.log) && !(a.added === 0 && this.held.has(a.log))) return false
      this.hold(a.log, { id: a.id, result: a.result, needs: a.result.lastOffset + 1 })
      return true
    })
    this.crossed.clear()
    this.startJob()
  }

  /** The logs were closed (each synced by its close, unless it is in `failed`): every waiting
   *  answer goes out now, as the shard is about to stop. */
  closed (failed: ReadonlyMap<LogId, WireError>): void {
    this.policy.stop()
    const out = new ResultRowWriter()
    for (const [id, held] of this.held) {
      const error = failed.get(id)
      for (const h of held) {
        if (error === undefined) out.ok(h.id, h.result)
        else out.failed(h.id, error)
      }
    }
    this.held.clear()
    this.wanted.clear()
    this.answer(out)
  }

  forget (id: LogId): void { this.policy.forget(id) }

  stop (): void { this.policy.stop() }

  private hold (id: LogId, h: Held): void {
    const held = this.held.get(id)
    if (held === undefined) this.held.set(id, [h])
    else held.push(h)
    this.wanted.add(id)
  }

  private startJob (): void {
    if (this.running || this.wanted.size === 0) return
    const ids = [...this.wanted]
    this.wanted.clear()
    const out = new ResultRowWriter()
    // A log closed or deleted since: a close synced it; a deleted log's answers no longer matter.
    for (const id of ids) if (!this.logs.has(id)) this.release(id, Infinity, null, out)
    const open = ids.filter((id) => this.logs.has(id))
    this.answer(out)
    if (open.length === 0) return
    const logs = open.map((id) => this.logs.get(id)!)
    // What the job covers: every record appended before flushAsync captures the logs' files.
    const covers = logs.map((log) => log.native.highWatermark())
    this.running = true
    NativeLog.flushAsync(logs.map((log) => log.native), (errors) => { this.jobEnded(open, logs, covers, errors) })
  }

  private jobEnded (ids: LogId[], logs: CommitLog[], covers: number[], errors: Array<StoreError | null>): void {
    this.running = false
    const out = new ResultRowWriter()
    const unreported: RetentionChange[] = []
    ids.forEach((id, i) => {
      const err = errors[i] ?? null
      const wire = err === null ? null : toWireError(err, `flush of ${logs[i]!.dir}`)
      if (this.release(id, covers[i]!, wire, out) === 0 && wire !== null) {
        unreported.push({ log: id, logStartOffset: -1, deletedSegments: 0, deletedBytes: 0, error: wire })
      }
    })
    this.answer(out)
    if (unreported.length > 0) this.report(unreported)
    this.startJob()
  }

  /** Answers the held answers of `id` that an fsync up to `covers` settled; returns how many. Those
   *  appended after the job began stay, and their log stays wanted. */
  private release (id: LogId, covers: number, error: WireError | null, out: ResultRowWriter): number {
    const held = this.held.get(id)
    if (held === undefined) return 0
    const later = held.filter((h) => h.needs > covers)
    for (const h of held) {
      if (h.needs > covers) continue
      if (error === null) out.ok(h.id, h.result)
      else out.failed(h.id, error)
    }
    if (later.length === 0) this.held.delete(id)
    else {
      this.held.set(id, later)
      this.wanted.add(id)
    }
    return held.length - later.length
  }
}
