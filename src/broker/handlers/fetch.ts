// Fetch: zero-copy reads of the stored batch bytes, bounded by the high watermark, with Kafka's long
// poll: the answer waits up to max_wait_ms for min_bytes, woken by appends, never by a timer loop.
// read_committed (isolation level 1) reads only below the last stable offset (no transaction open
// below it) and lists the aborted transactions that overlap what it may return, so the client drops
// their records; read_uncommitted reads to the high watermark and gets a null list, as from Kafka.
//
// Sessions (KIP-227) are declined: we answer session id 0, so clients keep sending full fetches, and
// every full answer lists every requested partition, as the Java client demands.
// Size limits (KIP-74): max_bytes for the response and partition_max_bytes per partition, except that
// the first batch of the first non-empty partition goes out whole whatever its size.
import { wholeBatchesWithin } from '../../protocol/codec/batch-peek.js'
import {
  decodeFetchRequest, encodeFetchResponse, ErrorCode, fetchApi, type FetchRequest, type FetchRequestFetchPartition,
  type FetchResponse, type FetchResponseFetchableTopicResponse, type MessageInput
} from '../../protocol/index.js'
import { defineHandler, type RequestContext } from '../handler.js'
import type { TopicInfo } from '../topic-registry.js'
import { LEADER_EPOCH } from '../topics.js'
import { errorAnswer } from './errors.js'

const FIRST_VERSION_WITH_TOPIC_IDS = 13
const NO_SESSION = 0
const READ_COMMITTED = 1

type TopicAnswer = MessageInput<FetchResponseFetchableTopicResponse>

interface Wanted { topic: TopicInfo | undefined; request: FetchRequest['topics'][number] }

export const fetchHandler = defineHandler<FetchRequest, FetchResponse>({
  api: fetchApi,
  decode: decodeFetchRequest,
  encode: encodeFetchResponse,
  async handle (request, context) {
    if (request.sessionId !== NO_SESSION) {
      return { errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: NO_SESSION, responses: [] }
    }
    const { broker, apiVersion } = context
    const byId = apiVersion >= FIRST_VERSION_WITH_TOPIC_IDS
    const wanted: Wanted[] = request.topics.map(t => ({ request: t, topic: byId ? broker.topics.getById(t.topicId) : broker.topics.get(t.topic) }))
    const deadline = Date.now() + Math.max(0, request.maxWaitMs)
    for (;;) {
      const { responses, bytes, settled } = readAll(wanted, request, context)
      const remaining = deadline - Date.now()
      if (settled || bytes >= request.minBytes || remaining <= 0 || context.signal.aborted || context.connection.isClosed) {
        return { errorCode: ErrorCode.NONE, sessionId: NO_SESSION, responses }
      }
      await waitForAppend(wanted, remaining, context)
    }
  }
})

/** One pass over every requested partition. `settled`: some partition has an error, answer now. */
function readAll (wanted: Wanted[], request: FetchRequest, context: RequestContext): { responses: TopicAnswer[]; bytes: number; settled: boolean } {
  let bytes = 0
  let settled = false
  const responses = wanted.map(({ topic, request: t }): TopicAnswer => ({
    topic: t.topic,
    topicId: t.topicId,
    partitions: t.partitions.map(p => {
      const answer = readPartition(topic, p, Math.max(0, request.maxBytes - bytes), bytes === 0, request.isolationLevel, context)
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
  const fail = (errorCode: number): PartitionRead => ({
    errorCode, size: 0, response: { partitionIndex: p.partition, errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, preferredReadReplica: -1, records: EMPTY }
  })
  if (topic === undefined || p.partition < 0 || p.partition >= topic.partitions) {
    return fail(apiVersion >= FIRST_VERSION_WITH_TOPIC_IDS && topic === undefined ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  }
  if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch < LEADER_EPOCH) return fail(ErrorCode.FENCED_LEADER_EPOCH)
  if (p.currentLeaderEpoch > LEADER_EPOCH) return fail(ErrorCode.UNKNOWN_LEADER_EPOCH)
  try {
    const store = broker.store
    const highWatermark = store.highWatermark(topic.name, p.partition)
    const logStartOffset = store.logStartOffset(topic.name, p.partition)
    const lastStableOffset = store.lastStableOffset(topic.name, p.partition)
    const committedOnly = isolationLevel === READ_COMMITTED
    const upTo = committedOnly ? lastStableOffset : highWatermark
    if (p.fetchOffset < logStartOffset || p.fetchOffset > highWatermark) return fail(ErrorCode.OFFSET_OUT_OF_RANGE)
    const limit = Math.min(p.partitionMaxBytes, room)
    let records: Buffer[] = []
    if (p.fetchOffset < upTo && (limit > 0 || first)) {
      const views = store.read(topic.name, p.partition, p.fetchOffset, Math.max(limit, 1), upTo)
      records = first ? views : wholeBatchesWithin(views, limit)
    }
    let size = 0
    for (const view of records) size += view.length
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
    return fail(errorAnswer(error, broker.log, { api: 'Fetch', topic: topic.name, partition: p.partition }).errorCode)
  }
}

function abortedIn (topic: string, partition: number, from: number, to: number, { broker }: RequestContext): Array<{ producerId: number, firstOffset: number }> {
  return broker.store.abortedTransactions(topic, partition, from, to).map(a => ({ producerId: a.producerId, firstOffset: a.firstOffset }))
}

/** Resolves on the first append to any requested partition, the deadline, shutdown or disconnect. */
async function waitForAppend (wanted: Wanted[], timeoutMs: number, context: RequestContext): Promise<void> {
  // A plain controller, timer and listeners rather than AbortSignal.any()/timeout(): with those, about
  // one long poll in thirty went unanswered on Node 20 (a composite signal that never fired).
  const done = new AbortController()
  const stop = (): void => done.abort()
  const timer = setTimeout(stop, timeoutMs)
  context.signal.addEventListener('abort', stop, { once: true })
  context.connection.closed.addEventListener('abort', stop, { once: true })
  if (context.signal.aborted || context.connection.isClosed) stop()
  const store = context.broker.store
  const waits: Array<Promise<void>> = [new Promise(resolve => done.signal.addEventListener('abort', () => resolve(), { once: true }))]
  for (const { topic, request } of wanted) {
    if (topic === undefined) continue
    for (const p of request.partitions) {
      // Past what is there now: data below min_bytes is already counted, so wait for more.
      const from = Math.max(p.fetchOffset, store.highWatermark(topic.name, p.partition))
      waits.push(store.waitForData(topic.name, p.partition, from, done.signal))
    }
  }
  try {
    await Promise.race(waits.map(w => w.catch(() => undefined)))
  } finally {
    clearTimeout(timer)
    context.signal.removeEventListener('abort', stop)
    context.connection.closed.removeEventListener('abort', stop)
    done.abort()
  }
}

const EMPTY = Buffer.alloc(0)
