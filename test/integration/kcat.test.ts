// kcat 1.7.1 (librdkafka 2.0.2, Debian) against a real broker: metadata listing, produce with every
// compression codec, consume from the beginning / relative / end offsets, JSON output. Old librdkafka
// enables compression and features only when specific old versions are advertised
// (client-api-needs.md §4), so this suite also checks that batches really arrive compressed. Issue #3.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Kafka, logLevel, type Admin } from 'kafkajs'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { has, kcat } from '../helpers/clients.js'
import { CODECS, fetchRawBatches } from './support/raw-api.js'

describe.skipIf(!has.kcat)('kcat (librdkafka 2.0.2)', () => {
  let broker: RunningBroker
  let admin: Admin

  beforeAll(async () => {
    broker = await startBroker({ settings: { 'auto.create.topics.enable': false } })
    admin = new Kafka({ clientId: 'sluice-kcat-test', brokers: [broker.bootstrap], logLevel: logLevel.ERROR }).admin()
    await admin.connect()
  })

  afterAll(async () => {
    await admin?.disconnect()
    await broker?.stop()
  })

  async function createTopic (topic: string, numPartitions = 1): Promise<void> {
    expect(await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1 }] })).toBe(true)
  }

  const b = (): string[] => ['-b', broker.bootstrap]

  /** Produces `key:value` lines to one partition, waiting for every delivery (kcat exits once flushed). */
  async function produce (topic: string, lines: string[], extra: string[] = []): Promise<void> {
    await kcat([...b(), '-P', '-t', topic, '-p', '0', '-K:', ...extra], { input: lines.join('\n') + '\n' })
  }

  /** Consumes partition 0 from `offset` until its end; one `key=value` line per record. */
  async function consume (topic: string, offset: string): Promise<string[]> {
    const out = await kcat([...b(), '-C', '-t', topic, '-p', '0', '-o', offset, '-e', '-q', '-f', '%k=%s\\n'])
    return out.split('\n').filter(line => line !== '')
  }

  it('-L lists the broker at its advertised address and every topic with its partitions', async () => {
    await createTopic('kcat-listed', 3)
    const text = await kcat([...b(), '-L'])
    expect(text).toContain(`${broker.host}:${broker.port}`)
    expect(text).toMatch(/topic "kcat-listed" with 3 partitions/)
    const json = JSON.parse(await kcat([...b(), '-L', '-J'])) as {
      brokers: Array<{ id: number, name: string }>
      topics: Array<{ topic: string, partitions: Array<{ partition: number, leader: number }> }>
    }
    expect(json.brokers).toEqual([expect.objectContaining({ name: `${broker.host}:${broker.port}` })])
    const topic = json.topics.find(t => t.topic === 'kcat-listed')
    expect(topic?.partitions.map(p => p.partition).sort()).toEqual([0, 1, 2])
    expect(topic?.partitions.every(p => p.leader === json.brokers[0]?.id)).toBe(true)
  })

  const sample = ['k0:plain', 'k1:value: with a colon', 'k2:ünïcødé ✓', 'k3:' + 'x'.repeat(3000), 'k4:last']
  const expectedLines = sample.map(line => line.replace(':', '='))

  it.each(CODECS)('-P -z %s then -C round-trips keys and values exactly, and the stored batches carry that codec', async (codec) => {
    const topic = `kcat-codec-${codec}`
    await createTopic(topic)
    await produce(topic, sample, ['-z', codec])
    expect(await consume(topic, 'beginning')).toEqual(expectedLines)
    const fetched = await fetchRawBatches(broker.host, broker.port, { topic, partition: 0 })
    expect(fetched.errorCode).toBe(0)
    expect(fetched.highWatermark).toBe(BigInt(sample.length))
    expect(fetched.batches.length).toBeGreaterThan(0)
    expect(fetched.batches.map(batch => batch.codec)).toEqual(fetched.batches.map(() => codec))
  })

  it('-o beginning, -o -2 and -o end start where Kafka defines them', async () => {
    await createTopic('kcat-offsets')
    await produce('kcat-offsets', ['a:1', 'b:2', 'c:3', 'd:4'])
    expect(await consume('kcat-offsets', 'beginning')).toEqual(['a=1', 'b=2', 'c=3', 'd=4'])
    expect(await consume('kcat-offsets', '-2')).toEqual(['c=3', 'd=4'])
    expect(await consume('kcat-offsets', '2')).toEqual(['c=3', 'd=4'])
    expect(await consume('kcat-offsets', 'end')).toEqual([])
  })

  it('-J prints each record with its partition, offset, key and payload', async () => {
    await createTopic('kcat-json', 2)
    await kcat([...b(), '-P', '-t', 'kcat-json', '-p', '1', '-K:'], { input: 'alpha:one\nbeta:two\n' })
    const out = await kcat([...b(), '-C', '-t', 'kcat-json', '-p', '1', '-o', 'beginning', '-e', '-q', '-J'])
    const records = out.split('\n').filter(line => line !== '').map(line => JSON.parse(line) as Record<string, unknown>)
    expect(records).toEqual([
      expect.objectContaining({ topic: 'kcat-json', partition: 1, offset: 0, key: 'alpha', payload: 'one' }),
      expect.objectContaining({ topic: 'kcat-json', partition: 1, offset: 1, key: 'beta', payload: 'two' })
    ])
    expect(records.every(r => typeof r.ts === 'number' && r.ts > 0)).toBe(true)
  })

  it('records without a key keep a null key', async () => {
    await createTopic('kcat-no-key')
    await kcat([...b(), '-P', '-t', 'kcat-no-key', '-p', '0'], { input: 'only a value\n' })
    const out = await kcat([...b(), '-C', '-t', 'kcat-no-key', '-p', '0', '-o', 'beginning', '-e', '-q', '-J'])
    expect(JSON.parse(out.trim())).toMatchObject({ key: null, payload: 'only a value' })
  })
})
