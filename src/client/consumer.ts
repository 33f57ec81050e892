// The assign-based consumer: a position per assigned partition, and poll() = one Fetch to every
// partition leader at once (sessionless: session id 0, epoch -1, so every fetch is a full one).
// Records before the position (a compressed batch starts before it) and control batches are dropped.
// Isolation is read_uncommitted: transactional records are delivered as soon as they are written.
import { ErrorCode, isRetriable } from '../protocol/index.js'
import { decodeBatches, type RecordHeader } from '../protocol/codec/record-batch.js'
import { calls } from './calls.js'
import type { KafkaClient, TopicMetadata } from './client.js'
import { ConnectionError, kafkaError } from './errors.js'

/** Where to start: an absolute offset, the log start or end, n before the end, or the first at a time. */
export type StartOffset = number | 'earliest' | 'latest' | { fromEnd: number } | { timestamp: number }

export interface TopicPartitionOffset { topic: string, partition: number, offset: StartOffset }

export interface ConsumerOptions {
  /** How long the broker may hold a fetch waiting for minBytes (default 500 ms). */
  maxWaitMs?: number
  minBytes?: number
  maxBytes?: number
  partitionMaxBytes?: number
  /** What OFFSET_OUT_OF_RANGE does to a position: jump to the log start or end, or throw (default latest). */
  autoOffsetReset?: 'earliest' | 'latest' | 'none'
}

export interface ConsumedRecord {
  topic: string
  partition: number
  offset: number
  timestamp: number
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

interface Position {
  topic: string
  partition: number
  offset: number
  /** From the latest fetch answer (at first from ListOffsets); -1 when unknown. */
  highWatermark: number
}

const FETCH_ANSWER_MARGIN_MS = 10_000

export class Consumer {
  private readonly positions = new Map<string, Position>()

  constructor (private readonly client: KafkaClient, private readonly options: ConsumerOptions = {}) {}

