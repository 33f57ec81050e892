// One partition's batch inside the producer: the records and, for each, the promise its send() returned.
// A batch is answered as a whole: record i of a batch stored at baseOffset gets offset baseOffset + i.
import type { RecordInput } from '../protocol/codec/record-batch.js'

export interface RecordMetadata {
  topic: string
  partition: number
  /** -1 with acks=0, which gets no answer. */
  offset: number
  /** The record's CreateTime, or the broker's append time when the topic uses LogAppendTime. */
  timestamp: number
}

export interface Waiter {
  resolve: (meta: RecordMetadata) => void
  reject: (error: Error) => void
}

export interface BatchHooks {
  /** Runs once, when the batch succeeds or fails. */
  done: (bytes: number, records: number) => void
  /** Runs on failure with the waiters of the records that have one (write() records have none). */
  failed: (error: Error, records: number, waiters: Waiter[]) => void
}

export class PendingBatch {
  readonly records: RecordInput[] = []
  /** Parallel to records; null for a record queued without a promise. */
  private readonly waiters: Array<Waiter | null> = []
  private watched = 0
  bytes = 0
  /** Sends so far that ended in a retriable error. */
  attempts = 0
  private done = false

  constructor (readonly topic: string, readonly partition: number, private readonly hooks: BatchHooks) {}

  add (record: RecordInput & { timestamp: number }, size: number, waiter: Waiter | null): void {
    this.records.push(record)
    this.waiters.push(waiter)
    this.bytes += size
    if (waiter !== null) this.watched++
  }

  succeed (baseOffset: number, logAppendTimeMs: number): void {
    if (this.finish()) return
    if (this.watched === 0) return
    for (let i = 0; i < this.waiters.length; i++) {
      const waiter = this.waiters[i]
      if (waiter === null || waiter === undefined) continue
      const record = this.records[i] as RecordInput & { timestamp: number }
      waiter.resolve({
        topic: this.topic,
        partition: this.partition,
        offset: baseOffset < 0 ? -1 : baseOffset + i,
        timestamp: logAppendTimeMs >= 0 ? logAppendTimeMs : record.timestamp
      })
    }
  }

  fail (error: Error): void {
    if (this.finish()) return
    this.hooks.failed(error, this.records.length, this.waiters.filter((w): w is Waiter => w !== null))
  }

  /** Marks the batch answered; true when it already was. */
  private finish (): boolean {
    if (this.done) return true
    this.done = true
    this.hooks.done(this.bytes, this.records.length)
    return false
  }
}
