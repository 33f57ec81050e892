// The live subscriptions of one WebSocket: partitions of a topic from a chosen start (earliest, latest,
// an offset, a timestamp), or the partitions a consumer group assigns to this socket (group-member.ts),
// starting at the group's committed offsets. Each partition is one FeedSubscriber of the shared hub, so
// records arrive as they are appended, in offset order per partition. With isolation read_committed a
// subscription sees only committed transactional records, up to the last stable offset, and "latest"
// means the last stable offset, as for a Kafka read_committed consumer.
//
// Group subscriptions with autoCommit commit what was sent every AUTO_COMMIT_MS and when partitions
// are revoked or the socket closes: at-least-once, as a Kafka consumer's auto-commit.
import type { Broker } from '../broker/broker.js'
import type { TopicPartition } from '../groups/group-offsets.js'
import type { FeedChunk, FeedHub, FeedSubscriber } from './feed-hub.js'
import { GroupMember } from './group-member.js'
import { endOffset, readRecords, type Isolation, type ReadPosition } from './record-reader.js'
import { BadFrame } from './ws-frames.js'

const AUTO_COMMIT_MS = 5000

export interface StreamSink {
  accepting: () => boolean
  /** False when the socket is over its buffer limit after this frame. */
  send: (chunk: FeedChunk) => boolean
  notify: (message: object) => void
}

export type StartPosition = 'earliest' | 'latest' | { offset: number } | { timestamp: number }

export interface GroupOptions { from: 'earliest' | 'latest', autoCommit: boolean, isolation: Isolation }

class PartitionStream implements FeedSubscriber {
  readonly topic: string
  readonly partition: number
  offset: number
  constructor (at: ReadPosition, readonly isolation: Isolation, private readonly owner: Subscriptions) {
    this.topic = at.topic
    this.partition = at.partition
    this.offset = at.offset
  }

  accepting (): boolean { return this.owner.sink.accepting() }
  deliver (chunk: FeedChunk): boolean { return this.owner.sink.send(chunk) }
  failed (error: Error): void { this.owner.lost(this, error) }
}

interface GroupStream { member: GroupMember, streams: Map<string, PartitionStream>, timer: NodeJS.Timeout | null }

export class Subscriptions {
  private readonly streams = new Map<string, PartitionStream>()
  private readonly groups = new Map<string, GroupStream>()

  constructor (private readonly broker: Broker, private readonly feed: FeedHub, readonly sink: StreamSink) {}

  get size (): number { return this.streams.size }

  /** Records not yet sent, summed over the socket's partitions. */
  lag (): number {
    let behind = 0
    for (const s of this.streams.values()) behind += Math.max(0, this.broker.store.highWatermark(s.topic, s.partition) - s.offset)
    return behind
  }

  subscribeTopic (topic: string, partitions: number[] | undefined, from: StartPosition, isolation: Isolation): Array<{ partition: number, offset: number }> {
    const info = this.broker.topics.get(topic)
    if (info === undefined) throw new BadFrame(`UNKNOWN_TOPIC: topic ${topic} does not exist`)
    const wanted = partitions ?? Array.from({ length: info.partitions }, (_, p) => p)
    for (const p of wanted) {
      if (!Number.isInteger(p) || p < 0 || p >= info.partitions) throw new BadFrame(`UNKNOWN_PARTITION: topic ${topic} has no partition ${p}`)
      if (this.streams.has(key(topic, p))) throw new BadFrame(`ALREADY_SUBSCRIBED: ${topic}-${p} is already streaming on this socket`)
    }
    return wanted.map(partition => {
      const stream = this.open({ topic, partition, offset: this.startOffset({ topic, partition }, from, isolation) }, isolation, null)
      return { partition, offset: stream.offset }
    })
  }

  unsubscribeTopic (topic: string): void {
    for (const stream of [...this.streams.values()]) {
      if (stream.topic === topic && !this.inGroup(stream)) this.closeStream(stream)
    }
  }

  subscribeGroup (groupId: string, topics: string[], options: GroupOptions): void {
    const { from, autoCommit, isolation } = options
    if (this.groups.has(groupId)) throw new BadFrame(`ALREADY_SUBSCRIBED: this socket is already a member of group ${groupId}`)
    for (const topic of topics) if (this.broker.topics.get(topic) === undefined) throw new BadFrame(`UNKNOWN_TOPIC: topic ${topic} does not exist`)
    const streams = new Map<string, PartitionStream>()
    const member = new GroupMember({
      coordinator: this.broker.groups,
      groupId,
      topics,
      partitionsOf: topic => this.broker.topics.get(topic)?.partitions ?? 0,
      clientId: 'websocket',
      log: this.broker.log,
      listener: {
        assigned: partitions => { this.assigned(groupId, streams, partitions, { from, isolation }) },
        revoking: async () => {
          if (autoCommit) await this.commitGroup(groupId)
          for (const stream of streams.values()) this.closeStream(stream)
          streams.clear()
        }
      }
    })
    const timer = autoCommit ? setInterval(() => { this.autoCommit(groupId) }, AUTO_COMMIT_MS) : null
    this.groups.set(groupId, { member, streams, timer })
  }

