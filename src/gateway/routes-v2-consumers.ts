// REST Proxy v2 consumer instances, under /consumers/{group}/instances/{instance}:
//   POST   /consumers/{g}                       create: name, format (binary|json), auto.offset.reset,
//                                               auto.commit.enable, fetch.min.bytes, consumer.request.timeout.ms
//   DELETE .../{i}                              204; leaves the group (committing first with auto commit)
//   POST|GET|DELETE .../subscription            {"topics": [...]} or {"topic_pattern": "..."}
//   POST|GET .../assignments                    {"partitions": [{"topic", "partition"}]}
//   POST .../positions[/beginning|/end]         seek
//   GET  .../records?timeout=&max_bytes=        [{"topic", "key", "value", "partition", "offset"}]
//   POST|GET .../offsets                        commit (empty body: every position) / committed offsets
// Errors: 40403 unknown instance, 40902 duplicate name, 42204 bad config, 40601 Accept not matching the
// instance's format, 40901/40903 conflicting subscription and assignment, 40401/40402 unknown partitions.
import type { Broker } from '../broker/broker.js'
import type { TopicPartition } from '../groups/group-offsets.js'
import type { GatewayContext, RouteTable } from './gateway.js'
import type { Exchange } from './http.js'
import type { ConsumerConfig, RestConsumer } from './rest-consumer.js'
import { partitionNotFound, RestError, topicNotFound, unprocessable } from './rest-error.js'
import { acceptsFormat, encodeEmbedded } from './rest-format.js'

const DEFAULT_REQUEST_TIMEOUT_MS = 1000
const MAX_REQUEST_TIMEOUT_MS = 300_000

const BASE = '/consumers/:group/instances/:instance'

export function registerV2ConsumerRoutes (routes: RouteTable, ctx: GatewayContext): void {
  lifecycleRoutes(routes, ctx)
  positionRoutes(routes, ctx)
  recordRoutes(routes, ctx)
}

function instanceOf (ctx: GatewayContext, ex: Exchange): RestConsumer {
  return ctx.consumers.get(ex.param(0), ex.param(1))
}

/** Create and delete instances; subscribe and unsubscribe. */
function lifecycleRoutes (routes: RouteTable, ctx: GatewayContext): void {
  const { consumers } = ctx
  const base = BASE
  const instance = (ex: Exchange): RestConsumer => instanceOf(ctx, ex)
  routes.post('/consumers/:group', async ex => {
    const body = asObject(await ex.json() ?? {}, 'the request body')
    const consumer = consumers.create(ex.param(0), optionalString(body.name, 'name'), consumerConfig(body))
    const host = ex.header('host') !== '' ? ex.header('host') : `${ctx.host}:${ctx.port}`
    ex.send(200, { instance_id: consumer.name, base_uri: `http://${host}/consumers/${encodeURIComponent(consumer.group)}/instances/${encodeURIComponent(consumer.name)}` })
  })
  routes.del(base, async ex => {
    await consumers.delete(ex.param(0), ex.param(1))
    ex.send(204, null)
  })
  routes.post(`${base}/subscription`, async ex => {
    const consumer = instance(ex)
    const body = asObject(await ex.json(), 'the request body')
    const pattern = optionalString(body.topic_pattern, 'topic_pattern') ?? null
    const topics = pattern === null ? stringList(body.topics, 'topics') : []
    await consumer.subscribe(topics, pattern)
    ex.send(204, null)
  })
  routes.get(`${base}/subscription`, ex => { ex.send(200, { topics: instance(ex).subscription }) })
  routes.del(`${base}/subscription`, async ex => {
    await instance(ex).unsubscribe()
    ex.send(204, null)
  })
}

/** Manual assignment and seeks. */
function positionRoutes (routes: RouteTable, ctx: GatewayContext): void {
  const { broker } = ctx
  const base = BASE
  const instance = (ex: Exchange): RestConsumer => instanceOf(ctx, ex)
  routes.post(`${base}/assignments`, async ex => {
    const consumer = instance(ex)
    consumer.assign(partitionList(broker, asObject(await ex.json(), 'the request body').partitions))
    ex.send(204, null)
  })
  routes.get(`${base}/assignments`, ex => { ex.send(200, { partitions: instance(ex).assignment }) })
  routes.post(`${base}/positions`, async ex => {
    const consumer = instance(ex)
    consumer.seek(offsetList(broker, asObject(await ex.json(), 'the request body').offsets))
    ex.send(204, null)
  })
  for (const where of ['beginning', 'end'] as const) {
    routes.post(`${base}/positions/${where}`, async ex => {
      const consumer = instance(ex)
      consumer.seekTo(partitionList(broker, asObject(await ex.json(), 'the request body').partitions), where)
      ex.send(204, null)
    })
  }
}

