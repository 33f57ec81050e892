// GET /metrics: the Prometheus text exposition format (version 0.0.4). Counters come from
// broker.metrics and the gateway's own counters; gauges (offsets, sizes, lag, connections, memory) are
// read at scrape time, so nothing is maintained for them between scrapes.
import type { Broker } from '../broker/broker.js'
import { QUANTILES, UNSERVED_API } from '../broker/metrics.js'
import { apiByKey } from '../protocol/index.js'
import type { BatcherStats } from './produce-batcher.js'
import type { FeedStats } from './feed-hub.js'

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

export interface GatewayStats {
  httpByStatus: ReadonlyMap<number, number>
  httpInFlight: number
  websockets: number
  websocketBufferedBytes: number
  slowDisconnects: number
  subscriptions: number
  pausedSubscriptions: number
  restConsumers: number
  batcher: BatcherStats
  feed: FeedStats
}

type Labels = Record<string, string | number>

class Exposition {
  private readonly lines: string[] = []

  family (name: string, type: 'counter' | 'gauge' | 'summary', help: string, samples: Array<[Labels, number]>): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    for (const [labels, value] of samples) this.sample(name, labels, value)
  }

  sample (name: string, labels: Labels, value: number): void {
    const text = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(String(v))}"`).join(',')
    this.lines.push(`${name}${text === '' ? '' : `{${text}}`} ${formatValue(value)}`)
  }

  toString (): string { return this.lines.join('\n') + '\n' }
}

export function renderMetrics (broker: Broker, gateway: GatewayStats): string {
  const out = new Exposition()
  kafkaRequests(out, broker)
  topicTraffic(out, broker)
  partitions(out, broker)
  groupLag(out, broker)
  clientQuotas(out, broker)
  gatewayMetrics(out, broker, gateway)
  const shards = broker.store.stats().shards
  out.family('sluice_shard_messages_total', 'counter', 'Messages sent to each storage shard (one per event-loop turn with work for it).', shards.map((s, shard) => [{ shard }, s.messages]))
  out.family('sluice_shard_ops_total', 'counter', 'Operations sent to each storage shard.', shards.map((s, shard) => [{ shard }, s.ops]))
  out.family('sluice_shard_payload_bytes_total', 'counter', 'Record batch bytes sent to each storage shard.', shards.map((s, shard) => [{ shard }, s.payloadBytes]))
  out.family('sluice_shard_queue_depth', 'gauge', 'Storage shard operations (appends and control ops) by state: queued for this event-loop turn\'s message, ' +
    'or in_flight (sent, answer pending); their sum is the replies the shard still owes.',
  shards.flatMap((s, shard): Array<[Labels, number]> => [[{ shard, state: 'queued' }, s.queued], [{ shard, state: 'in_flight' }, s.inFlight]]))
  const memory = process.memoryUsage()
  out.family('process_resident_memory_bytes', 'gauge', 'Resident set size (includes mapped log segments that were read).', [[{}, memory.rss]])
  out.family('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use.', [[{}, memory.heapUsed]])
  out.family('nodejs_heap_total_bytes', 'gauge', 'V8 heap reserved.', [[{}, memory.heapTotal]])
  out.family('nodejs_external_memory_bytes', 'gauge', 'Memory of C++ objects bound to JS objects, Buffers included.', [[{}, memory.external]])
  out.family('nodejs_array_buffers_bytes', 'gauge', 'Memory of ArrayBuffers and Buffers (not counting mapped segments).', [[{}, memory.arrayBuffers]])
  out.family('process_uptime_seconds', 'gauge', 'Seconds since the process started.', [[{}, process.uptime()]])
  return out.toString()
}

function kafkaRequests (out: Exposition, broker: Broker): void {
  const apis = broker.metrics.apiSnapshots()
  const name = (key: number): string => key === UNSERVED_API ? 'unserved' : apiByKey(key)?.name ?? `api_${key}`
  out.family('sluice_kafka_requests_total', 'counter', 'Kafka protocol requests handled, by API.', apis.map(a => [{ api: name(a.apiKey) }, a.requests]))
  out.family('sluice_kafka_request_errors_total', 'counter', 'Kafka protocol requests that failed and closed their connection, by API.', apis.map(a => [{ api: name(a.apiKey) }, a.errors]))
  out.family('sluice_kafka_request_duration_seconds', 'summary', 'Kafka request latency by API; quantiles over the last one to two minutes.', [])
  for (const a of apis) {
    for (const [i, q] of QUANTILES.entries()) {
      const value = a.quantiles[i]
      if (value !== undefined) out.sample('sluice_kafka_request_duration_seconds', { api: name(a.apiKey), quantile: q }, value)
    }
    out.sample('sluice_kafka_request_duration_seconds_sum', { api: name(a.apiKey) }, a.totalSeconds)
    out.sample('sluice_kafka_request_duration_seconds_count', { api: name(a.apiKey) }, a.requests)
  }
}

function topicTraffic (out: Exposition, broker: Broker): void {
  const rows: Array<[string, { bytesIn: number, recordsIn: number, bytesOut: number, recordsOut: number }]> = []
  for (const [topic, traffic] of broker.metrics.topics()) {
    if (broker.topics.get(topic) === undefined) broker.metrics.forgetTopic(topic)
    else rows.push([topic, traffic])
  }
  out.family('sluice_topic_bytes_in_total', 'counter', 'Record batch bytes appended, by topic (Kafka producers and the gateway).', rows.map(([topic, t]) => [{ topic }, t.bytesIn]))
  out.family('sluice_topic_records_in_total', 'counter', 'Records appended, by topic.', rows.map(([topic, t]) => [{ topic }, t.recordsIn]))
  out.family('sluice_topic_bytes_out_total', 'counter', 'Bytes sent to consumers, by topic: fetched batches, gateway frames and REST records.', rows.map(([topic, t]) => [{ topic }, t.bytesOut]))
  out.family('sluice_topic_records_out_total', 'counter', 'Records sent to consumers, by topic.', rows.map(([topic, t]) => [{ topic }, t.recordsOut]))
}