  async unsubscribeGroup (groupId: string): Promise<void> {
    const group = this.groups.get(groupId)
    if (group === undefined) throw new BadFrame(`NOT_SUBSCRIBED: this socket is not a member of group ${groupId}`)
    if (group.timer !== null) clearInterval(group.timer)
    try {
      await group.member.leave()
    } finally {
      this.groups.delete(groupId)
    }
  }

  /** Commits the next offset to send of every partition the socket holds for `groupId`. */
  async commitGroup (groupId: string): Promise<void> {
    const group = this.groups.get(groupId)
    if (group === undefined) throw new BadFrame(`NOT_SUBSCRIBED: this socket is not a member of group ${groupId}`)
    await group.member.commit([...group.streams.values()].map(s => ({ topic: s.topic, partition: s.partition, offset: s.offset })))
  }

  private autoCommit (groupId: string): void {
    this.commitGroup(groupId).catch((error: unknown) => { this.broker.log.warn({ err: error, group: groupId }, 'WebSocket auto-commit failed') })
  }

  resumeAll (): void {
    for (const stream of this.streams.values()) this.feed.resume(stream)
  }

  /** Drops every stream at once (their memory with them), then leaves the groups. */
  async close (): Promise<void> {
    for (const stream of this.streams.values()) this.feed.remove(stream)
    this.streams.clear()
    const groups = [...this.groups.keys()]
    await Promise.allSettled(groups.map(async g => { await this.unsubscribeGroup(g) }))
  }

  lost (stream: PartitionStream, error: Error): void {
    this.streams.delete(key(stream.topic, stream.partition))
    this.sink.notify({ type: 'error', code: 'PARTITION_UNAVAILABLE', message: `${stream.topic}-${stream.partition}: ${error.message}` })
  }

  private assigned (groupId: string, streams: Map<string, PartitionStream>, partitions: TopicPartition[], start: { from: 'earliest' | 'latest', isolation: Isolation }): void {
    const committed = this.broker.groups.fetchOffsets(groupId, partitions, false).offsets
    const started = partitions.map((tp, i) => {
      const offset = committed[i] !== undefined && committed[i].offset >= 0 ? committed[i].offset : this.startOffset(tp, start.from, start.isolation)
      const stream = this.open({ ...tp, offset }, start.isolation, streams)
      return { topic: tp.topic, partition: tp.partition, offset: stream.offset }
    })
    if (partitions.length > 0 || streams.size === 0) this.sink.notify({ type: 'assigned', group: groupId, partitions: started })
  }

  private open (at: ReadPosition, isolation: Isolation, group: Map<string, PartitionStream> | null): PartitionStream {
    const { topic, partition } = at
    // A partition already streaming on this socket (from a topic subscription) keeps its stream.
    const existing = this.streams.get(key(topic, partition))
    if (existing !== undefined) return existing
    const stream = new PartitionStream(at, isolation, this)
    this.streams.set(key(topic, partition), stream)
    group?.set(key(topic, partition), stream)
    this.feed.add(stream)
    return stream
  }

  private closeStream (stream: PartitionStream): void {
    this.feed.remove(stream)
    this.streams.delete(key(stream.topic, stream.partition))
  }

  private inGroup (stream: PartitionStream): boolean {
    for (const group of this.groups.values()) if (group.streams.get(key(stream.topic, stream.partition)) === stream) return true
    return false
  }

  private startOffset ({ topic, partition }: TopicPartition, from: StartPosition, isolation: Isolation): number {
    const { store } = this.broker
    const start = store.logStartOffset(topic, partition)
    const end = endOffset(store, topic, partition, isolation)
    if (from === 'earliest') return start
    if (from === 'latest') return end
    if ('offset' in from) return Math.min(Math.max(from.offset, start), end)
    const found = store.offsetForTimestamp(topic, partition, from.timestamp).offset
    return found < 0 ? end : firstAtOrAfter(this.broker, topic, partition, Math.max(found, start), from.timestamp)
  }
}

/** The index finds the batch; the first record of it at or after `timestamp` is where to start. */
function firstAtOrAfter (broker: Broker, topic: string, partition: number, offset: number, timestamp: number): number {
  const { records, nextOffset } = readRecords(broker.store, { topic, partition, offset }, 1)
  const first = records.find(r => Number(r.timestamp) >= timestamp)
  return first === undefined ? nextOffset : Number(first.offset)
}

function key (topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}
