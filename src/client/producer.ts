// The producer: records are batched per partition (a batch goes out when it reaches batchSize bytes or
// lingerMs after its first record), batches for one leader share a Produce request, and up to
// maxInFlight requests per leader are pipelined on one connection.
//
// Ordering: records of one partition are appended in send() order as long as no batch is retried; a
// retried batch (retriable error, lost connection) may land after a later one, as with a non-idempotent
// Java producer with max.in.flight > 1. Keyed records go where Java's default partitioner puts them.
import { setTimeout as delay } from 'node:timers/promises'
import { ErrorCode, isRetriable } from '../protocol/index.js'
import { CompressionCodec } from '../protocol/codec/compression.js'
import { encodeBatch, type RecordHeader } from '../protocol/codec/record-batch.js'
import { DefaultPartitioner } from '../protocol/partitioner.js'
import { calls } from './calls.js'
import type { KafkaClient, TopicMetadata } from './client.js'
import { ConnectionError, kafkaError } from './errors.js'
import { PendingBatch, type RecordMetadata, type Waiter } from './pending-batch.js'

export type { RecordMetadata } from './pending-batch.js'

export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'

export interface ProducerOptions {
  /** 0: no answer awaited (offsets are -1); 1: the leader wrote it; -1 (all): every in-sync replica did. */
  acks?: -1 | 0 | 1
  compression?: Compression
  /** How long a batch waits for more records after its first (default 5 ms). */
  lingerMs?: number
  /** A partition's batch is sent once it holds this many bytes (default 64 KiB). */
  batchSize?: number
  /** Records waiting or in flight beyond this many bytes make backpressure() wait (default 32 MiB). */
  maxBufferedBytes?: number
  /** A Produce request holds batches up to this many bytes (at least one batch; default 1 MiB). */
  maxRequestBytes?: number
  /** Produce requests awaiting an answer per broker (default 5). */
  maxInFlight?: number
  /** Sends of one batch after a retriable error, before its records fail (default 5). */
  retries?: number
  retryBackoffMs?: number
  /** The broker-side wait for acks (Produce timeout_ms, default 30 s). */
  timeoutMs?: number
}

export interface ProducerRecord {
  topic: string
  value: Buffer | string | null
  key?: Buffer | string | null
  headers?: ReadonlyArray<{ key: string, value: Buffer | string | null }>
  /** Chosen by the partitioner from the key (or sticky for null keys) when absent. */
  partition?: number
  /** Milliseconds since the epoch; default now. */
  timestamp?: number
}

const CODECS: Record<Compression, number> = {
  none: CompressionCodec.NONE, gzip: CompressionCodec.GZIP, snappy: CompressionCodec.SNAPPY, lz4: CompressionCodec.LZ4, zstd: CompressionCodec.ZSTD
}
/** Per-record framing overhead in a batch, roughly: length, attributes, deltas, counts. */
const RECORD_OVERHEAD = 24

type PendingRecord = { key: Buffer | null, value: Buffer | null, headers: RecordHeader[], timestamp: number }

const NO_HEADERS: RecordHeader[] = []

const toBuffer = (v: Buffer | string | null | undefined): Buffer | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? Buffer.from(v) : v

export class Producer {
  private readonly acks: number
  private readonly codec: number
  private readonly lingerMs: number
  private readonly batchSize: number
  private readonly maxBufferedBytes: number
  private readonly maxInFlight: number
  private readonly maxRequestBytes: number
  private readonly partitioners = new Map<string, DefaultPartitioner>()
  /** Records per topic whose send() waits for the topic's metadata. */
  private readonly waiting = new Map<string, number>()
  /** The open batch of each topic-partition, by `topic\0partition`. */
  private readonly open = new Map<string, PendingBatch>()
  /** Closed batches waiting for a free in-flight slot, per leader, in order. */
  private readonly ready = new Map<number, PendingBatch[]>()
  private readonly inFlight = new Map<number, number>()
  private lingerTimer: NodeJS.Timeout | null = null
  private bufferedBytes = 0
  private outstanding = 0
  private idleWaiters: Array<() => void> = []
  private roomWaiters: Array<() => void> = []
  private writeFailure: Error | null = null
  private failedWrites = 0

  constructor (private readonly client: KafkaClient, private readonly options: ProducerOptions = {}) {
    this.acks = options.acks ?? -1
    this.codec = CODECS[options.compression ?? 'none']
    this.lingerMs = options.lingerMs ?? 5
    this.batchSize = options.batchSize ?? 65536
    this.maxBufferedBytes = options.maxBufferedBytes ?? 32 * 1024 * 1024
    this.maxInFlight = options.maxInFlight ?? 5
    this.maxRequestBytes = options.maxRequestBytes ?? 1024 * 1024
    if (![-1, 0, 1].includes(this.acks)) throw new RangeError(`acks must be -1 (all), 0 or 1, got ${this.acks}`)
    if (this.codec === undefined) throw new RangeError(`unknown compression "${String(options.compression)}"`)
  }

