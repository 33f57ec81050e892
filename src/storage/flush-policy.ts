// When a shard fsyncs a log: flush.messages and flush.ms, as Kafka names them, with group commit.
//
// The shard reports every append of a turn (one `ops` message) here and calls `due` once the turn's
// appends are written: each log that reached flush.messages is fsynced once for all of that turn's
// appends, and their answers wait for it (group-commit.ts), so with flush.messages=1 an acknowledged
// record is on disk. flush.ms is checked at the same point and by a timer armed for the earliest
// deadline, so an idle log is still fsynced in time. With both at their defaults (never) nothing here runs per append but
// a map lookup: durability then comes from replication elsewhere in Kafka, from the OS here.
import type { LogId } from './messages.js'

export interface FlushLimits { flushMessages: number, flushMs: number }

interface Unsynced { records: number, sinceMs: number, limits: FlushLimits }

const NEVER = Number.MAX_SAFE_INTEGER

export class FlushPolicy {
  private readonly unsynced = new Map<LogId, Unsynced>()
  private timer: NodeJS.Timeout | null = null
  private timerAt = Infinity

  /** `onTimer` runs when a flush.ms deadline passes with no turn of appends to catch it. */
  constructor (private readonly onTimer: () => void) {}

  /** Counts `records` appended to `log` at `nowMs`; no-op when the log's limits are both "never".
   *  True when the log's unsynced records now reach flush.messages. */
  appended (log: LogId, records: number, nowMs: number, limits: FlushLimits): boolean {
    if (limits.flushMessages >= NEVER && limits.flushMs >= NEVER) return false
    let u = this.unsynced.get(log)
    if (u === undefined) {
      u = { records, sinceMs: nowMs, limits }
      this.unsynced.set(log, u)
      if (limits.flushMs < NEVER) this.arm(nowMs + limits.flushMs)
    } else {
      u.records += records
      u.limits = limits
    }
    return u.records >= limits.flushMessages
  }

  /** The logs to fsync now (and forgets them): over flush.messages, or unsynced for flush.ms. */
  due (nowMs: number): LogId[] {
    const out: LogId[] = []
    for (const [log, u] of this.unsynced) {
      if (u.records >= u.limits.flushMessages || nowMs - u.sinceMs >= u.limits.flushMs) out.push(log)
    }
    for (const log of out) this.unsynced.delete(log)
    return out
  }

  /** A log was fsynced (or closed, or deleted) by other means. */
  forget (log: LogId): void { this.unsynced.delete(log) }

  stop (): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }

  private arm (at: number): void {
    if (at >= this.timerAt) return
    this.stop()
    this.timerAt = at
    this.timer = setTimeout(() => {
      this.timer = null
      this.timerAt = Infinity
      this.onTimer()
      const timed = [...this.unsynced.values()].filter((u) => u.limits.flushMs < NEVER)
      const next = Math.min(...timed.map((u) => u.sinceMs + u.limits.flushMs))
      if (Number.isFinite(next)) this.arm(Math.max(next, Date.now() + 1))
    }, Math.max(0, at - Date.now()))
  }
}
