// The protocol-fuzzing part of the fault harness (test/fault/fuzz-harness.ts): 20,000 frames in CI;
// `npm run soak` sends a million. Also: what 2,000 closed connections leave behind in the broker.
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Admin, KafkaClient, Producer } from '../../src/client/index.js'
import { fuzz } from '../fault/fuzz-harness.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { requestFrame } from '../helpers/wire.js'

const RSS_BOUND_KB = 512 * 1024

let broker: RunningBroker
let client: KafkaClient

beforeAll(async () => {
  broker = await startBroker({ http: true, settings: { 'socket.request.max.bytes': 1 << 20, 'auto.create.topics.enable': false } })
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

/** The exposition's samples, `name{labels}` -> value. */
async function scrape (): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${broker.httpPort!}/metrics`)).text()
  return new Map(text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]))
}

/** Connects, writes `bytes`, half-closes, and resolves once the broker has closed its end too. */
async function sendAndClose (bytes: Buffer): Promise<void> {
  await new Promise<void>((resolve) => {
    const socket = connect({ host: broker.host, port: broker.port }, () => { socket.end(bytes) })
    socket.on('error', () => {}).on('data', () => {}).on('close', () => { resolve() })
  })
}

describe('connections that come and go', () => {
  it('leave no state behind: 2,000 connections with unknown API keys or partial frames, then closed', async () => {
    // Each claimed API key used to get its own latency histogram (~13 KB), so fuzzed frames grew the
    // broker by ~8.6 KB per connection, for good (issue #9). Unserved keys now share one.
    const before = await scrape()
    const lane = async (lane: number): Promise<void> => {
      for (let i = lane; i < 2000; i += 10) {
        const frame = requestFrame({ apiKey: 100 + i, apiVersion: 0, correlationId: i, clientId: 'fuzz' }, Buffer.alloc(8))
        // Odd connections stop inside a frame that claims 1,000 bytes: the partial frame must go with them.
        await sendAndClose(i % 2 === 0 ? frame : frame.subarray(0, 10))
      }
    }
    await Promise.all(Array.from({ length: 10 }, async (_, i) => { await lane(i) }))
    const deadline = Date.now() + 30_000
    let after = await scrape()
    while (after.get('sluice_connections{listener="kafka"}')! > before.get('sluice_connections{listener="kafka"}')! && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      after = await scrape()
    }
    expect(after.get('sluice_connections{listener="kafka"}')).toBe(before.get('sluice_connections{listener="kafka"}'))
    const apiLabels = [...after.keys()].filter((k) => k.startsWith('sluice_kafka_requests_total{'))
    expect(apiLabels.length).toBeLessThan(100) // the served APIs and "unserved", not one per claimed key
    expect(after.get('sluice_kafka_requests_total{api="unserved"}')).toBeGreaterThanOrEqual(1000)
  }, 120_000)
})
