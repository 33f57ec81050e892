// A topic's own config overrides govern its logs after a broker restart too, not only the broker
// defaults the store reopens logs with: segment.bytes decides where segments roll.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Kafka, logLevel } from 'kafkajs'
import { startBroker, type RunningBroker } from '../helpers/broker.js'

let broker: RunningBroker

beforeAll(async () => { broker = await startBroker() })
afterAll(async () => { await broker?.stop() })

function segmentFiles (topic: string): number {
  return readdirSync(join(broker.dataDir, `${topic}-0`)).filter(name => name.endsWith('.log')).length
}

async function produce (topic: string, count: number): Promise<void> {
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const producer = kafka.producer()
  await producer.connect()
  for (let i = 0; i < count; i++) await producer.send({ topic, messages: [{ value: Buffer.alloc(1000, i) }] })
  await producer.disconnect()
}

it('a topic\'s segment.bytes override still rolls segments after a restart', async () => {
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'small-segments', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '4096' }] }] })
  await admin.disconnect()
  await produce('small-segments', 10)
  const before = segmentFiles('small-segments')
  expect(before).toBeGreaterThan(1)
  await broker.restart()
  await produce('small-segments', 10)
  expect(segmentFiles('small-segments')).toBeGreaterThanOrEqual(before + 2)
})
