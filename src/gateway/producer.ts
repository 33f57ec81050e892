// Produce for every gateway front end (REST v2, REST v3, WebSocket): checks the whole request first
// (unknown topic or partition fail it before anything is written), places records without a
// partition as the Java client's default partitioner does (murmur2 of the key; sticky for null keys,
// KIP-794), rejects single records larger than the topic's max.message.bytes, and hands the rest to the
// per-turn batcher. Results come back per record, in request order.
import type { Broker } from '../broker/broker.js'
import type { TopicInfo } from '../broker/topic-registry.js'
import { errorName, ErrorCode, isRetriable, KafkaError } from '../protocol/index.js'
import type { RecordInput } from '../protocol/codec/record-batch.js'
import { DefaultPartitioner } from '../protocol/partitioner.js'
import { StoreError } from '../storage/native.js'
import { ProduceBatcher, recordBytes, singleRecordBatchBytes } from './produce-batcher.js'

export interface OutgoingRecord extends RecordInput {
  /** Where the client asked for it to go; undefined or null: the partitioner decides. */
  partition?: number | null
}

export type RecordResult =
  | { ok: true, partition: number, offset: number, timestamp: number }
  | { ok: false, partition: number | null, errorCode: number, message: string, retriable: boolean }

/** Why a whole produce request is refused; the caller turns it into its API's error. */
export class ProduceRefused extends Error {
  constructor (readonly reason: 'unknown-topic' | 'unknown-partition', readonly topic: string, readonly partition: number | null) {
    super(reason === 'unknown-topic' ? `Topic ${topic} not found.` : `Partition ${String(partition)} of topic ${topic} not found.`)
  }
}

export class GatewayProducer {
  readonly batcher: ProduceBatcher
  private readonly partitioners = new Map<string, DefaultPartitioner>()

  constructor (private readonly broker: Broker) {
    this.batcher = new ProduceBatcher(broker)
  }

  /** Throws ProduceRefused for an unknown topic or a record naming a partition the topic lacks. */
  async produce (topicName: string, records: readonly OutgoingRecord[]): Promise<RecordResult[]> {
    const topic = this.broker.topics.get(topicName)
    if (topic === undefined || topic.internal) throw new ProduceRefused('unknown-topic', topicName, null)
    for (const record of records) {
      const p = record.partition
      if (p !== undefined && p !== null && (!Number.isInteger(p) || p < 0 || p >= topic.partitions)) {
        throw new ProduceRefused('unknown-partition', topicName, p)
      }
    }
    const maxBytes = Number(this.broker.topics.setting(topic, 'max.message.bytes'))
    const now = Date.now()
    const results: Array<RecordResult | undefined> = new Array(records.length)
    const byPartition = new Map<number, Array<{ index: number, record: RecordInput, bytes: number }>>()
    for (const [index, record] of records.entries()) {
      const input: RecordInput = { key: record.key ?? null, value: record.value, headers: record.headers, timestamp: record.timestamp ?? now }
      const bytes = recordBytes(input)
      const partition = record.partition ?? this.partitionerFor(topic).partition(input.key ?? null, topic.partitions, bytes)
      const size = singleRecordBatchBytes(input)
      if (size > maxBytes) {
        results[index] = tooLarge(partition, size, maxBytes)
        continue
      }
      let group = byPartition.get(partition)
      if (group === undefined) byPartition.set(partition, group = [])
      group.push({ index, record: input, bytes })
    }
    await Promise.all([...byPartition.entries()].map(async ([partition, group]) => {
      try {
        const bytes = group.reduce((sum, g) => sum + g.bytes, 0)
        const appended = await this.batcher.append(topic.name, partition, group.map(g => g.record), bytes)
        for (const [i, g] of group.entries()) {
          const timestamp = appended.logAppendTimeMs >= 0 ? appended.logAppendTimeMs : Number(g.record.timestamp)
          results[g.index] = { ok: true, partition, offset: appended.baseOffset + i, timestamp }
        }
      } catch (error) {
        const failure = describeFailure(error, partition)
        for (const g of group) results[g.index] = failure
      }
    }))
    return results as RecordResult[]
  }

  /** One partitioner per topic: the sticky null-key state is per topic, as in the Java client. */
  private partitionerFor (topic: TopicInfo): DefaultPartitioner {
    let partitioner = this.partitioners.get(topic.name)
    if (partitioner === undefined) this.partitioners.set(topic.name, partitioner = new DefaultPartitioner())
    return partitioner
  }
}

function tooLarge (partition: number, size: number, maxBytes: number): RecordResult {
  return {
    ok: false,
    partition,
    errorCode: ErrorCode.MESSAGE_TOO_LARGE,
    message: `MESSAGE_TOO_LARGE: the record needs a ${size}-byte batch, above the topic's max.message.bytes ${maxBytes}`,
    retriable: false
  }
}

function describeFailure (error: unknown, partition: number): RecordResult {
  if (error instanceof KafkaError) {
    return { ok: false, partition, errorCode: error.code, message: `${errorName(error.code)}: ${error.message}`, retriable: error.retriable }
  }
  if (error instanceof StoreError) {
    const code = error.code === 'UNKNOWN_PARTITION' ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.KAFKA_STORAGE_ERROR
    return { ok: false, partition, errorCode: code, message: `${errorName(code)}: ${error.message}`, retriable: isRetriable(code) }
  }
  throw error
}
