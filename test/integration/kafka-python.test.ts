// kafka-python 2.0.2 (Debian python3-kafka) against a real broker. kafka-python probes the broker with
// ApiVersions v0 and a pipelined Metadata v0, infers a "broker version" from the advertised ranges and
// then uses fixed old versions (Produce v7, Fetch v4, ListOffsets v1, Metadata v1); every script run
// below goes through that probe. Issue #3.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { partitionForKey } from '../../src/protocol/partitioner.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { has, runPython } from '../helpers/clients.js'

const SCRIPT = fileURLToPath(new URL('py/kafka_python_client.py', import.meta.url))
const INVALID_TOPIC_EXCEPTION = 17
const TOPIC_ALREADY_EXISTS = 36

interface Sent { partition: number, offset: number }
interface Consumed { partition: number, offset: number, key: string | null, value: string | null, timestamp: number, headers: Array<[string, string]> }
interface Offsets {
  beginning: Record<string, number>
  end: Record<string, number>
  for_times: Record<string, { offset: number, timestamp: number } | null>
}

describe.skipIf(!has.kafkaPython)('kafka-python 2.0.2', () => {
  let broker: RunningBroker

  beforeAll(async () => {
    broker = await startBroker({ settings: { 'auto.create.topics.enable': false } })
  })

  afterAll(async () => {
    await broker?.stop()
  })

  const call = <T>(op: string, request: object): Promise<T> => runPython<T>('kafka', SCRIPT, { op, bootstrap: broker.bootstrap, ...request })

  async function createTopics (topics: Array<{ name: string, partitions: number, configs?: Record<string, string> }>): Promise<Record<string, number>> {
    return (await call<{ errors: Record<string, number> }>('create_topics', { topics })).errors
  }

  it('KafkaAdminClient creates topics that list_topics and describe_topics then show', async () => {
    expect(await createTopics([{ name: 'kp-admin-a', partitions: 3 }, { name: 'kp-admin-b', partitions: 1 }]))
      .toEqual({ 'kp-admin-a': 0, 'kp-admin-b': 0 })
    const listed = await call<{ topics: string[], described: Record<string, { error_code: number, partitions: number[] }> }>(
      'list_topics', { describe: ['kp-admin-a'] })
    expect(listed.topics).toEqual(expect.arrayContaining(['kp-admin-a', 'kp-admin-b']))
    expect(listed.described['kp-admin-a']).toEqual({ error_code: 0, partitions: [0, 1, 2] })
  })

  it('KafkaAdminClient deletes topics', async () => {
    await createTopics([{ name: 'kp-doomed', partitions: 1 }])
    expect(await call<{ errors: Record<string, number> }>('delete_topics', { topics: ['kp-doomed'] }))
      .toEqual({ errors: { 'kp-doomed': 0 } })
    expect((await call<{ topics: string[] }>('list_topics', {})).topics).not.toContain('kp-doomed')
  })

  it('create_topics answers INVALID_TOPIC_EXCEPTION for an illegal name and TOPIC_ALREADY_EXISTS for a taken one', async () => {
    await createTopics([{ name: 'kp-taken', partitions: 1 }])
    expect(await createTopics([{ name: 'bad/name', partitions: 1 }, { name: 'kp-taken', partitions: 1 }]))
      .toEqual({ 'bad/name': INVALID_TOPIC_EXCEPTION, 'kp-taken': TOPIC_ALREADY_EXISTS })
  })

  it('describe_configs reports the configs a topic was created with', async () => {
    await createTopics([{ name: 'kp-configs', partitions: 1, configs: { 'retention.ms': '3600000' } }])
    const { configs } = await call<{ configs: Record<string, string> }>('describe_configs', { topic: 'kp-configs' })
    expect(configs['retention.ms']).toBe('3600000')
  })

  it.each([
    [1, null], [-1, 'gzip'], [0, null]
  ])('KafkaProducer (acks=%i, compression %s) sends and flushes; an assigned consumer reads the records back in order', async (acks, compression) => {
    const topic = `kp-produce-${acks === -1 ? 'all' : acks}`
    await createTopics([{ name: topic, partitions: 1 }])
    const records = Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `value ${i} ✓`, partition: 0 }))
    const sent = await call<Sent[]>('produce', { topic, acks, compression, records })
    // With acks=0 there is no answer, so kafka-python reports offset -1 for every record.
    expect(sent.map(s => s.offset)).toEqual(records.map((_, i) => acks === 0 ? -1 : i))
    const consumed = await call<Consumed[]>('consume', { topic, partitions: [0], count: records.length })
    expect(consumed.map(c => [c.offset, c.key, c.value])).toEqual(records.map((r, i) => [i, r.key, r.value]))
  })

  it('keyed records land on the partition murmur2 gives', async () => {
    const partitions = 3
    await createTopics([{ name: 'kp-keyed', partitions }])
    const records = Array.from({ length: 40 }, (_, i) => ({ key: `customer-${i}`, value: String(i) }))
    const sent = await call<Sent[]>('produce', { topic: 'kp-keyed', records })
    expect(sent.map(s => s.partition)).toEqual(records.map(r => partitionForKey(Buffer.from(r.key), partitions)))
    const consumed = await call<Consumed[]>('consume', { topic: 'kp-keyed', partitions: [0, 1, 2], count: records.length })
    for (const c of consumed) expect(c.partition).toBe(partitionForKey(Buffer.from(c.key ?? ''), partitions))
    expect(consumed.map(c => c.value).sort()).toEqual(records.map(r => r.value).sort())
  })

  it('beginning_offsets, end_offsets and offsets_for_times agree with what was written', async () => {
    await createTopics([{ name: 'kp-offsets', partitions: 2 }])
    const base = Date.now() - 60_000
    const records = Array.from({ length: 5 }, (_, i) => ({ value: `t${i}`, partition: 0, timestamp: base + i * 1000 }))
    await call<Sent[]>('produce', { topic: 'kp-offsets', records })
    const offsets = await call<Offsets>('offsets', { topic: 'kp-offsets', partitions: [0, 1], timestamp: base + 1500 })
    expect(offsets.beginning).toEqual({ 0: 0, 1: 0 })
    expect(offsets.end).toEqual({ 0: 5, 1: 0 })
    expect(offsets.for_times['0']).toEqual({ offset: 2, timestamp: base + 2000 })
    expect(offsets.for_times['1']).toBeNull()
  })
})
