// confluent-kafka-python 1.7.0 over librdkafka 2.0.2 (Debian) against a real broker: Producer with
// every compression.type, Consumer with assign() (no group joined), AdminClient, watermarks and
// offsets_for_times. librdkafka < 2.11 compresses only when Produce v0 is advertised
// (client-api-needs.md §4), so the stored batches' codec is checked on the wire too. Issue #3.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { partitionForKey } from '../../src/protocol/partitioner.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { has, runPython } from '../helpers/clients.js'
import { CODECS, fetchRawBatches } from './support/raw-api.js'

const SCRIPT = fileURLToPath(new URL('py/confluent_client.py', import.meta.url))
const INVALID_TOPIC_EXCEPTION = 17
const TOPIC_ALREADY_EXISTS = 36

interface Produced {
  undelivered: number
  reports: Array<{ error: string | null, partition: number, offset: number }>
}
interface Consumed { partition: number, offset: number, key: string | null, value: string | null, timestamp: number }

describe.skipIf(!has.confluentKafka)('confluent-kafka 1.7.0 (librdkafka 2.0.2)', () => {
  let broker: RunningBroker

  beforeAll(async () => {
    broker = await startBroker({ settings: { 'auto.create.topics.enable': false } })
  })

  afterAll(async () => {
    await broker?.stop()
  })

  const call = <T>(op: string, request: object): Promise<T> => runPython<T>('confluent_kafka', SCRIPT, { op, bootstrap: broker.bootstrap, ...request })

  async function createTopics (topics: Array<{ name: string, partitions: number, configs?: Record<string, string> }>): Promise<Record<string, number>> {
    return (await call<{ errors: Record<string, number> }>('create_topics', { topics })).errors
  }

  async function produce (topic: string, records: object[], config: Record<string, string | number> = {}): Promise<Produced['reports']> {
    const produced = await call<Produced>('produce', { topic, records, config })
    expect(produced.undelivered).toBe(0)
    expect(produced.reports.filter(r => r.error !== null)).toEqual([])
    return produced.reports
  }

  it('AdminClient creates topics that list_topics shows with their partitions and this broker', async () => {
    expect(await createTopics([{ name: 'ck-admin', partitions: 3 }])).toEqual({ 'ck-admin': 0 })
    const listed = await call<{ brokers: Array<{ host: string, port: number }>, topics: Record<string, { error: number | null, partitions: number[] }> }>('list_topics', {})
    expect(listed.brokers).toEqual([expect.objectContaining({ host: broker.host, port: broker.port })])
    expect(listed.topics['ck-admin']).toEqual({ error: null, partitions: [0, 1, 2] })
  })

  it('AdminClient create_topics reports INVALID_TOPIC_EXCEPTION and TOPIC_ALREADY_EXISTS per topic', async () => {
    await createTopics([{ name: 'ck-taken', partitions: 1 }])
    expect(await createTopics([{ name: 'ck-taken', partitions: 1 }, { name: '..', partitions: 1 }, { name: 'ck-fresh', partitions: 1 }]))
      .toEqual({ 'ck-taken': TOPIC_ALREADY_EXISTS, '..': INVALID_TOPIC_EXCEPTION, 'ck-fresh': 0 })
  })

  it('AdminClient delete_topics removes a topic', async () => {
    await createTopics([{ name: 'ck-doomed', partitions: 1 }])
    expect((await call<{ errors: Record<string, number> }>('delete_topics', { topics: ['ck-doomed'] })).errors).toEqual({ 'ck-doomed': 0 })
    const listed = await call<{ topics: Record<string, unknown> }>('list_topics', {})
    expect(Object.keys(listed.topics)).not.toContain('ck-doomed')
  })

  it('AdminClient describe_configs shows a topic config set at creation and defaults for the rest', async () => {
    await createTopics([{ name: 'ck-configs', partitions: 1, configs: { 'retention.ms': '3600000' } }])
    const { configs } = await call<{ configs: Record<string, string> }>('describe_configs', { topic: 'ck-configs' })
    expect(configs['retention.ms']).toBe('3600000')
    expect(configs['cleanup.policy']).toBe('delete')
  })

  it.each(CODECS)('Producer with compression.type=%s delivers records an assigned Consumer reads back exactly, stored with that codec', async (codec) => {
    const topic = `ck-codec-${codec}`
    await createTopics([{ name: topic, partitions: 1 }])
    const records = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `${codec} record ${i} ` + 'y'.repeat(i * 20), partition: 0 }))
    const reports = await produce(topic, records, { 'compression.type': codec, acks: 'all' })
    expect(reports.map(r => r.offset)).toEqual(records.map((_, i) => i))
    const consumed = await call<Consumed[]>('consume', { topic, partitions: [0], count: records.length })
    expect(consumed.map(c => [c.offset, c.key, c.value])).toEqual(records.map((r, i) => [i, r.key, r.value]))
    const fetched = await fetchRawBatches(broker.host, broker.port, { topic, partition: 0 })
    expect(fetched.batches.length).toBeGreaterThan(0)
    expect(fetched.batches.map(b => b.codec)).toEqual(fetched.batches.map(() => codec))
  })

  it('the murmur2_random partitioner puts keyed records where the Java partitioner would', async () => {
    const partitions = 5
    await createTopics([{ name: 'ck-keyed', partitions }])
    const records = Array.from({ length: 40 }, (_, i) => ({ key: `order-${i * 7}`, value: String(i) }))
    const reports = await produce('ck-keyed', records, { partitioner: 'murmur2_random' })
    expect(reports.map(r => r.partition)).toEqual(records.map(r => partitionForKey(Buffer.from(r.key), partitions)))
    const consumed = await call<Consumed[]>('consume', { topic: 'ck-keyed', partitions: [0, 1, 2, 3, 4], count: records.length })
    for (const c of consumed) expect(c.partition).toBe(partitionForKey(Buffer.from(c.key ?? ''), partitions))
  })

  it('get_watermark_offsets and offsets_for_times agree with what was written', async () => {
    await createTopics([{ name: 'ck-offsets', partitions: 2 }])
    const base = Date.now() - 60_000
    await produce('ck-offsets', Array.from({ length: 6 }, (_, i) => ({ value: `t${i}`, partition: 1, timestamp: base + i * 1000 })))
    const offsets = await call<{ watermarks: Record<string, [number, number]>, for_times: Record<string, number> }>(
      'offsets', { topic: 'ck-offsets', partitions: [0, 1], timestamp: base + 2500 })
    expect(offsets.watermarks).toEqual({ 0: [0, 0], 1: [0, 6] })
    expect(offsets.for_times['1']).toBe(3)
    // No record at or after the time: Kafka answers offset -1 (librdkafka's OFFSET_END).
    expect(offsets.for_times['0']).toBe(-1)
    const consumed = await call<Consumed[]>('consume', { topic: 'ck-offsets', partitions: [1], count: 6 })
    expect(consumed.map(c => c.timestamp)).toEqual([0, 1, 2, 3, 4, 5].map(i => base + i * 1000))
  })
})
