// POST /v3/clusters/{cluster}/topics/{topic}/records, the REST Proxy v3 produce.
//
// Request: one JSON object per record: {"partition_id", "headers": [{"name", "value" (base64)}],
// "key": {"type": "BINARY"|"JSON"|"STRING", "data"}, "value": {...}, "timestamp" (ISO 8601)}; a key
// or value without a type is BINARY, as in the REST Proxy. Answer per record: {"error_code": 200,
// "cluster_id", "topic_name", "partition_id", "offset", "timestamp", "key": {"type", "size"}, "value"}
// or {"error_code", "message"} (400 bad record, 404 unknown topic or partition, 413 larger than the
// topic's max.message.bytes, 500 Kafka error).
//
// Streaming mode (Transfer-Encoding: chunked): records are read as they arrive (Concatenated JSON,
// typically one per line) and each result is written as one line as soon as it and all before it are
// done, in request order, over a 200 chunked answer that ends when the request does. A body that is
// not chunked but holds several records is answered the same way; a single record gets a single
// answer with its error_code as the HTTP status.
import type { RecordHeader } from '../protocol/codec/record-batch.js'
import type { GatewayContext } from './gateway.js'
import type { Exchange } from './http.js'
import { JsonSplitError, JsonSplitter } from './json-stream.js'
import { ProduceRefused, type OutgoingRecord, type RecordResult } from './producer.js'
import { badRequest } from './rest-error.js'
import { isBase64 } from './rest-format.js'

type DataType = 'BINARY' | 'JSON' | 'STRING'
interface Parsed { record: OutgoingRecord, key: { type: DataType, size: number } | null, value: { type: DataType, size: number } | null }
type Answer = Record<string, unknown> & { error_code: number }

class BadRecord extends Error {}

export function produceV3 (ex: Exchange, ctx: GatewayContext, clusterId: string, topic: string): void {
  const produceOne = async (json: Buffer): Promise<Answer> => {
    let parsed: Parsed
    try {
      parsed = parseRecord(json)
    } catch (error) {
      if (!(error instanceof BadRecord)) throw error
      return { error_code: 400, message: error.message }
    }
    let result: RecordResult | undefined
    try {
      [result] = await ctx.producer.produce(topic, [parsed.record])
    } catch (error) {
      if (!(error instanceof ProduceRefused)) throw error
      return { error_code: 404, message: error.message }
    }
    if (result === undefined) throw new Error('the producer answered no result')
    if (!result.ok) return { error_code: result.errorCode === 10 ? 413 : 500, message: result.message }
    return {
      error_code: 200,
      cluster_id: clusterId,
      topic_name: topic,
      partition_id: result.partition,
      offset: result.offset,
      timestamp: new Date(result.timestamp).toISOString(),
      key: parsed.key,
      value: parsed.value
    }
  }
  const chunked = ex.header('transfer-encoding').toLowerCase().includes('chunked')
  if (chunked) {
    streamResults(ex, ctx, produceOne)
    return
  }
  ex.body().then(async body => {
    const values = splitAll(body, ctx)
    if (values.length === 1) {
      const answer = await produceOne(values[0]!)
      ex.send(answer.error_code === 200 ? 200 : answer.error_code, answer, 'application/json')
      return
    }
    ex.startStream()
    for (const answer of await Promise.all(values.map(produceOne))) ex.writeLine(answer)
    ex.endStream()
  }).catch((error: unknown) => { ex.fail(error) })
}

function splitAll (body: Buffer, ctx: GatewayContext): Buffer[] {
  const splitter = new JsonSplitter(ctx.broker.config['http.max.body.bytes'])
  try {
    const values = splitter.push(body)
    splitter.end()
    if (values.length === 0) throw new JsonSplitError('the body holds no record')
    return values
  } catch (error) {
    if (!(error instanceof JsonSplitError)) throw error
    throw badRequest(error.message)
  }
}

