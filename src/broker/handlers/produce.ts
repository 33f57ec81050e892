// Produce: hands each partition's RecordBatch bytes, untouched, to the partition's shard and answers
// with the assigned base offset. Records are never decoded here: the checks that need the batch
// (size, compression codec) read its fixed header only. On a single node the high watermark moves
// with the append, so acks=1 and acks=all answer alike (unless the topic's min.insync.replicas asks for
// more replicas than the one there is: then acks=all is refused, as Kafka does); acks=0 gets no answer
// at all. On a compacted topic the records are decoded once, to refuse any without a key, and so they
// are when the topic bounds CreateTime timestamps (message.timestamp.before/after.max.ms) or fixes the
// stored codec (compression.type other than 'producer': batches in another codec are recompressed).
// Idempotent and transactional batches are checked by the partition's shard at append time
// (src/storage/producer-state.ts): a retry gets its original offset, a sequence gap
// OUT_OF_ORDER_SEQUENCE_NUMBER and a fenced epoch INVALID_PRODUCER_EPOCH, for that partition only.
// With an authorizer (KafkaApis.handleProduceRequest): a transactional producer needs WRITE on its
// transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED everywhere), and each topic WRITE
// (else TOPIC_AUTHORIZATION_FAILED, checked before whether the topic exists).
import { batchCompressionAt, batchSizeAt, forEachBatch } from '../../protocol/codec/batch-peek.js'
import { BATCH_HEADER_SIZE, decodeBatch, encodeBatch, iterateBatches, type RecordBatch } from '../../protocol/codec/record-batch.js'
import {
  decodeProduceRequest, encodeProduceResponse, ErrorCode, KafkaError, produceApi, type MessageInput,
  type ProduceRequest, type ProduceRequestPartitionProduceData, type ProduceResponse,
  type ProduceResponsePartitionProduceResponse
} from '../../protocol/index.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler, type RequestContext } from '../handler.js'
import { LEADER_EPOCH } from '../topics.js'
import type { TopicInfo } from '../topic-registry.js'
import { StoreError } from '../../storage/native.js'
import { errorAnswer } from './errors.js'

/** The shard's producer-state refusals (src/storage/producer-state.ts), one partition at a time. */
const producerErrors: Record<string, number> = {
  INVALID_PRODUCER_EPOCH: ErrorCode.INVALID_PRODUCER_EPOCH,
  OUT_OF_ORDER_SEQUENCE_NUMBER: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER
}

const ZSTD = 4
const FIRST_VERSION_WITH_ZSTD = 7

type PartitionAnswer = MessageInput<ProduceResponsePartitionProduceResponse>

export const produceHandler = defineHandler<ProduceRequest, ProduceResponse>({
  api: produceApi,
  decode: decodeProduceRequest,
  encode: encodeProduceResponse,
  // Not async, and no Promise.all per topic: answers are filled in place as appends settle, and the
  // answer waits on one promise (the usual request: one partition, whose append promise it is). At
  // 5,000 one-record requests a second the async layers were the network thread's largest garbage.
  handle (request, context) {
    const validAcks = request.acks === 0 || request.acks === 1 || request.acks === -1
    const nowMs = Date.now()
    const responses: TopicResponse[] = []
    const response = request.acks === 0 ? null : { responses }
    const pending: Array<Promise<ProduceAnswer>> = []
    const txnDenied = request.transactionalId !== null && !allowed(context, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId)
    for (const topicData of request.topicData) {
      const denied = txnDenied ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
        : allowed(context, AclOperation.WRITE, ResourceType.TOPIC, topicData.name) ? ErrorCode.NONE : ErrorCode.TOPIC_AUTHORIZATION_FAILED
      const topic = context.broker.topics.get(topicData.name)
      const rules = topic === undefined ? null : topicRules(context.broker, topic)
      const partitionResponses: PartitionAnswer[] = []
      responses.push({ name: topicData.name, partitionResponses })
      let t: TopicAppend | null = null
      for (const data of topicData.partitionData) {
        if (denied !== ErrorCode.NONE) partitionResponses.push(failed(data.index, denied, null))
        else if (!validAcks) partitionResponses.push(failed(data.index, ErrorCode.INVALID_REQUIRED_ACKS, null))
        else if (topic === undefined || rules === null || data.index < 0 || data.index >= topic.partitions) {
          partitionResponses.push(failed(data.index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `This server does not host this topic-partition: ${topicData.name}-${data.index}`))
        } else {
          t ??= { name: topicData.name, rules, nowMs, acks: request.acks, context, answers: partitionResponses, response }
          const appending = appendPartition(t, data)
          if (appending !== null) pending.push(appending)
        }
      }
    }
    if (pending.length === 0) return response
    if (pending.length === 1) return pending[0]!
    return Promise.all(pending).then(() => response)
  }
})

