// REST Proxy v2: topic and partition metadata, partition offsets, and produce
//   GET  /topics                                   names (internal topics left out, as AdminClient lists them)
//   GET  /topics/{t}                               name, effective configs, partitions with leader and replicas
//   GET  /topics/{t}/partitions[/{p}]              partition metadata
//   GET  /topics/{t}/partitions/{p}/offsets        {"beginning_offset", "end_offset"}
//   POST /topics/{t}, /topics/{t}/partitions/{p}   records in, per-record partition and offset (or error) out
// Errors: 40401 topic not found, 40402 partition not found, 415 content type, 400 malformed JSON,
// 422 invalid records, 413 body too large. A record too large for the topic fails alone, with the
// per-record error_code 1 (non-retriable), as the REST Proxy reports producer exceptions.
import type { TopicInfo } from '../broker/topic-registry.js'
import { topicConfigs } from '../config/settings.js'
import type { GatewayContext, RouteTable } from './gateway.js'
import type { Exchange } from './http.js'
import { ProduceRefused, type OutgoingRecord, type RecordResult } from './producer.js'
import { partitionNotFound, topicNotFound } from './rest-error.js'
import { decodeV2Records, producedFormat } from './rest-format.js'

export function registerV2TopicRoutes (routes: RouteTable, ctx: GatewayContext): void {
  const { broker } = ctx
  const topicOf = (ex: Exchange): TopicInfo => {
    const topic = broker.topics.get(ex.param(0))
    if (topic === undefined || topic.internal) throw topicNotFound(ex.param(0))
    return topic
  }
  const partitionOf = (ex: Exchange, topic: TopicInfo): number => {
    const p = Number(ex.param(1))
    if (!/^\d+$/.test(ex.param(1)) || p >= topic.partitions) throw partitionNotFound(topic.name, ex.param(1))
    return p
  }
  const partitionInfo = (p: number): object => ({
    partition: p, leader: broker.nodeId, replicas: [{ broker: broker.nodeId, leader: true, in_sync: true }]
  })

  routes.get('/topics', ex => {
    ex.send(200, broker.topics.all().filter(t => !t.internal).map(t => t.name).sort())
  })
  routes.get('/topics/:topic', ex => {
    const topic = topicOf(ex)
    const configs: Record<string, string> = {}
    for (const name of Object.keys(topicConfigs)) configs[name] = String(broker.topics.setting(topic, name))
    ex.send(200, { name: topic.name, configs, partitions: range(topic.partitions).map(partitionInfo) })
  })
  routes.get('/topics/:topic/partitions', ex => {
    ex.send(200, range(topicOf(ex).partitions).map(partitionInfo))
  })
  routes.get('/topics/:topic/partitions/:partition', ex => {
    const topic = topicOf(ex)
    ex.send(200, partitionInfo(partitionOf(ex, topic)))
  })
  routes.get('/topics/:topic/partitions/:partition/offsets', ex => {
    const topic = topicOf(ex)
    const p = partitionOf(ex, topic)
    ex.send(200, { beginning_offset: broker.store.logStartOffset(topic.name, p), end_offset: broker.store.highWatermark(topic.name, p) })
  })
  routes.post('/topics/:topic', async ex => {
    const format = producedFormat(ex.header('content-type'))
    const records = decodeV2Records(await ex.json(), format, true)
    await answerProduce(ex, ctx, topicOf(ex).name, records)
  })
  routes.post('/topics/:topic/partitions/:partition', async ex => {
    const format = producedFormat(ex.header('content-type'))
    const records = decodeV2Records(await ex.json(), format, false)
    const topic = topicOf(ex)
    const partition = partitionOf(ex, topic)
    await answerProduce(ex, ctx, topic.name, records.map(r => ({ ...r, partition })))
  })
}

async function answerProduce (ex: Exchange, ctx: GatewayContext, topic: string, records: OutgoingRecord[]): Promise<void> {
  let results: RecordResult[]
  try {
    results = await ctx.producer.produce(topic, records)
  } catch (error) {
    if (!(error instanceof ProduceRefused)) throw error
    throw error.reason === 'unknown-topic' ? topicNotFound(topic) : partitionNotFound(topic, error.partition ?? -1)
  }
  ex.send(200, {
    key_schema_id: null,
    value_schema_id: null,
    offsets: results.map(r => r.ok
      ? { partition: r.partition, offset: r.offset, error_code: null, error: null }
      : { partition: r.partition, offset: null, error_code: r.retriable ? 2 : 1, error: r.message })
  })
}

function range (n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}
