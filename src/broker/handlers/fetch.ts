// Fetch: zero-copy reads of the stored batch bytes, bounded by the high watermark, with Kafka's long
// poll: the answer waits up to max_wait_ms for min_bytes, woken by appends, never by a timer loop.
// read_committed (isolation level 1) reads only below the last stable offset (no transaction open
// below it) and lists the aborted transactions that overlap what it may return, so the client drops
// their records; read_uncommitted reads to the high watermark and gets a null list, as from Kafka.
//
// Sessions (KIP-227) are declined: we answer session id 0, so clients keep sending full fetches, and
// every full answer lists every requested partition, as the Java client demands.
// With an authorizer, a topic the client may not READ answers TOPIC_AUTHORIZATION_FAILED (a topic id
// nobody knows stays UNKNOWN_TOPIC_ID, as in Kafka).
// Size limits (KIP-74): max_bytes for the response and partition_max_bytes per partition, except that
// the first batch of the first non-empty partition goes out whole whatever its size.
import { byteLength, wholeBatchesWithin } from '../../protocol/codec/batch-peek.js'
import {
  decodeFetchRequest, encodeFetchResponse, ErrorCode, fetchApi, type FetchRequest, type FetchRequestFetchPartition,
  type FetchResponse, type FetchResponseFetchableTopicResponse, type MessageInput
} from '../../protocol/index.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler, type RequestContext } from '../handler.js'
import type { TopicInfo } from '../topic-registry.js'
import { LEADER_EPOCH } from '../topics.js'
import { errorAnswer } from './errors.js'
import { StoreError } from '../../storage/native.js'

const FIRST_VERSION_WITH_TOPIC_IDS = 13
const NO_SESSION = 0
const READ_COMMITTED = 1

type TopicAnswer = MessageInput<FetchResponseFetchableTopicResponse>

/** `topic` undefined: unknown, or not the client's to read (`denied`). */
interface Wanted { topic: TopicInfo | undefined; request: FetchRequest['topics'][number]; denied: boolean }

export const fetchHandler = defineHandler<FetchRequest, FetchResponse>({
  api: fetchApi,
  decode: decodeFetchRequest,
  encode: encodeFetchResponse,
  async handle (request, context) {
    if (request.sessionId !== NO_SESSION) {
      return { errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: NO_SESSION, responses: [] }
    }
    const { broker, apiVersion } = context
    if (broker.quotaEnforcer.active) {
      // At most what the quota allows over its windows but one (KafkaApis), so an answer is not throttled for its size alone.
      request.maxBytes = broker.quotaEnforcer.fetchMaxBytes(context.connection, context.clientId, request.maxBytes)
      request.minBytes = Math.min(request.minBytes, request.maxBytes)
    }
    const byId = apiVersion >= FIRST_VERSION_WITH_TOPIC_IDS
    const wanted: Wanted[] = request.topics.map(t => {
      const topic = byId ? broker.topics.getById(t.topicId) : broker.topics.get(t.topic)
      const name = byId ? topic?.name : t.topic
      const denied = name !== undefined && !allowed(context, AclOperation.READ, ResourceType.TOPIC, name)
      return { request: t, topic: denied ? undefined : topic, denied }
    })
    const deadline = Date.now() + Math.max(0, request.maxWaitMs)
    // A consumer at the end of every partition (a tail reader, the usual long poll) waits at once:
    // building the empty answer first was a second pass over its partitions per record.
    if (request.minBytes > 0 && request.maxWaitMs > 0 && caughtUp(wanted, context)) {
      await waitForAppend(wanted, null, request.maxWaitMs, context)
    }
    for (;;) {
      const { responses, bytes, settled } = readAll(wanted, request, context)
      const remaining = deadline - Date.now()
      if (settled || bytes >= request.minBytes || remaining <= 0 || context.signal.aborted || context.connection.isEnding) {
        return { errorCode: ErrorCode.NONE, sessionId: NO_SESSION, responses }
      }
      await waitForAppend(wanted, responses, remaining, context)
    }
  }
})

/** One pass over every requested partition. `settled`: some partition has an error, answer now. */
function readAll (wanted: Wanted[], request: FetchRequest, context: RequestContext): { responses: TopicAnswer[]; bytes: number; settled: boolean } {
  let bytes = 0
  let settled = false
  const responses = wanted.map(({ topic, request: t, denied }): TopicAnswer => ({
    topic: t.topic,
    topicId: t.topicId,
    partitions: t.partitions.map(p => {
      const answer = denied
        ? failedRead(p, ErrorCode.TOPIC_AUTHORIZATION_FAILED)
        : readPartition(topic, p, Math.max(0, request.maxBytes - bytes), bytes === 0, request.isolationLevel, context)
      if (answer.errorCode !== ErrorCode.NONE) settled = true
      bytes += answer.size
      return answer.response
    })
  }))
  return { responses, bytes, settled }
}

interface PartitionRead { errorCode: number; size: number; response: MessageInput<FetchResponseFetchableTopicResponse['partitions'][number]> }

