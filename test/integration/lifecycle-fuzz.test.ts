// The protocol-fuzzing part of the fault harness (test/fault/fuzz-harness.ts): 20,000 frames in CI;
// `npm run soak` sends a million.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Admin, KafkaClient, Producer } from '../../src/client/index.js'
import { fuzz } from '../fault/fuzz-harness.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'

const RSS_BOUND_KB = 512 * 1024

let broker: RunningBroker
let client: KafkaClient

beforeAll(async () => {
  broker = await startBroker({ settings: { 'socket.request.max.bytes': 1 << 20, 'auto.create.topics.enable': false } })
  client = new KafkaClient({ bootstrap: broker.bootstrap })
  await new Admin(client).createTopics([{ name: 'witness', partitions: 1, replicationFactor: 1 }])
})

afterAll(async () => {
  await client?.close()
  await broker?.stop()
})

describe('protocol fuzzing at the listener', () => {
  it('survives 20,000 random and mutated frames with bounded memory while another connection keeps producing', async () => {
    const producer = new Producer(client, { acks: -1, lingerMs: 0 })
    let lastOffset = -1
    const witness = async (): Promise<void> => {
      const { offset } = await producer.send({ topic: 'witness', partition: 0, value: 'still here' })
      expect(offset).toBe(lastOffset + 1)
      lastOffset = offset
    }
    const report = await fuzz(broker, 20_000, 0x5eed, witness)
    await witness()
    expect(report.frames).toBeGreaterThanOrEqual(20_000)
    expect(report.rssMaxKb).toBeGreaterThan(0)
    expect(report.rssMaxKb).toBeLessThan(RSS_BOUND_KB)
    console.log(`fuzz: ${report.frames} frames over ${report.connections} connections; broker RSS ${report.rssStartKb} -> max ${report.rssMaxKb} -> ${report.rssEndKb} KiB`)
  }, 90_000)
})
