// A REST Proxy v2 consumer instance: a subscription (topics or a pattern, consumed as a group member,
// see group-member.ts) or a manual assignment, a position per owned partition, and GET .../records
// that long-polls the store (woken by appends, never by a timer loop) up to its timeout.
//
// Positions start at the group's committed offset, else at auto.offset.reset (earliest, latest; none
// makes the poll fail). With auto.commit.enable the positions handed out by one poll are committed at
// the next poll, when partitions are revoked, and when the instance is deleted: at-least-once, as the
// Java consumer's auto-commit.
//
// isolation.level read_committed reads only committed transactional records, up to the last stable
// offset (record-reader.ts), and "latest"/seek to end mean the last stable offset, as for the Java consumer.
import type { Broker } from '../broker/broker.js'
import type { TopicPartition } from '../groups/group-offsets.js'
import { ErrorCode, errorName } from '../protocol/index.js'
import { StoreError } from '../storage/native.js'
import type { Record } from '../protocol/codec/record-batch.js'
import { GroupMember } from './group-member.js'
import { endOffset, OffsetBelowLogStart, readRecords, type Isolation } from './record-reader.js'
import { RestError } from './rest-error.js'
import type { EmbeddedFormat } from './rest-format.js'

export type OffsetReset = 'earliest' | 'latest' | 'none'

export interface ConsumerConfig {
  format: EmbeddedFormat
  autoOffsetReset: OffsetReset
  autoCommit: boolean
  fetchMinBytes: number
  requestTimeoutMs: number
  isolation: Isolation
}

export interface ConsumedRecord { topic: string, partition: number, record: Record }

export class RestConsumer {
  lastUsed = Date.now()
  private member: GroupMember | null = null
  private subscribedTopics: string[] = []
  private pattern: RegExp | null = null
  private manual = false
  private readonly positions = new Map<string, TopicPartition & { offset: number }>()
  /** Positions handed out but not yet committed (auto commit). */
  private delivered = new Map<string, TopicPartition & { offset: number }>()
  private assignmentChanged: (() => void) | null = null
  private closed = false

  constructor (private readonly broker: Broker, readonly group: string, readonly name: string, readonly config: ConsumerConfig) {}

  get subscription (): string[] { return this.subscribedTopics }
  get assignment (): TopicPartition[] { return [...this.positions.values()].map(({ topic, partition }) => ({ topic, partition })) }

  async subscribe (topics: string[], pattern: string | null): Promise<void> {
    if (this.manual) throw new RestError(409, 40903, 'Illegal state: subscription to topics, partitions and pattern are mutually exclusive')
    if (this.member !== null) throw new RestError(409, 40901, 'Consumer cannot subscribe the specified target because it has already subscribed to other topics')
    this.pattern = pattern === null ? null : compilePattern(pattern)
    this.subscribedTopics = pattern === null ? [...new Set(topics)] : this.matchingTopics()
    this.member = new GroupMember({
      coordinator: this.broker.groups,
      groupId: this.group,
      topics: this.subscribedTopics,
      partitionsOf: topic => this.broker.topics.get(topic)?.partitions ?? 0,
      clientId: `rest-${this.name}`,
      log: this.broker.log,
      listener: { assigned: partitions => { this.own(partitions) }, revoking: async () => { await this.commitDelivered() } }
    })
  }

  async unsubscribe (): Promise<void> {
    const member = this.member
    this.member = null
    this.subscribedTopics = []
    this.pattern = null
    await member?.leave()
    this.own([])
  }

  assign (partitions: TopicPartition[]): void {
    if (this.member !== null) throw new RestError(409, 40903, 'Illegal state: subscription to topics, partitions and pattern are mutually exclusive')
    this.manual = partitions.length > 0
    this.own(partitions)
  }

  seek (offsets: ReadonlyArray<TopicPartition & { offset: number }>): void {
    for (const o of offsets) this.ownedPosition(o).offset = o.offset
  }

  seekTo (partitions: readonly TopicPartition[], where: 'beginning' | 'end'): void {
    const { store } = this.broker
    for (const tp of partitions) {
      this.ownedPosition(tp).offset = where === 'beginning' ? store.logStartOffset(tp.topic, tp.partition) : this.endOf(tp)
    }
  }

  /** Records from the owned partitions, waiting up to `timeoutMs` for fetch.min.bytes (or any record). */
  async poll (timeoutMs: number, maxBytes: number): Promise<ConsumedRecord[]> {
    if (this.config.autoCommit) await this.commitDelivered()
    const deadline = Date.now() + timeoutMs
    const out: ConsumedRecord[] = []
    let bytes = 0
    for (;;) {
      bytes += this.readOnce(out, maxBytes - bytes)
      const left = deadline - Date.now()
      if (this.closed || left <= 0 || bytes >= maxBytes || (out.length > 0 && bytes >= this.config.fetchMinBytes)) return out
      await this.waitForData(left)
    }
  }

  /** Commits `offsets`, or (null) the positions of every owned partition. */
  async commit (offsets: ReadonlyArray<TopicPartition & { offset: number }> | null): Promise<void> {
    const wanted = offsets ?? [...this.positions.values()].filter(p => p.offset >= 0).map(p => ({ ...p }))
    const codes = this.member !== null
      ? await this.member.commit(wanted)
      : await this.broker.groups.commitOffsets(this.group, { generationId: -1, memberId: '', groupInstanceId: null, offsets: wanted.map(o => ({ ...o, leaderEpoch: -1, metadata: null })) })
    const failed = codes.find(code => code !== ErrorCode.NONE)
    if (failed !== undefined) throw new RestError(500, 50002, `Kafka error: offset commit failed with ${errorName(failed)}`)
    for (const o of wanted) this.delivered.delete(key(o))
  }

