// Live fan-out of appended records to the gateway's WebSocket subscribers, without polling: the store's
// append notifications (store.onAppend) mark the partition's subscribers ready, and one pump per
// event-loop turn serves every ready subscriber.
//
// Sharing: subscribers of one partition waiting at the same offset with the same isolation
// (read_committed ones stop at the last stable offset and skip aborted transactions) form one group
// per pump; the group is read from the store and decoded ONCE, and the chunk carries a cache of its
// encoded frames, so a thousand subscribers of a topic cost one read, one decode and one encoding per
// format per append turn, plus one socket write each.
//
// Backpressure: a subscriber that is not accepting (its socket is over its buffer limit) is paused
// before anything is sent to it, with its offset unchanged, and stays paused (no reads, no frames)
// until resume(); so a slow client costs no broker memory beyond what its socket already holds.
// Catch-up reads (a subscriber far behind) go READ_BYTES at a time, at most PUMP_BYTES per turn over
// all groups, then the pump yields to the event loop.
//
// Pacing: after a pump that took d ms, appends wait up to min(d, MAX_REST_MS) more before the next one,
// and share its frames. A socket write costs the same for one record as for twenty (about 10 µs of
// the broker's CPU and as much of the subscriber's on the bench machine, mostly the kernel's loopback
// TCP), so with a thousand subscribers a pump takes ~10 ms and one per append would keep the main
// thread sending all the time; the rest caps the hub at about half the thread, leaving the other half
// to the Kafka listener and the produce path. A few subscribers (a pump well under a millisecond) see
// no rest at all, and catch-up left over continues after one turn.
import type { Record } from '../protocol/codec/record-batch.js'
import { StoreError } from '../storage/native.js'
import type { PartitionStore } from '../storage/partition-store.js'
import { OffsetBelowLogStart, readRecords, type Isolation } from './record-reader.js'

const READ_BYTES = 256 * 1024
const PUMP_BYTES = 8 * 1024 * 1024
const MAX_REST_MS = 10

export class FeedChunk {
  private readonly encodings = new Map<string, unknown>()
  constructor (readonly topic: string, readonly partition: number, readonly records: Record[], readonly nextOffset: number) {}

  /** The chunk encoded as `key` says, made once and shared by every subscriber that asks for the same key. */
  encoded<T> (key: string, make: (chunk: FeedChunk) => T): T {
    const made = this.encodings.get(key)
    if (made !== undefined) return made as T
    const value = make(this)
    this.encodings.set(key, value)
    return value
  }
}

export interface FeedSubscriber {
  readonly topic: string
  readonly partition: number
  readonly isolation: Isolation
  /** The next offset to deliver; the hub advances it. */
  offset: number
  /** False while the subscriber is paused (a cheap check: its socket was over its buffer limit). */
  accepting: () => boolean
  /** Takes a chunk (only while accepting); false when its socket is now over its limit (pause it). */
  deliver: (chunk: FeedChunk) => boolean
  /** The partition is gone or unreadable; the hub has already dropped the subscriber. */
  failed: (error: Error) => void
}

export interface FeedStats { reads: number, records: number, chunks: number, deliveries: number }

export class FeedHub {
  readonly stats: FeedStats = { reads: 0, records: 0, chunks: 0, deliveries: 0 }
  private readonly byPartition = new Map<string, Set<FeedSubscriber>>()
  private readonly ready = new Set<FeedSubscriber>()
  private readonly paused = new Set<FeedSubscriber>()
  private scheduled = false
  /** performance.now() before which a pump rests (see Pacing above); its timer while it does. */
  private restUntil = 0
  private restTimer: NodeJS.Timeout | null = null
  private readonly unsubscribe: () => void

  constructor (private readonly store: PartitionStore) {
    this.unsubscribe = store.onAppend((topic, partition) => { this.appended(topic, partition) })
  }

  get subscribers (): number { return [...this.byPartition.values()].reduce((n, subs) => n + subs.size, 0) }
  get pausedSubscribers (): number { return this.paused.size }