function partitions (out: Exposition, broker: Broker): void {
  const ids = broker.store.partitions()
    .sort((a, b) => a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition)
    .map(({ topic, partition }): Labels & { topic: string, partition: number } => ({ topic, partition }))
  const { store } = broker
  out.family('sluice_partition_log_start_offset', 'gauge', 'First offset still in the log.', ids.map(id => [id, store.logStartOffset(id.topic, id.partition)]))
  out.family('sluice_partition_high_watermark', 'gauge', 'Offset of the next record appended (log end offset).', ids.map(id => [id, store.highWatermark(id.topic, id.partition)]))
  out.family('sluice_partition_size_bytes', 'gauge', 'Bytes of the partition\'s segments on disk.', ids.map(id => [id, store.sizeBytes(id.topic, id.partition)]))
}

function groupLag (out: Exposition, broker: Broker): void {
  const committed: Array<[Labels, number]> = []
  const lag: Array<[Labels, number]> = []
  for (const { groupId } of broker.groups.listGroups()) {
    for (const row of broker.groups.groupLag(groupId) ?? []) {
      const labels = { group: groupId, topic: row.topic, partition: row.partition }
      committed.push([labels, row.committedOffset])
      if (row.lag !== null) lag.push([labels, row.lag])
    }
  }
  out.family('sluice_consumer_group_committed_offset', 'gauge', 'Committed offset per group and partition.', committed)
  out.family('sluice_consumer_group_lag', 'gauge', 'Log end offset minus committed offset per group and partition.', lag)
}

/** Clients measured against a quota (none unless quotas are set): Kafka's per user/client-id metrics. */
function clientQuotas (out: Exposition, broker: Broker): void {
  const rows = broker.quotaEnforcer.metrics()
  const labels = (r: (typeof rows)[number]): Labels => ({ quota: r.quota, user: r.user, client_id: r.clientId })
  out.family('sluice_client_quota_rate', 'gauge', 'Rate measured per quota type (Produce, Fetch: bytes/s; Request: % of a thread) and user/client-id, over the quota windows.', rows.map(r => [labels(r), r.rate]))
  out.family('sluice_client_quota_limit', 'gauge', 'The quota that applies to the same client.', rows.map(r => [labels(r), r.limit]))
  out.family('sluice_client_quota_throttle_seconds_total', 'counter', 'Throttle time given to the client (its connection muted meanwhile).', rows.map(r => [labels(r), r.throttleMsTotal / 1000]))
  out.family('sluice_client_quota_throttles_total', 'counter', 'Answers that throttled the client.', rows.map(r => [labels(r), r.throttles]))
}

function gatewayMetrics (out: Exposition, broker: Broker, g: GatewayStats): void {
  out.family('sluice_connections', 'gauge', 'Open connections by front end (http: requests in flight).', [
    [{ listener: 'kafka' }, broker.kafkaConnections], [{ listener: 'http' }, g.httpInFlight], [{ listener: 'websocket' }, g.websockets]
  ])
  out.family('sluice_http_requests_total', 'counter', 'HTTP requests answered, by status.', [...g.httpByStatus.entries()].sort((a, b) => a[0] - b[0]).map(([status, n]) => [{ status }, n]))
  out.family('sluice_websocket_buffered_bytes', 'gauge', 'Bytes written to WebSockets and not yet sent, over all sockets.', [[{}, g.websocketBufferedBytes]])
  out.family('sluice_websocket_subscriptions', 'gauge', 'Live partition subscriptions of WebSocket clients.', [[{}, g.subscriptions]])
  out.family('sluice_websocket_paused_subscriptions', 'gauge', 'Subscriptions paused because their socket is over http.ws.max.buffered.bytes.', [[{}, g.pausedSubscriptions]])
  out.family('sluice_websocket_slow_disconnects_total', 'counter', 'WebSockets closed for staying behind longer than http.ws.slow.client.ms.', [[{}, g.slowDisconnects]])
  out.family('sluice_rest_consumers', 'gauge', 'REST Proxy v2 consumer instances.', [[{}, g.restConsumers]])
  out.family('sluice_gateway_appends_total', 'counter', 'Store appends made by the gateway (one per partition per event-loop turn).', [[{}, g.batcher.appends]])
  out.family('sluice_gateway_batches_total', 'counter', 'Record batches the gateway wrote.', [[{}, g.batcher.batches]])
  out.family('sluice_gateway_records_produced_total', 'counter', 'Records the gateway appended.', [[{}, g.batcher.records]])
  out.family('sluice_gateway_feed_reads_total', 'counter', 'Store reads (read + decode) for WebSocket fan-out, shared by all subscribers at one offset.', [[{}, g.feed.reads]])
  out.family('sluice_gateway_feed_deliveries_total', 'counter', 'Record chunks handed to WebSocket subscribers.', [[{}, g.feed.deliveries]])
}

function escapeLabel (value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

function formatValue (value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf'
  return String(value)
}