type ProduceAnswer = MessageInput<ProduceResponse> | null
interface TopicResponse { name: string, partitionResponses: PartitionAnswer[] }

/** What every partition of a topic needs from its configs, read once per topic per request. */
interface TopicRules {
  maxBatchBytes: number
  /** compression.type as a codec id: batches in any other codec are recompressed; null keeps the producer's. */
  codec: number | null
  compacted: boolean
  logAppendTime: boolean
  minInSyncReplicas: number
  /** How far a CreateTime record's timestamp may lie before and after the broker's clock. */
  timestampBeforeMs: number
  timestampAfterMs: number
}

/** compression.type values that fix the stored codec ('producer', the default, keeps the producer's). */
const TOPIC_CODECS: Record<string, number> = { uncompressed: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 }

/** A timestamp limit at or above this is Kafka's Long.MAX_VALUE default: no limit. */
const NO_LIMIT = Number.MAX_SAFE_INTEGER

/** Read per request (configs may change between requests), without closures: this runs for every
 *  Produce. */
function topicRules (broker: RequestContext['broker'], topic: TopicInfo): TopicRules {
  const topics = broker.topics
  // Kafka 3.6+: before/after.max.ms left at their default fall back to the deprecated difference.max.ms.
  const difference = Number(topics.setting(topic, 'message.timestamp.difference.max.ms'))
  const before = Number(topics.setting(topic, 'message.timestamp.before.max.ms'))
  const after = Number(topics.setting(topic, 'message.timestamp.after.max.ms'))
  return {
    maxBatchBytes: Number(topics.setting(topic, 'max.message.bytes')),
    codec: TOPIC_CODECS[String(topics.setting(topic, 'compression.type'))] ?? null,
    compacted: String(topics.setting(topic, 'cleanup.policy')).includes('compact'),
    logAppendTime: topics.setting(topic, 'message.timestamp.type') === 'LogAppendTime',
    minInSyncReplicas: Number(topics.setting(topic, 'min.insync.replicas')),
    timestampBeforeMs: before >= NO_LIMIT ? difference : before,
    timestampAfterMs: after >= NO_LIMIT ? difference : after
  }
}

/** One topic of a request: `answers` (its partitions' part of `response`) is filled in as they settle. */
interface TopicAppend {
  name: string
  rules: TopicRules
  nowMs: number
  acks: number
  context: RequestContext
  answers: PartitionAnswer[]
  response: ProduceAnswer
}

/** Adds the partition's answer to `t.answers`, or, when it appends, holds its place there and returns
 *  the promise that fills it in and resolves with the whole response. */
function appendPartition (t: TopicAppend, data: ProduceRequestPartitionProduceData): Promise<ProduceAnswer> | null {
  const { name, rules, nowMs, acks, context, answers } = t
  try {
    if (data.records === null || data.records.length === 0) throw new KafkaError(ErrorCode.INVALID_RECORD, 'the produce request carries no record batch')
    // A single node is the partition's only in-sync replica: acks=all cannot be met when the topic
    // asks for more (Kafka refuses before appending, with a retriable error).
    if (acks === -1 && rules.minInSyncReplicas > 1) {
      throw new KafkaError(ErrorCode.NOT_ENOUGH_REPLICAS, `The size of the current ISR 1 is insufficient to satisfy the min.isr requirement of ${rules.minInSyncReplicas} for partition ${name}-${data.index}`)
    }
    const recompress = rules.codec !== null && !allInCodec(data.records, rules.codec)
    const limitsTimestamps = !rules.logAppendTime && (rules.timestampBeforeMs < NO_LIMIT || rules.timestampAfterMs < NO_LIMIT)
    // Sizes are checked on the bytes to be stored: before any decoding, unless they are rewritten.
    if (!recompress) checkBatches(data.records, rules.maxBatchBytes, context.apiVersion)
    // Decoded once, only for what needs the records (the CRC is checked here only before a rewrite:
    // otherwise the shard checks it on the bytes it stores).
    const decoded = recompress || rules.compacted || limitsTimestamps ? decodeEach(data.records, recompress) : null
    const records = recompress && decoded !== null && rules.codec !== null ? inCodec(decoded, rules.codec) : data.records
    if (recompress) checkBatches(records, rules.maxBatchBytes, context.apiVersion)
    for (const { batch } of decoded ?? []) {
      if (batch.control) continue
      if (rules.compacted) requireKeys(batch, name, data.index)
      if (limitsTimestamps) checkTimestamps(batch, nowMs - rules.timestampBeforeMs, nowMs + rules.timestampAfterMs)
    }
    const appended = context.broker.store.append(name, data.index, records, {
      leaderEpoch: LEADER_EPOCH, logAppendTimeMs: rules.logAppendTime ? nowMs : -1, nowMs
    })
    const at = answers.push(PENDING) - 1
    return appended.then(result => {
      answers[at] = {
        index: data.index,
        errorCode: ErrorCode.NONE,
        baseOffset: result.baseOffset,
        logAppendTimeMs: rules.logAppendTime ? result.logAppendTimeMs : -1,
        logStartOffset: result.logStartOffset
      }
      return t.response
    }, error => {
      answers[at] = partitionFailure(t, data.index, error)
      return t.response
    })
  } catch (error) {
    answers.push(partitionFailure(t, data.index, error))
    return null
  }
}