/** Fetching records, committing and reading committed offsets. */
function recordRoutes (routes: RouteTable, ctx: GatewayContext): void {
  const { broker } = ctx
  const base = BASE
  const instance = (ex: Exchange): RestConsumer => instanceOf(ctx, ex)
  routes.get(`${base}/records`, async ex => {
    const consumer = instance(ex)
    const format = consumer.config.format
    if (!acceptsFormat(ex.header('accept'), format)) {
      throw new RestError(406, 40601, 'The requested embedded data format does not match the deserializer for this consumer instance')
    }
    const timeout = queryInt(ex, 'timeout', consumer.config.requestTimeoutMs, MAX_REQUEST_TIMEOUT_MS)
    const maxBytes = Math.min(queryInt(ex, 'max_bytes', ctx.maxConsumerBytes, ctx.maxConsumerBytes), ctx.maxConsumerBytes)
    const records = await consumer.poll(timeout, maxBytes)
    ex.send(200, records.map(({ topic, partition, record }) => {
      const where = `${topic}-${partition}@${String(record.offset)}`
      return { topic, key: encodeEmbedded(format, record.key, where), value: encodeEmbedded(format, record.value, where), partition, offset: Number(record.offset) }
    }), `application/vnd.kafka.${format}.v2+json`)
  })
  routes.post(`${base}/offsets`, async ex => {
    const consumer = instance(ex)
    const body = await ex.json()
    const offsets = (body as { offsets?: unknown } | undefined)?.offsets
    await consumer.commit(offsets === undefined ? null : offsetList(broker, offsets))
    ex.send(200, null)
  })
  routes.get(`${base}/offsets`, async ex => {
    const consumer = instance(ex)
    const partitions = partitionList(broker, asObject(await ex.json(), 'the request body').partitions)
    ex.send(200, { offsets: consumer.committed(partitions) })
  }, { body: true })
}

function consumerConfig (body: Record<string, unknown>): ConsumerConfig {
  const invalid = (what: string): RestError => new RestError(422, 42204, `Invalid consumer configuration: ${what}`)
  const format = String(body.format ?? 'binary').toLowerCase()
  if (format !== 'binary' && format !== 'json') throw invalid(`format ${format} is not supported (binary or json)`)
  const reset = String(body['auto.offset.reset'] ?? 'latest').toLowerCase()
  if (reset !== 'earliest' && reset !== 'latest' && reset !== 'none') throw invalid(`auto.offset.reset ${reset} is not earliest, latest or none`)
  const commit = String(body['auto.commit.enable'] ?? 'true').toLowerCase()
  if (commit !== 'true' && commit !== 'false') throw invalid(`auto.commit.enable ${commit} is not true or false`)
  const isolation = String(body['isolation.level'] ?? 'read_uncommitted').toLowerCase()
  if (isolation !== 'read_uncommitted' && isolation !== 'read_committed') throw invalid(`isolation.level ${isolation} is not read_uncommitted or read_committed`)
  const number = (name: string, fallback: number, max: number): number => {
    const raw = body[name]
    if (raw === undefined || raw === null) return fallback
    const n = Number(raw)
    if (!Number.isInteger(n) || n > max) throw invalid(`${name} ${String(raw)} is not an integer up to ${max}`)
    return n < 0 ? fallback : n
  }
  return {
    format,
    autoOffsetReset: reset,
    autoCommit: commit === 'true',
    fetchMinBytes: number('fetch.min.bytes', 1, 2 ** 31 - 1),
    requestTimeoutMs: number('consumer.request.timeout.ms', DEFAULT_REQUEST_TIMEOUT_MS, MAX_REQUEST_TIMEOUT_MS),
    isolation
  }
}

function asObject (value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw unprocessable(`${what} must be a JSON object`)
  return value as Record<string, unknown>
}

function optionalString (value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string' || value === '') throw unprocessable(`${what} must be a non-empty string`)
  return value
}

function stringList (value: unknown, what: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every(v => typeof v === 'string' && v !== '')) {
    throw unprocessable(`${what} must be a non-empty list of names`)
  }
  return value as string[]
}

function partitionList (broker: Broker, value: unknown): TopicPartition[] {
  if (!Array.isArray(value)) throw unprocessable('partitions must be a list of {"topic", "partition"}')
  return value.map(raw => checkedPartition(broker, raw))
}

function offsetList (broker: Broker, value: unknown): Array<TopicPartition & { offset: number }> {
  if (!Array.isArray(value)) throw unprocessable('offsets must be a list of {"topic", "partition", "offset"}')
  return value.map(raw => {
    const tp = checkedPartition(broker, raw)
    const offset = (raw as { offset?: unknown }).offset
    if (!Number.isInteger(offset) || (offset as number) < 0) throw unprocessable(`the offset of ${tp.topic}-${tp.partition} must be a non-negative integer`)
    return { ...tp, offset: offset as number }
  })
}

function checkedPartition (broker: Broker, raw: unknown): TopicPartition {
  const { topic, partition } = asObject(raw, 'each partition') as { topic?: unknown, partition?: unknown }
  if (typeof topic !== 'string' || !Number.isInteger(partition)) throw unprocessable('each partition needs a "topic" string and a "partition" integer')
  const info = broker.topics.get(topic)
  if (info === undefined) throw topicNotFound(topic)
  if ((partition as number) < 0 || (partition as number) >= info.partitions) throw partitionNotFound(topic, partition as number)
  return { topic, partition: partition as number }
}

function queryInt (ex: Exchange, name: string, fallback: number, max: number): number {
  const raw = ex.info.query.get(name)
  if (raw === null || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 0) throw unprocessable(`${name} must be a non-negative integer`)
  return Math.min(n, max)
}