  committed (partitions: readonly TopicPartition[]): Array<TopicPartition & { offset: number, metadata: string }> {
    const fetched = this.broker.groups.fetchOffsets(this.group, partitions, false)
    // Just after a start the coordinator may still be loading the committed offsets (retriable).
    if (fetched.errorCode !== ErrorCode.NONE) throw new RestError(500, 50003, `Kafka error: ${errorName(fetched.errorCode)}`)
    return fetched.offsets.map(o => ({ topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata }))
  }

  async close (): Promise<void> {
    this.closed = true
    this.assignmentChanged?.()
    if (this.member !== null) await this.unsubscribe()
    else if (this.config.autoCommit) await this.commitDelivered()
  }

  private readOnce (out: ConsumedRecord[], room: number): number {
    let bytes = 0
    for (const position of this.positions.values()) {
      if (bytes >= room) break
      this.resolvePosition(position)
      let read
      try {
        read = readRecords(this.broker.store, position, room - bytes, this.config.isolation)
      } catch (error) {
        if (error instanceof StoreError && error.code === 'UNKNOWN_PARTITION') {
          // The topic was deleted: the partition is no longer anyone's to read.
          this.positions.delete(key(position))
          continue
        }
        if (!(error instanceof OffsetBelowLogStart)) throw error
        position.offset = this.config.autoOffsetReset === 'latest' ? this.endOf(position) : error.logStartOffset
        continue
      }
      for (const record of read.records) {
        out.push({ topic: position.topic, partition: position.partition, record })
        bytes += (record.key?.length ?? 0) + (record.value?.length ?? 0)
      }
      position.offset = read.nextOffset
      if (read.records.length > 0) this.delivered.set(key(position), { ...position })
    }
    return bytes
  }

  private async waitForData (timeoutMs: number): Promise<void> {
    const done = new AbortController()
    const timer = setTimeout(() => done.abort(), timeoutMs)
    this.assignmentChanged = () => done.abort()
    const { store } = this.broker
    const waits = [...this.positions.values()].map(async p => {
      try {
        // read_committed may be held below the high watermark by an open transaction: only an append
        // (data or its commit/abort marker) can move the last stable offset, so wait past the watermark.
        const from = this.config.isolation === 'read_committed' ? Math.max(p.offset, store.highWatermark(p.topic, p.partition)) : p.offset
        await store.waitForData(p.topic, p.partition, Math.max(from, 0), done.signal)
      } catch (error) {
        // A deleted partition waits for nothing; the next read reports it.
        if (!(error instanceof StoreError)) throw error
      }
    })
    await Promise.race([...waits, new Promise<void>(resolve => done.signal.addEventListener('abort', () => resolve(), { once: true }))])
    clearTimeout(timer)
    done.abort()
    this.assignmentChanged = null
  }

  /** A new partition starts at the committed offset, else where auto.offset.reset says. */
  private resolvePosition (position: TopicPartition & { offset: number }): void {
    if (position.offset >= 0) return
    const [committed] = this.committed([position])
    if (committed !== undefined && committed.offset >= 0) {
      position.offset = committed.offset
      return
    }
    const { store } = this.broker
    if (this.config.autoOffsetReset === 'none') {
      throw new RestError(500, 50002, `Kafka error: no committed offset for ${position.topic}-${position.partition} and auto.offset.reset is none`)
    }
    position.offset = this.config.autoOffsetReset === 'earliest' ? store.logStartOffset(position.topic, position.partition) : this.endOf(position)
  }

  /** Where "latest" is for this consumer: the high watermark, or the last stable offset (read_committed). */
  private endOf (tp: TopicPartition): number {
    return endOffset(this.broker.store, tp.topic, tp.partition, this.config.isolation)
  }

  private own (partitions: readonly TopicPartition[]): void {
    const kept = new Map<string, TopicPartition & { offset: number }>()
    for (const tp of partitions) kept.set(key(tp), this.positions.get(key(tp)) ?? { topic: tp.topic, partition: tp.partition, offset: -1 })
    this.positions.clear()
    for (const [k, v] of kept) this.positions.set(k, v)
    this.assignmentChanged?.()
  }

  private ownedPosition (tp: TopicPartition): TopicPartition & { offset: number } {
    const position = this.positions.get(key(tp))
    if (position === undefined) throw new RestError(409, 40903, `Illegal state: no current assignment for partition ${tp.topic}-${tp.partition}`)
    return position
  }

  private async commitDelivered (): Promise<void> {
    if (!this.config.autoCommit || this.delivered.size === 0) return
    const offsets = [...this.delivered.values()]
    this.delivered = new Map()
    try {
      await this.commit(offsets)
    } catch (error) {
      // A commit refused during a rebalance is retried with the next poll's positions, as Java's auto commit.
      if (!(error instanceof RestError)) throw error
      for (const o of offsets) if (!this.delivered.has(key(o))) this.delivered.set(key(o), o)
    }
  }

  private matchingTopics (): string[] {
    return this.broker.topics.all().filter(t => !t.internal && this.pattern!.test(t.name)).map(t => t.name)
  }
}

function compilePattern (pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`)
  } catch (error) {
    throw new RestError(422, 42204, `Invalid consumer configuration: topic_pattern ${pattern} is not a regular expression: ${(error as Error).message}`)
  }
}

function key (tp: TopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`
}
