// GET /metrics, /healthz and /readyz against a real broker: the Prometheus text changes as Kafka and
// HTTP traffic flows (request counts and latency quantiles per API, bytes and records in and out per
// topic, partition offsets and sizes, group lag, connections, shard queue depths). Issue #6.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Kafka, type Admin, type Producer } from 'kafkajs'
import { closeKafkajs, connectKafkajs } from '../helpers/kafkajs-fixture.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'

let broker: RunningBroker
let base: string
let admin: Admin
let producer: Producer
let kafka: Kafka

beforeAll(async () => {
  broker = await startBroker({ http: true, settings: { 'group.initial.rebalance.delay.ms': 0 } })
  base = `http://127.0.0.1:${broker.httpPort!}`
  ;({ kafka, admin, producer } = await connectKafkajs(broker, { clientId: 'sluice-gateway-metrics' }))
})

afterAll(async () => {
  await closeKafkajs({ producer, admin, broker })
})

/** The samples of the exposition, keyed by `name{labels}` exactly as printed. */
async function scrape (): Promise<Map<string, number>> {
  const response = await fetch(`${base}/metrics`)
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  const samples = new Map<string, number>()
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const at = line.lastIndexOf(' ')
    samples.set(line.slice(0, at), Number(line.slice(at + 1)))
  }
  return samples
}

const value = (samples: Map<string, number>, key: string): number => samples.get(key) ?? 0

describe('/metrics', () => {
  it('counts Kafka requests per API with latency quantiles, and topic traffic in and out', async () => {
    await admin.createTopics({ topics: [{ topic: 'metrics-topic', numPartitions: 2, replicationFactor: 1 }] })
    const before = await scrape()
    await producer.send({ topic: 'metrics-topic', messages: Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, value: `value-${i}` })) })
    const consumer = kafka.consumer({ groupId: 'metrics-group', maxWaitTimeInMs: 100 })
    let seen = 0
    await consumer.connect()
    await consumer.subscribe({ topic: 'metrics-topic', fromBeginning: true })
    await new Promise<void>(resolve => { void consumer.run({ autoCommitThreshold: 1, eachMessage: async () => { if (++seen === 10) resolve() } }) })
    await consumer.disconnect()
    const after = await scrape()
    expect(value(after, 'sluice_kafka_requests_total{api="Produce"}') - value(before, 'sluice_kafka_requests_total{api="Produce"}')).toBeGreaterThanOrEqual(1)
    expect(value(after, 'sluice_kafka_requests_total{api="Fetch"}')).toBeGreaterThan(value(before, 'sluice_kafka_requests_total{api="Fetch"}'))
    expect(after.get('sluice_kafka_request_duration_seconds{api="Produce",quantile="0.99"}')).toBeGreaterThan(0)
    expect(value(after, 'sluice_kafka_request_duration_seconds_count{api="Produce"}')).toBe(value(after, 'sluice_kafka_requests_total{api="Produce"}'))
    expect(value(after, 'sluice_topic_records_in_total{topic="metrics-topic"}')).toBe(10)
    expect(value(after, 'sluice_topic_bytes_in_total{topic="metrics-topic"}')).toBeGreaterThan(100)
    expect(value(after, 'sluice_topic_records_out_total{topic="metrics-topic"}')).toBeGreaterThanOrEqual(10)
    expect(value(after, 'sluice_topic_bytes_out_total{topic="metrics-topic"}')).toBeGreaterThan(100)
    expect(value(after, 'sluice_partition_high_watermark{topic="metrics-topic",partition="0"}')).toBe(5)
    expect(value(after, 'sluice_partition_size_bytes{topic="metrics-topic",partition="1"}')).toBeGreaterThan(0)
    expect(value(after, 'sluice_consumer_group_committed_offset{group="metrics-group",topic="metrics-topic",partition="1"}')).toBe(5)
    expect(after.get('sluice_consumer_group_lag{group="metrics-group",topic="metrics-topic",partition="1"}')).toBe(0)
    expect(value(after, 'sluice_connections{listener="kafka"}')).toBeGreaterThanOrEqual(1)
    expect(value(after, 'nodejs_heap_used_bytes')).toBeGreaterThan(0)
    expect(after.has('sluice_shard_messages_total{shard="0"}')).toBe(true)
  })

  it('lag grows as records arrive that the group has not committed', async () => {
    await producer.send({ topic: 'metrics-topic', messages: [{ partition: 1, value: 'late-1' }, { partition: 1, value: 'late-2' }] })
    const samples = await scrape()
    expect(samples.get('sluice_consumer_group_lag{group="metrics-group",topic="metrics-topic",partition="1"}')).toBe(2)
  })

  it('counts HTTP produce and answers by status, with records in counted for the topic', async () => {
    const before = await scrape()
    await fetch(`${base}/topics/metrics-topic`, { method: 'POST', headers: { 'Content-Type': 'application/vnd.kafka.json.v2+json' }, body: JSON.stringify({ records: [{ value: 1 }, { value: 2 }, { value: 3 }] }) })
    await fetch(`${base}/topics/metrics-missing`, { method: 'POST', headers: { 'Content-Type': 'application/vnd.kafka.json.v2+json' }, body: JSON.stringify({ records: [{ value: 1 }] }) })
    const after = await scrape()
    expect(value(after, 'sluice_topic_records_in_total{topic="metrics-topic"}') - value(before, 'sluice_topic_records_in_total{topic="metrics-topic"}')).toBe(3)
    expect(value(after, 'sluice_gateway_records_produced_total') - value(before, 'sluice_gateway_records_produced_total')).toBe(3)
    expect(value(after, 'sluice_http_requests_total{status="404"}') - value(before, 'sluice_http_requests_total{status="404"}')).toBe(1)
  })

  it('shard queue depths show appends in flight while producers write, and drain to zero after', async () => {
    await admin.createTopics({ topics: [{ topic: 'metrics-depth', numPartitions: 4, replicationFactor: 1 }] })
    const depth = (samples: Map<string, number>, state: string): number =>
      [...samples].filter(([key]) => key.startsWith('sluice_shard_queue_depth{') && key.includes(`state="${state}"`)).reduce((sum, [, n]) => sum + n, 0)
    const idle = await scrape()
    expect(idle.has('sluice_shard_queue_depth{shard="0",state="in_flight"}')).toBe(true)
    expect(depth(idle, 'in_flight') + depth(idle, 'queued')).toBe(0)
    // Producers keep appends of about 1 MB in flight while we scrape, until a scrape lands while the
    // shards still owe answers (bounded by the clock, as every append is quick on its own).
    const payload = Buffer.alloc(50_000, 0x61)
    let load = true
    const writers = Array.from({ length: 4 }, async (_, partition) => {
      while (load) await producer.send({ topic: 'metrics-depth', messages: Array.from({ length: 20 }, () => ({ partition, value: payload })) })
    })
    let busiest = 0
    const deadline = Date.now() + 60_000
    try {
      while (busiest === 0 && Date.now() < deadline) busiest = depth(await scrape(), 'in_flight')
    } finally {
      load = false
      await Promise.all(writers)
    }
    expect(busiest).toBeGreaterThan(0)
    let owed = -1
    const drained = Date.now() + 30_000
    while (owed !== 0 && Date.now() < drained) {
      const samples = await scrape()
      owed = depth(samples, 'in_flight') + depth(samples, 'queued')
      if (owed !== 0) await new Promise(resolve => setTimeout(resolve, 20))
    }
    expect(owed).toBe(0)
  })

  it('/healthz and /readyz answer 200 while the broker serves', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' })
    const ready = await fetch(`${base}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ status: 'ready' })
  })
})