  add (sub: FeedSubscriber): void {
    const key = partitionKey(sub.topic, sub.partition)
    let subs = this.byPartition.get(key)
    if (subs === undefined) this.byPartition.set(key, subs = new Set())
    subs.add(sub)
    this.markReady(sub)
  }

  remove (sub: FeedSubscriber): void {
    const key = partitionKey(sub.topic, sub.partition)
    const subs = this.byPartition.get(key)
    subs?.delete(sub)
    if (subs?.size === 0) this.byPartition.delete(key)
    this.ready.delete(sub)
    this.paused.delete(sub)
  }

  resume (sub: FeedSubscriber): void {
    if (!this.paused.delete(sub)) return
    this.markReady(sub)
  }

  close (): void {
    this.unsubscribe()
    if (this.restTimer !== null) clearTimeout(this.restTimer)
    this.byPartition.clear()
    this.ready.clear()
    this.paused.clear()
  }

  private appended (topic: string, partition: number): void {
    const subs = this.byPartition.get(partitionKey(topic, partition))
    if (subs === undefined) return
    for (const sub of subs) if (!this.paused.has(sub)) this.ready.add(sub)
    this.schedule()
  }

  private markReady (sub: FeedSubscriber): void {
    if (this.paused.has(sub)) return
    this.ready.add(sub)
    this.schedule()
  }

  private schedule (): void {
    if (this.scheduled) return
    this.scheduled = true
    const rest = this.restUntil - performance.now()
    if (rest < 1) {
      setImmediate(() => { this.pump() })
      return
    }
    this.restTimer = setTimeout(() => {
      this.restTimer = null
      this.pump()
    }, rest)
  }

  private pump (): void {
    this.scheduled = false
    const started = performance.now()
    this.serveReady()
    const ended = performance.now()
    this.restUntil = ended + Math.min(ended - started, MAX_REST_MS)
    if (this.ready.size > 0) {
      // Catch-up left over: it carries on after one event-loop turn, not after a rest.
      this.scheduled = true
      setImmediate(() => { this.pump() })
    }
  }

  private serveReady (): void {
    const groups = new Map<string, FeedSubscriber[]>()
    for (const sub of this.ready) {
      const key = `${partitionKey(sub.topic, sub.partition)}\u0000${sub.isolation}\u0000${sub.offset}`
      const group = groups.get(key)
      if (group === undefined) groups.set(key, [sub])
      else group.push(sub)
    }
    this.ready.clear()
    let budget = PUMP_BYTES
    for (const group of groups.values()) {
      if (budget <= 0) {
        for (const sub of group) this.ready.add(sub)
        continue
      }
      budget -= this.serve(group)
    }
  }

  /** Reads and decodes once for the whole group; returns the bytes read. */
  private serve (group: FeedSubscriber[]): number {
    const first = group[0]!
    const { topic, partition } = first
    let read
    try {
      read = readRecords(this.store, first, READ_BYTES, first.isolation)
    } catch (error) {
      if (error instanceof OffsetBelowLogStart) {
        for (const sub of group) { sub.offset = error.logStartOffset; this.ready.add(sub) }
        return 0
      }
      if (!(error instanceof StoreError)) throw error
      for (const sub of group) { this.remove(sub); sub.failed(error) }
      return 0
    }
    if (read.bytes === 0) return 0
    this.stats.reads++
    this.stats.records += read.records.length
    const chunk = new FeedChunk(topic, partition, read.records, read.nextOffset)
    const behind = read.nextOffset < read.upTo
    if (read.records.length > 0) this.stats.chunks++
    for (const sub of group) {
      if (read.records.length > 0) {
        if (!sub.accepting()) {
          this.paused.add(sub)
          continue
        }
        sub.offset = read.nextOffset
        this.stats.deliveries++
        if (!sub.deliver(chunk)) {
          if (this.isSubscribed(sub)) this.paused.add(sub)
          continue
        }
      } else {
        sub.offset = read.nextOffset
      }
      if (behind && this.isSubscribed(sub)) this.ready.add(sub)
    }
    return read.bytes
  }

  private isSubscribed (sub: FeedSubscriber): boolean {
    return this.byPartition.get(partitionKey(sub.topic, sub.partition))?.has(sub) === true
  }
}

function partitionKey (topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}
