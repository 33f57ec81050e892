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

interface Waiter {
  resolve: (meta: RecordMetadata) => void
  reject: (error: Error) => void
}

export class PendingBatch {
  readonly records: RecordInput[] = []
  private readonly waiters: Waiter[] = []
  bytes = 0
  /** Sends so far that ended in a retriable error. */
  attempts = 0
  private done = false

  /** `onDone(bytes, records)` runs once, when the batch succeeds or fails. */
  constructor (readonly topic: string, readonly partition: number, private readonly onDone: (bytes: number, records: number) => void) {}

  add (record: RecordInput & { timestamp: number }, size: number): Promise<RecordMetadata> {
    this.records.push(record)
    this.bytes += size
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }))
  }

  succeed (baseOffset: number, logAppendTimeMs: number): void {
    if (this.finish()) return
    for (let i = 0; i < this.waiters.length; i++) {
      const record = this.records[i] as RecordInput & { timestamp: number }
      this.waiters[i]?.resolve({
        topic: this.topic,
        partition: this.partition,
        offset: baseOffset < 0 ? -1 : baseOffset + i,
        timestamp: logAppendTimeMs >= 0 ? logAppendTimeMs : record.timestamp
      })
    }
  }

  fail (error: Error): void {
    if (this.finish()) return
    for (const waiter of this.waiters) waiter.reject(error)
  }

  /** Marks the batch answered; true when it already was. */
  private finish (): boolean {
    if (this.done) return true
    this.done = true
    this.onDone(this.bytes, this.records.length)
    return false
  }
}