  /** Queues one record; resolves once the broker has it (per acks) with its partition and offset. */
  send (record: ProducerRecord): Promise<RecordMetadata> {
    return new Promise((resolve, reject) => this.queue(record, { resolve, reject }))
  }

  /**
   * Queues one record without a promise of its own: the cheap path for bulk producing (no allocation
   * per record beyond the record). A failure is kept, and the next flush() rejects with the first one.
   */
  write (record: ProducerRecord): void {
    this.queue(record, null)
  }

  private queue (record: ProducerRecord, waiter: Waiter | null): void {
    const key = toBuffer(record.key)
    const value = toBuffer(record.value)
    const headers: RecordHeader[] = record.headers === undefined ? NO_HEADERS : record.headers.map(h => ({ key: h.key, value: toBuffer(h.value) }))
    let size = RECORD_OVERHEAD + (key?.length ?? 0) + (value?.length ?? 0)
    for (const h of headers) size += h.key.length + (h.value?.length ?? 0) + 4
    const input = { key, value, headers, timestamp: record.timestamp ?? Date.now() }
    this.outstanding++
    this.bufferedBytes += size
    // Records of a topic whose metadata is still being fetched wait in send() order; later records
    // take the synchronous path only when none of that topic are waiting, so the order holds.
    const cached = this.client.cachedTopic(record.topic)
    if (cached !== undefined && (this.waiting.get(record.topic) ?? 0) === 0) {
      this.place(record, cached, input, size, waiter)
      return
    }
    this.waiting.set(record.topic, (this.waiting.get(record.topic) ?? 0) + 1)
    this.client.topic(record.topic, { allowAutoTopicCreation: true }).then(
      meta => {
        this.waiting.set(record.topic, (this.waiting.get(record.topic) ?? 1) - 1)
        this.place(record, meta, input, size, waiter)
      },
      (error: unknown) => {
        this.waiting.set(record.topic, (this.waiting.get(record.topic) ?? 1) - 1)
        this.failed(error as Error, 1, waiter === null ? [] : [waiter])
        this.settle(size, 1)
      })
  }