function partitionFailure (t: TopicAppend, partition: number, error: unknown): PartitionAnswer {
  const producerCode = error instanceof StoreError ? producerErrors[error.code] : undefined
  if (producerCode !== undefined) return failed(partition, producerCode, (error as Error).message)
  const { errorCode, errorMessage } = errorAnswer(error, t.context.broker.log, { api: 'Produce', topic: t.name, partition })
  return failed(partition, errorCode, errorMessage)
}

/** Size and codec checks from the batch headers (Kafka checks each batch against max.message.bytes). */
function checkBatches (records: Buffer, maxBatchBytes: number, apiVersion: number): void {
  // A loop, not forEachBatch: its closure was garbage on every Produce.
  for (let pos = 0; pos < records.length;) {
    const size = batchSizeAt(records, pos)
    if (size < BATCH_HEADER_SIZE) return
    if (size > maxBatchBytes) {
      throw new KafkaError(ErrorCode.MESSAGE_TOO_LARGE, `a record batch of ${size} bytes exceeds max.message.bytes ${maxBatchBytes}`)
    }
    if (apiVersion < FIRST_VERSION_WITH_ZSTD && batchCompressionAt(records, pos) === ZSTD) {
      throw new KafkaError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `zstd needs Produce v${FIRST_VERSION_WITH_ZSTD} or later`)
    }
    pos += size
  }
}

interface DecodedBatch { bytes: Buffer, batch: RecordBatch }

function decodeEach (records: Buffer, verifyCrc: boolean): DecodedBatch[] {
  return Array.from(iterateBatches(records), view => ({ bytes: view.bytes, batch: decodeBatch(view.bytes, { verifyCrc }) }))
}

function allInCodec (records: Buffer, codec: number): boolean {
  let same = true
  forEachBatch(records, (pos) => { if (batchCompressionAt(records, pos) !== codec) same = false })
  return same
}

/**
 * The batches in the topic's codec (compression.type other than 'producer'): a batch in another codec
 * is written again with its records, producer id, epoch, sequence and flags unchanged, as Kafka's
 * LogValidator does. Batches already in the codec, and control batches, pass as they are.
 */
function inCodec (decoded: DecodedBatch[], codec: number): Buffer {
  const batches = decoded.map(({ bytes, batch }) => batch.compression === codec || batch.control
    ? bytes
    : encodeBatch({
      records: batch.records.map(r => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp, offsetDelta: r.offsetDelta })),
      compression: codec,
      partitionLeaderEpoch: batch.partitionLeaderEpoch,
      producerId: batch.producerId,
      producerEpoch: batch.producerEpoch,
      baseSequence: batch.baseSequence,
      transactional: batch.transactional,
      timestampType: batch.timestampType,
      lastOffsetDelta: batch.lastOffsetDelta
    }))
  return batches.length === 1 ? batches[0]! : Buffer.concat(batches)
}

/** Kafka's CreateTime check (LogValidator): every record's timestamp within [lowest, highest]; -1 (none) passes. */
function checkTimestamps (batch: RecordBatch, lowest: number, highest: number): void {
  batch.records.forEach((record, index) => {
    const timestamp = Number(record.timestamp)
    if (timestamp === -1 || (timestamp >= lowest && timestamp <= highest)) return
    throw new KafkaError(ErrorCode.INVALID_TIMESTAMP, `Timestamp ${timestamp} of message with offset ${index} is out of range. The timestamp should be within [${lowest}, ${highest}]`)
  })
}

/** Compaction keeps the newest record per key, so a record without one is refused (as Kafka does). */
function requireKeys (batch: RecordBatch, topic: string, partition: number): void {
  if (batch.records.some((r) => r.key === null)) {
    throw new KafkaError(ErrorCode.INVALID_RECORD, `Compacted topic cannot accept message without key in topic partition ${topic}-${partition}.`)
  }
}

/** A partition's place in the answer until its append settles. */
const PENDING: PartitionAnswer = {}

function failed (index: number, errorCode: number, errorMessage: string | null): PartitionAnswer {
  return { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, errorMessage }
}