function readPartition (
  topic: TopicInfo | undefined, p: FetchRequestFetchPartition, room: number, first: boolean, isolationLevel: number, context: RequestContext
): PartitionRead {
  const { broker, apiVersion } = context
  if (topic === undefined || p.partition < 0 || p.partition >= topic.partitions) {
    return failedRead(p, apiVersion >= FIRST_VERSION_WITH_TOPIC_IDS && topic === undefined ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  }
  const epochError = leaderEpochError(p)
  if (epochError !== ErrorCode.NONE) return failedRead(p, epochError)
  try {
    const store = broker.store
    const highWatermark = store.highWatermark(topic.name, p.partition)
    const logStartOffset = store.logStartOffset(topic.name, p.partition)
    const lastStableOffset = store.lastStableOffset(topic.name, p.partition)
    const committedOnly = isolationLevel === READ_COMMITTED
    const upTo = committedOnly ? lastStableOffset : highWatermark
    if (p.fetchOffset < logStartOffset || p.fetchOffset > highWatermark) return failedRead(p, ErrorCode.OFFSET_OUT_OF_RANGE)
    const limit = Math.min(p.partitionMaxBytes, room)
    let records: Buffer[] = []
    if (p.fetchOffset < upTo && (limit > 0 || first)) {
      const views = store.read(topic.name, p.partition, p.fetchOffset, Math.max(limit, 1), upTo)
      // The read keeps within the limit but for a first batch larger than it, which only the first
      // partition may return: trimming walks every batch header, so only when over the limit.
      records = first || byteLength(views) <= limit ? views : wholeBatchesWithin(views, limit)
    }
    const size = byteLength(records)
    return {
      errorCode: ErrorCode.NONE,
      size,
      response: {
        partitionIndex: p.partition,
        errorCode: ErrorCode.NONE,
        highWatermark,
        lastStableOffset,
        logStartOffset,
        abortedTransactions: committedOnly && records.length > 0 ? abortedIn(topic.name, p.partition, p.fetchOffset, upTo, context) : (committedOnly ? [] : null),
        preferredReadReplica: -1,
        records: records.length === 0 ? EMPTY : records
      }
    }
  } catch (error) {
    return failedRead(p, errorAnswer(error, broker.log, { api: 'Fetch', topic: topic.name, partition: p.partition }).errorCode)
  }
}

function failedRead (p: FetchRequestFetchPartition, errorCode: number): PartitionRead {
  return {
    errorCode, size: 0, response: { partitionIndex: p.partition, errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, preferredReadReplica: -1, records: EMPTY }
  }
}

function leaderEpochError (p: FetchRequestFetchPartition): number {
  if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch < LEADER_EPOCH) return ErrorCode.FENCED_LEADER_EPOCH
  if (p.currentLeaderEpoch > LEADER_EPOCH) return ErrorCode.UNKNOWN_LEADER_EPOCH
  return ErrorCode.NONE
}

/** Every requested partition exists, is asked for at its high watermark (nothing to read in either
 *  isolation level) and has no error to report. */
function caughtUp (wanted: Wanted[], { broker }: RequestContext): boolean {
  for (const { topic, request } of wanted) {
    if (topic === undefined) return false
    for (const p of request.partitions) {
      if (p.partition < 0 || p.partition >= topic.partitions || leaderEpochError(p) !== ErrorCode.NONE) return false
      try {
        if (broker.store.highWatermark(topic.name, p.partition) !== p.fetchOffset) return false
      } catch (error) {
        if (error instanceof StoreError) return false // gone (deleted): the read reports it
        throw error
      }
    }
  }
  return true
}

function abortedIn (topic: string, partition: number, from: number, to: number, { broker }: RequestContext): Array<{ producerId: number, firstOffset: number }> {
  return broker.store.abortedTransactions(topic, partition, from, to).map(a => ({ producerId: a.producerId, firstOffset: a.firstOffset }))
}

/**
 * Resolves on the first append past what `read` saw of any requested partition (past the fetch
 * offsets when there was no read), at the deadline, or when the connection closes or drains (broker
 * shutdown drains them all). Waiting from the high watermark the read saw, not from the current one,
 * matters: the shard may append between the read and this call, and that append must wake us.
 * One callback per partition and one timer, no promise or AbortController each: this runs once per
 * long poll, and at a few thousand polls a second their garbage showed in the profile.
 * Not async: the handler's await is then one microtask from the wake, where the Produce whose append
 * woke it is further from its answer (partition-store.ts wakes the waiters before the append's
 * promise settles), so the Fetch answer is written first: the consumer's wake-up is the one the
 * end-to-end latency waits for, and the producer's, when it preempts the network thread, delays it.
 */
function waitForAppend (wanted: Wanted[], read: TopicAnswer[] | null, timeoutMs: number, context: RequestContext): Promise<void> {
  const store = context.broker.store
  const { signal, connection } = context
  return new Promise<void>(resolve => {
    const cancels: Array<() => void> = []
    let settled = false
    const done = (): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      connection.whenEnding(null)
      for (const cancel of cancels) cancel()
      resolve()
    }
    const timer = setTimeout(done, timeoutMs)
    // Broker shutdown needs no listener of its own: the broker drains every connection after it, and
    // that ends the wait.
    connection.whenEnding(done)
    for (let t = 0; t < wanted.length && !settled; t++) {
      const { topic, request } = wanted[t]!
      if (topic === undefined) continue
      for (let i = 0; i < request.partitions.length && !settled; i++) {
        const p = request.partitions[i]!
        // Data below min_bytes is already counted: wait for more than the read saw.
        const seen = Number(read?.[t]?.partitions?.[i]?.highWatermark ?? -1)
        try {
          cancels.push(store.watchData(topic.name, p.partition, Math.max(p.fetchOffset, seen), done))
        } catch (error) {
          // Gone from the store since the read (topic deletion): answer now; the next read reports it.
          if (!(error instanceof StoreError)) throw error
          done()
        }
      }
    }
    if (signal.aborted || connection.isEnding) done()
  })
}

const EMPTY = Buffer.alloc(0)