  private place (record: ProducerRecord, meta: TopicMetadata, input: PendingRecord, size: number, waiter: Waiter | null): void {
    const count = meta.partitions.length
    const partition = record.partition ?? this.partitionerFor(record.topic).partition(input.key, count, size)
    if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
      const error = kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic "${record.topic}" partition ${partition}`, `the topic has ${count} partitions`)
      this.failed(error, 1, waiter === null ? [] : [waiter])
      this.settle(size, 1)
      return
    }
    this.append(record.topic, partition, input, size, waiter)
  }

  /** Rejects the waiters of failed records; write() records' failures are kept for flush(). */
  private failed (error: Error, records: number, waiters: Waiter[]): void {
    for (const waiter of waiters) waiter.reject(error)
    const unwatched = records - waiters.length
    if (unwatched === 0) return
    this.writeFailure ??= error
    this.failedWrites += unwatched
  }

  /** Records passed to write() that failed since the last flush(). */
  get failedWriteCount (): number { return this.failedWrites }

  /** Resolves when fewer than maxBufferedBytes are waiting; null when there is room now. */
  backpressure (): Promise<void> | null {
    if (this.bufferedBytes < this.maxBufferedBytes) return null
    return new Promise(resolve => this.roomWaiters.push(resolve))
  }

  /**
   * Sends every open batch now and resolves when every record queued so far has its answer; rejects
   * with the first failure of a write() record since the last flush (send() records reject their own).
   */
  async flush (): Promise<void> {
    this.closeAll()
    if (this.outstanding > 0) await new Promise<void>(resolve => this.idleWaiters.push(resolve))
    const failure = this.writeFailure
    if (failure === null) return
    const count = this.failedWrites
    this.writeFailure = null
    this.failedWrites = 0
    throw Object.assign(failure, { failedRecords: count })
  }

  private partitionerFor (topic: string): DefaultPartitioner {
    let partitioner = this.partitioners.get(topic)
    if (partitioner === undefined) {
      partitioner = new DefaultPartitioner({ stickyBytes: this.batchSize })
      this.partitioners.set(topic, partitioner)
    }
    return partitioner
  }

  private append (topic: string, partition: number, record: PendingRecord, size: number, waiter: Waiter | null): void {
    const id = `${topic}\0${partition}`
    let batch = this.open.get(id)
    if (batch === undefined) {
      batch = new PendingBatch(topic, partition, {
        done: (bytes, records) => this.settle(bytes, records),
        failed: (error, records, waiters) => this.failed(error, records, waiters)
      })
      this.open.set(id, batch)
      this.lingerTimer ??= setTimeout(() => { this.lingerTimer = null; this.closeAll() }, this.lingerMs)
    }
    batch.add(record, size, waiter)
    if (batch.bytes >= this.batchSize) {
      this.open.delete(id)
      this.enqueue(batch)
    }
  }

  private closeAll (): void {
    if (this.lingerTimer !== null) { clearTimeout(this.lingerTimer); this.lingerTimer = null }
    const batches = [...this.open.values()]
    this.open.clear()
    for (const batch of batches) this.enqueue(batch)
  }

  /** Queues the batch at its leader (synchronously when the metadata is cached, to keep the order). */
  private enqueue (batch: PendingBatch): void {
    const leader = this.client.cachedTopic(batch.topic)?.partitions[batch.partition]?.leader
    if (leader !== undefined) {
      this.queueAt(leader, batch)
      return
    }
    this.client.leaderOf(batch.topic, batch.partition).then(leader => this.queueAt(leader, batch), (error: unknown) => batch.fail(error as Error))
  }

  private queueAt (leader: number, batch: PendingBatch): void {
    const queue = this.ready.get(leader)
    if (queue === undefined) this.ready.set(leader, [batch])
    else queue.push(batch)
    this.pump(leader)
  }

  /** Sends queued batches to `leader` while it has a free in-flight slot, one request per slot. */
  private pump (leader: number): void {
    const queue = this.ready.get(leader)
    while (queue !== undefined && queue.length > 0 && (this.inFlight.get(leader) ?? 0) < this.maxInFlight) {
      const batches = takeRequest(queue, this.maxRequestBytes)
      this.inFlight.set(leader, (this.inFlight.get(leader) ?? 0) + 1)
      void this.produce(leader, batches).finally(() => {
        this.inFlight.set(leader, (this.inFlight.get(leader) ?? 1) - 1)
        this.pump(leader)
      })
    }
  }

  private async produce (leader: number, batches: PendingBatch[]): Promise<void> {
    const byTopic = new Map<string, PendingBatch[]>()
    for (const b of batches) byTopic.set(b.topic, [...(byTopic.get(b.topic) ?? []), b])
    const message = {
      transactionalId: null,
      acks: this.acks,
      timeoutMs: this.options.timeoutMs ?? 30_000,
      topicData: [...byTopic].map(([name, list]) => ({
        name,
        partitionData: list.map(b => ({ index: b.partition, records: encodeBatch({ records: b.records, compression: this.codec }) }))
      }))
    }
    try {
      const connection = await this.client.connectionTo(leader)
      if (this.acks === 0) {
        connection.sendOnly(calls.produce, () => message)
        for (const b of batches) b.succeed(-1, -1)
        return
      }
      const response = await connection.request(calls.produce, () => message, { timeoutMs: message.timeoutMs + 5_000 })
      const answers = new Map<string, { errorCode: number, baseOffset: number, logAppendTimeMs: number, errorMessage: string | null }>()
      for (const t of response.responses) for (const p of t.partitionResponses) answers.set(`${t.name}\0${p.index}`, p)
      for (const b of batches) {
        const answer = answers.get(`${b.topic}\0${b.partition}`)
        if (answer === undefined) b.fail(new Error(`Produce answer from ${connection.address} lacks ${b.topic}/${b.partition}`))
        else if (answer.errorCode === 0) b.succeed(answer.baseOffset, answer.logAppendTimeMs)
        else await this.retryOrFail(b, kafkaError(answer.errorCode, `topic "${b.topic}" partition ${b.partition}`, answer.errorMessage), isRetriable(answer.errorCode))
      }
    } catch (error) {
      for (const b of batches) await this.retryOrFail(b, error as Error, error instanceof ConnectionError)
    }
  }

  private async retryOrFail (batch: PendingBatch, error: Error, retriable: boolean): Promise<void> {
    if (!retriable || batch.attempts >= (this.options.retries ?? 5)) {
      batch.fail(error)
      return
    }
    batch.attempts++
    this.client.forget(batch.topic)
    await delay(this.options.retryBackoffMs ?? 100)
    this.enqueue(batch)
  }

  private settle (bytes: number, records: number): void {
    this.bufferedBytes -= bytes
    this.outstanding -= records
    if (this.bufferedBytes < this.maxBufferedBytes && this.roomWaiters.length > 0) {
      const waiters = this.roomWaiters
      this.roomWaiters = []
      for (const wake of waiters) wake()
    }
    if (this.outstanding === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters
      this.idleWaiters = []
      for (const wake of waiters) wake()
    }
  }
}

/**
 * Takes the batches for one Produce request off the front of `queue`: at most one per partition (a
 * later batch of a partition must not overtake an earlier one) and up to `maxBytes` after the first.
 */
function takeRequest (queue: PendingBatch[], maxBytes: number): PendingBatch[] {
  const taken: PendingBatch[] = []
  const rest: PendingBatch[] = []
  const blocked = new Set<string>()
  let bytes = 0
  for (const batch of queue) {
    const id = `${batch.topic}\0${batch.partition}`
    if (blocked.has(id) || (taken.length > 0 && bytes + batch.bytes > maxBytes)) {
      blocked.add(id)
      rest.push(batch)
      continue
    }
    blocked.add(id)
    taken.push(batch)
    bytes += batch.bytes
  }
  queue.splice(0, queue.length, ...rest)
  return taken
}
