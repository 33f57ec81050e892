// REST Proxy v3 (application/json), for the one cluster this broker is:
//   GET    /v3/clusters[/{c}]                       KafkaClusterList / KafkaCluster
//   GET    /v3/clusters/{c}/topics[/{t}]            KafkaTopicList / KafkaTopic (internal topics listed, flagged)
//   POST   /v3/clusters/{c}/topics                  {"topic_name", "partitions_count", "replication_factor",
//                                                   "configs": [{"name", "value"}]} -> 201 KafkaTopic
//   DELETE /v3/clusters/{c}/topics/{t}              204
//   POST   /v3/clusters/{c}/topics/{t}/records      produce, single or streaming (v3-records.ts)
// Errors are {"error_code", "message"} with error_code the HTTP status, except 40002 for a topic that
// already exists (as the REST Proxy answers it); an unknown cluster id is 404.
import type { TopicInfo } from '../broker/topic-registry.js'
import { errorName, ErrorCode, KafkaError } from '../protocol/index.js'
import type { GatewayContext, RouteTable } from './gateway.js'
import { JSON_TYPE, type Exchange } from './http.js'
import { RestError } from './rest-error.js'
import { produceV3 } from './v3-records.js'

export function registerV3Routes (routes: RouteTable, ctx: GatewayContext): void {
  const views = new V3Views(ctx)
  clusterRoutes(routes, views)
  topicRoutes(routes, ctx, views)
  routes.post('/v3/clusters/:cluster/topics/:topic/records', ex => {
    // Synchronous up to streamBody(): the body stream must be claimed inside the route callback.
    produceV3(ex, ctx, views.cluster(ex), ex.param(1))
  })
}

/** The v3 resource bodies (kind, metadata.self, related links) and the lookups every route needs. */
class V3Views {
  constructor (private readonly ctx: GatewayContext) {}

  base (ex: Exchange): string {
    const host = ex.header('host') !== '' ? ex.header('host') : `${this.ctx.host}:${this.ctx.port}`
    return `http://${host}/v3/clusters/${this.ctx.broker.clusterId}`
  }

  cluster (ex: Exchange): string {
    if (ex.param(0) !== this.ctx.broker.clusterId) throw new RestError(404, 404, `Cluster ${ex.param(0)} cannot be found.`)
    return ex.param(0)
  }

  topic (ex: Exchange): TopicInfo {
    this.cluster(ex)
    const topic = this.ctx.broker.topics.get(ex.param(1))
    if (topic === undefined) throw new RestError(404, 404, `This server does not host this topic-partition: topic ${ex.param(1)} not found.`)
    return topic
  }

  topicJson (ex: Exchange, topic: TopicInfo): object {
    const { clusterId } = this.ctx.broker
    const self = `${this.base(ex)}/topics/${topic.name}`
    return {
      kind: 'KafkaTopic',
      metadata: { self, resource_name: `crn:///kafka=${clusterId}/topic=${topic.name}` },
      cluster_id: clusterId,
      topic_name: topic.name,
      is_internal: topic.internal,
      replication_factor: 1,
      partitions_count: topic.partitions,
      partitions: { related: `${self}/partitions` },
      configs: { related: `${self}/configs` },
      partition_reassignments: { related: `${self}/partitions/-/reassignment` },
      authorized_operations: []
    }
  }

  clusterJson (ex: Exchange): object {
    const { clusterId, nodeId } = this.ctx.broker
    const base = this.base(ex)
    return {
      kind: 'KafkaCluster',
      metadata: { self: base, resource_name: `crn:///kafka=${clusterId}` },
      cluster_id: clusterId,
      controller: { related: `${base}/brokers/${nodeId}` },
      brokers: { related: `${base}/brokers` },
      topics: { related: `${base}/topics` }
    }
  }
}

function clusterRoutes (routes: RouteTable, views: V3Views): void {
  routes.get('/v3/clusters', ex => {
    const self = views.base(ex).replace(/\/[^/]+$/, '')
    ex.send(200, { kind: 'KafkaClusterList', metadata: { self, next: null }, data: [views.clusterJson(ex)] }, JSON_TYPE)
  })
  routes.get('/v3/clusters/:cluster', ex => {
    views.cluster(ex)
    ex.send(200, views.clusterJson(ex), JSON_TYPE)
  })
}

function topicRoutes (routes: RouteTable, ctx: GatewayContext, views: V3Views): void {
  const { broker } = ctx
  routes.get('/v3/clusters/:cluster/topics', ex => {
    views.cluster(ex)
    const data = broker.topics.all().sort((a, b) => a.name < b.name ? -1 : 1).map(t => views.topicJson(ex, t))
    ex.send(200, { kind: 'KafkaTopicList', metadata: { self: `${views.base(ex)}/topics`, next: null }, data }, JSON_TYPE)
  })
  routes.get('/v3/clusters/:cluster/topics/:topic', ex => { ex.send(200, views.topicJson(ex, views.topic(ex)), JSON_TYPE) })
  routes.post('/v3/clusters/:cluster/topics', async ex => {
    views.cluster(ex)
    const body = await ex.json() as { topic_name?: unknown, partitions_count?: unknown, replication_factor?: unknown, configs?: unknown } | undefined
    const name = body?.topic_name
    if (typeof name !== 'string') throw new RestError(400, 400, 'topic_name must be a string')
    const partitions = body?.partitions_count ?? -1
    const replication = body?.replication_factor ?? -1
    if (!Number.isInteger(partitions) || !Number.isInteger(replication)) throw new RestError(400, 400, 'partitions_count and replication_factor must be integers')
    const configs = configList(body?.configs)
    try {
      const count = broker.topics.validateCreate(name, partitions as number, replication as number, configs)
      ex.send(201, views.topicJson(ex, await broker.topics.create(name, count, configs)), JSON_TYPE)
    } catch (error) {
      throw restErrorOf(error)
    }
  })
  routes.del('/v3/clusters/:cluster/topics/:topic', async ex => {
    const topic = views.topic(ex)
    try {
      await broker.topics.delete(topic.name)
    } catch (error) {
      throw restErrorOf(error)
    }
    broker.metrics.forgetTopic(topic.name)
    ex.send(204, null, JSON_TYPE)
  })
}

function configList (raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {}
  if (!Array.isArray(raw)) throw new RestError(400, 400, 'configs must be a list of {"name", "value"}')
  const out: Record<string, string> = {}
  for (const entry of raw) {
    const { name, value } = (entry ?? {}) as { name?: unknown, value?: unknown }
    if (typeof name !== 'string' || (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')) {
      throw new RestError(400, 400, 'every config needs a "name" and a string "value"')
    }
    out[name] = String(value)
  }
  return out
}

function restErrorOf (error: unknown): unknown {
  if (!(error instanceof KafkaError)) return error
  if (error.code === ErrorCode.TOPIC_ALREADY_EXISTS) return new RestError(400, 40002, error.message)
  if (error.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return new RestError(404, 404, error.message)
  return new RestError(400, 400, `${errorName(error.code)}: ${error.message}`)
}
