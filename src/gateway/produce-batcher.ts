// Coalesces the gateway's appends: every record that any HTTP request or WebSocket produces for one
// partition during one event-loop turn becomes ONE store.append of ONE record batch (more only when
// they exceed the topic's max.message.bytes), so the shard hop, the CRC and the index entry are paid
// per partition per turn, not per request. The store then coalesces the appends of all partitions of a
// shard into one message (storage/shard-channel.ts), so a turn costs one hop per shard.
//
// Flushed on setImmediate, for the reason shard-channel.ts measured: uWS runs each socket's callback
// with a microtask drain after it, so a microtask flush would append once per connection.
import type { Broker } from '../broker/broker.js'
import { LEADER_EPOCH } from '../broker/topics.js'
import { encodeBatch, type RecordInput } from '../protocol/codec/record-batch.js'

export interface Appended { baseOffset: number, logAppendTimeMs: number }

interface Entry { records: RecordInput[], bytes: number, resolve: (result: Appended) => void, reject: (error: unknown) => void }
interface Queue { topic: string, partition: number, entries: Entry[] }

/** A batch's fixed header; records add their own size (see recordBytes). */
const BATCH_HEADER_BYTES = 61
/** Batches stay below this even when max.message.bytes allows more, so fan-out reads stay small. */
const MAX_BATCH_BYTES = 1024 * 1024
const CODECS: Record<string, number> = { producer: 0, uncompressed: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 }

export interface BatcherStats { appends: number, batches: number, records: number }

export class ProduceBatcher {
  readonly stats: BatcherStats = { appends: 0, batches: 0, records: 0 }
  private queues = new Map<string, Queue>()
  private scheduled = false

  constructor (private readonly broker: Broker) {}

  /** Queues `records` for `topic`-`partition`; resolves with the offset of the first one. `bytes`: recordBytes() summed. */
  append (topic: string, partition: number, records: RecordInput[], bytes: number): Promise<Appended> {
    const key = `${topic}\u0000${partition}`
    let queue = this.queues.get(key)
    if (queue === undefined) this.queues.set(key, queue = { topic, partition, entries: [] })
    const entries = queue.entries
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => { this.flush() })
    }
    return new Promise((resolve, reject) => { entries.push({ records, bytes, resolve, reject }) })
  }

  private flush (): void {
    this.scheduled = false
    const queues = this.queues
    this.queues = new Map()
    for (const queue of queues.values()) {
      this.appendQueue(queue).catch((error: unknown) => { for (const entry of queue.entries) entry.reject(error) })
    }
  }

  private async appendQueue (queue: Queue): Promise<void> {
    const { broker } = this
    const info = broker.topics.get(queue.topic)
    const maxBytes = info === undefined ? MAX_BATCH_BYTES : Number(broker.topics.setting(info, 'max.message.bytes'))
    const codec = info === undefined ? 0 : CODECS[String(broker.topics.setting(info, 'compression.type'))] ?? 0
    const logAppendTime = info !== undefined && broker.topics.setting(info, 'message.timestamp.type') === 'LogAppendTime'
    const batches = packBatches(queue.entries, Math.min(maxBytes, MAX_BATCH_BYTES)).map(records => encodeBatch({ records, compression: codec }))
    const bytes = batches.length === 1 ? batches[0]! : Buffer.concat(batches)
    const nowMs = Date.now()
    const result = await broker.store.append(queue.topic, queue.partition, bytes, {
      leaderEpoch: LEADER_EPOCH, logAppendTimeMs: logAppendTime ? nowMs : -1, nowMs
    })
    let offset = result.baseOffset
    let records = 0
    for (const entry of queue.entries) {
      entry.resolve({ baseOffset: offset, logAppendTimeMs: logAppendTime ? result.logAppendTimeMs : -1 })
      offset += entry.records.length
      records += entry.records.length
    }
    this.stats.appends++
    this.stats.batches += batches.length
    this.stats.records += records
    broker.metrics.topicIn(queue.topic, bytes.length, records)
  }
}

/** Splits the turn's records into batches whose (uncompressed) size stays within `limit`. */
function packBatches (entries: Entry[], limit: number): RecordInput[][] {
  const total = entries.reduce((sum, e) => sum + e.bytes, BATCH_HEADER_BYTES)
  if (total <= limit) return [entries.length === 1 ? entries[0]!.records : entries.flatMap(e => e.records)]
  const out: RecordInput[][] = []
  let current: RecordInput[] = []
  let size = BATCH_HEADER_BYTES
  for (const entry of entries) {
    for (const record of entry.records) {
      const bytes = recordBytes(record)
      if (current.length > 0 && size + bytes > limit) {
        out.push(current)
        current = []
        size = BATCH_HEADER_BYTES
      }
      current.push(record)
      size += bytes
    }
  }
  if (current.length > 0) out.push(current)
  return out
}

/**
 * An upper bound of a record's encoded size: the varint fields take at most 5 or 10 bytes each
 * (length, attributes, timestamp delta, offset delta, key and value lengths, header count).
 */
export function recordBytes (record: RecordInput): number {
  let bytes = 36 + (record.key?.length ?? 0) + (record.value?.length ?? 0)
  for (const header of record.headers ?? []) bytes += 10 + Buffer.byteLength(header.key) + (header.value?.length ?? 0)
  return bytes
}

/** The size of a batch holding only `record`: what max.message.bytes is checked against. */
export function singleRecordBatchBytes (record: RecordInput): number {
  return BATCH_HEADER_BYTES + recordBytes(record)
}