/** Answers in request order while later records may finish first; stops reading at a framing error. */
function streamResults (ex: Exchange, ctx: GatewayContext, produceOne: (json: Buffer) => Promise<Answer>): void {
  const splitter = new JsonSplitter(ctx.broker.config['http.max.body.bytes'])
  const queue: Array<{ answer: Answer | null }> = []
  let ended = false
  const flush = (): void => {
    while (queue.length > 0 && queue[0]!.answer !== null) ex.writeLine(queue.shift()!.answer)
    if (ended && queue.length === 0) ex.endStream()
  }
  const enqueue = (work: Promise<Answer>): void => {
    const slot: { answer: Answer | null } = { answer: null }
    queue.push(slot)
    work.then(answer => { slot.answer = answer }, (error: unknown) => {
      ctx.broker.log.error({ err: error }, 'v3 streaming produce failed unexpectedly')
      slot.answer = { error_code: 500, message: 'the produce failed unexpectedly' }
    }).finally(flush)
  }
  ex.startStream()
  ex.streamBody((chunk, last) => {
    if (ended) return
    try {
      for (const value of splitter.push(chunk)) enqueue(produceOne(value))
      if (last) splitter.end()
    } catch (error) {
      if (!(error instanceof JsonSplitError)) throw error
      enqueue(Promise.resolve({ error_code: 400, message: error.message }))
      ended = true
    }
    if (last) ended = true
    if (ended) flush()
  })
}

function parseRecord (json: Buffer): Parsed {
  let raw: unknown
  try {
    raw = JSON.parse(json.toString('utf8'))
  } catch (error) {
    throw new BadRecord(`Malformed JSON: ${(error as Error).message}`)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new BadRecord('a record must be a JSON object')
  const r = raw as { partition_id?: unknown, headers?: unknown, key?: unknown, value?: unknown, timestamp?: unknown }
  if (r.partition_id !== undefined && r.partition_id !== null && !Number.isInteger(r.partition_id)) throw new BadRecord('partition_id must be an integer')
  let timestamp: number | undefined
  if (r.timestamp !== undefined && r.timestamp !== null) {
    timestamp = typeof r.timestamp === 'string' ? Date.parse(r.timestamp) : NaN
    if (!Number.isFinite(timestamp) || timestamp < 0) throw new BadRecord('timestamp must be an ISO 8601 date-time')
  }
  const key = data(r.key, 'key')
  const value = data(r.value, 'value')
  return {
    record: { partition: r.partition_id as number | null | undefined, key: key?.bytes ?? null, value: value?.bytes ?? null, headers: headers(r.headers), timestamp },
    key: key === null ? null : { type: key.type, size: key.bytes?.length ?? 0 },
    value: value === null ? null : { type: value.type, size: value.bytes?.length ?? 0 }
  }
}

function data (raw: unknown, what: string): { type: DataType, bytes: Buffer | null } | null {
  if (raw === undefined || raw === null) return null
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new BadRecord(`${what} must be an object with "type" and "data"`)
  const { type = 'BINARY', data: payload } = raw as { type?: unknown, data?: unknown }
  if (type !== 'BINARY' && type !== 'JSON' && type !== 'STRING') throw new BadRecord(`${what}.type ${String(type)} is not supported (BINARY, JSON or STRING; no schema registry)`)
  if (payload === undefined || payload === null) return { type, bytes: null }
  if (type === 'JSON') return { type, bytes: Buffer.from(JSON.stringify(payload)) }
  if (typeof payload !== 'string') throw new BadRecord(`${what}.data must be a string for type ${type}`)
  if (type === 'STRING') return { type, bytes: Buffer.from(payload) }
  if (!isBase64(payload)) throw new BadRecord(`${what}.data is not base64`)
  return { type, bytes: Buffer.from(payload, 'base64') }
}

function headers (raw: unknown): RecordHeader[] {
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw)) throw new BadRecord('headers must be a list of {"name", "value"}')
  return raw.map((h: unknown) => {
    const { name, value } = (h ?? {}) as { name?: unknown, value?: unknown }
    if (typeof name !== 'string') throw new BadRecord('every header needs a "name" string')
    if (value === undefined || value === null) return { key: name, value: null }
    if (typeof value !== 'string' || !isBase64(value)) throw new BadRecord(`header ${name}: value must be base64`)
    return { key: name, value: Buffer.from(value, 'base64') }
  })
}