  /**
   * Adds (or moves) partitions, resolving symbolic start offsets with ListOffsets. The high watermark
   * is read at the same time, so atEnd() is right before the first fetch.
   */
  async assign (assignments: readonly TopicPartitionOffset[]): Promise<void> {
    const topics = [...new Set(assignments.map(a => a.topic))]
    for (const topic of topics) {
      const mine = assignments.filter(a => a.topic === topic)
      const meta = await this.client.topic(topic)
      for (const a of mine) {
        if (meta.partitions[a.partition] === undefined) {
          throw kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic "${topic}" partition ${a.partition}`, `the topic has ${meta.partitions.length} partitions`)
        }
      }
      const latest = new Map((await this.client.admin.listOffsets(topic, 'latest', mine.map(a => a.partition))).map(p => [p.partition, p.offset]))
      for (const a of mine) {
        const highWatermark = latest.get(a.partition) ?? -1
        const offset = a.offset === 'latest' ? highWatermark : await this.resolve(topic, a.partition, a.offset)
        this.positions.set(`${topic}\0${a.partition}`, { topic, partition: a.partition, offset, highWatermark })
      }
    }
  }

  /** Forgets every assigned partition. */
  unassignAll (): void { this.positions.clear() }

  /** The next offset to fetch per assigned partition, and the last high watermark seen. */
  assignment (): Array<{ topic: string, partition: number, offset: number, highWatermark: number }> {
    return [...this.positions.values()].map(p => ({ ...p }))
  }

  /** True once every assigned partition's position has reached the high watermark of its last fetch. */
  atEnd (): boolean {
    for (const p of this.positions.values()) if (p.highWatermark < 0 || p.offset < p.highWatermark) return false
    return true
  }

  private async resolve (topic: string, partition: number, start: StartOffset): Promise<number> {
    if (typeof start === 'number') return start
    const spec = start === 'earliest' || start === 'latest' ? start : 'timestamp' in start ? { timestamp: start.timestamp } : 'latest'
    const [found] = await this.client.admin.listOffsets(topic, spec, [partition])
    if (found === undefined) throw new Error(`ListOffsets answered nothing for ${topic}/${partition}`)
    if (typeof start === 'object' && 'fromEnd' in start) {
      const [first] = await this.client.admin.listOffsets(topic, 'earliest', [partition])
      return Math.max(first?.offset ?? 0, found.offset - start.fromEnd)
    }
    // A timestamp after the last record finds no offset (-1): start at the end, as Kafka consumers do.
    if (found.offset < 0) return (await this.resolve(topic, partition, 'latest'))
    return found.offset
  }

  /** One fetch round: asks every leader of an assigned partition and returns the records in order per partition. */
  async poll (): Promise<ConsumedRecord[]> {
    const byLeader = new Map<number, Position[]>()
    for (const position of this.positions.values()) {
      const leader = await this.client.leaderOf(position.topic, position.partition)
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), position])
    }
    const rounds = await Promise.all([...byLeader].map(async ([leader, positions]) => await this.fetchFrom(leader, positions)))
    return rounds.flat()
  }

  private async fetchFrom (leader: number, positions: Position[]): Promise<ConsumedRecord[]> {
    const maxWaitMs = this.options.maxWaitMs ?? 500
    const topics = new Map<string, { meta: TopicMetadata, positions: Position[] }>()
    for (const p of positions) {
      const entry = topics.get(p.topic) ?? { meta: await this.client.topic(p.topic), positions: [] }
      entry.positions.push(p)
      topics.set(p.topic, entry)
    }
    let response
    try {
      const connection = await this.client.connectionTo(leader, 'fetch')
      response = await connection.request(calls.fetch, version => ({
        replicaId: version <= 14 ? -1 : undefined,
        maxWaitMs,
        minBytes: this.options.minBytes ?? 1,
        maxBytes: this.options.maxBytes ?? 52_428_800,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [...topics.values()].map(({ meta, positions }) => ({
          topic: meta.name,
          topicId: meta.id,
          partitions: positions.map(p => ({ partition: p.partition, fetchOffset: p.offset, partitionMaxBytes: this.options.partitionMaxBytes ?? 1_048_576 }))
        }))
      }), { timeoutMs: maxWaitMs + FETCH_ANSWER_MARGIN_MS })
    } catch (error) {
      if (error instanceof ConnectionError) return []
      throw error
    }
    const byId = new Map([...topics.values()].map(({ meta }) => [meta.id, meta.name]))
    const out: ConsumedRecord[] = []
    for (const t of response.responses) {
      const topic = t.topic !== '' ? t.topic : byId.get(t.topicId) ?? ''
      for (const p of t.partitions) {
        const position = this.positions.get(`${topic}\0${p.partitionIndex}`)
        if (position !== undefined) await this.take(position, p, out)
      }
    }
    return out
  }

  private async take (
    position: Position,
    answer: { errorCode: number, highWatermark: number, records: Buffer | null },
    out: ConsumedRecord[]
  ): Promise<void> {
    const { topic, partition } = position
    if (answer.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      const reset = this.options.autoOffsetReset ?? 'latest'
      if (reset === 'none') throw kafkaError(answer.errorCode, `topic "${topic}" partition ${partition} offset ${position.offset}`)
      position.offset = await this.resolve(topic, partition, reset)
      return
    }
    if (answer.errorCode !== ErrorCode.NONE) {
      if (!isRetriable(answer.errorCode)) throw kafkaError(answer.errorCode, `topic "${topic}" partition ${partition}`)
      this.client.forget(topic)
      return
    }
    position.highWatermark = answer.highWatermark
    if (answer.records === null || answer.records.length === 0) return
    for (const batch of decodeBatches(answer.records, { allowTruncatedTail: true })) {
      const next = Number(batch.baseOffset) + batch.lastOffsetDelta + 1
      if (!batch.control) {
        for (const record of batch.records) {
          const offset = Number(record.offset)
          if (offset < position.offset) continue
          out.push({ topic, partition, offset, timestamp: Number(record.timestamp), key: record.key, value: record.value, headers: record.headers })
        }
      }
      if (next > position.offset) position.offset = next
    }
  }

  /** Moves one assigned partition's position. */
  seek (topic: string, partition: number, offset: number): void {
    const position = this.positions.get(`${topic}\0${partition}`)
    if (position === undefined) throw new Error(`${topic}/${partition} is not assigned`)
    position.offset = offset
  }
}
