// The load part of the fault harness (test/fault/load-harness.ts): 5,000 idle connections, a client
// that never reads its answers, and a 30 s produce/consume RSS soak (`npm run soak` runs 10 minutes).
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Admin, KafkaClient, Producer } from '../../src/client/index.js'
import { brokerRssKb } from '../fault/fuzz-harness.js'
import { holdConnections, neverRead, rssSoak } from '../fault/load-harness.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { askApiVersions } from './support/raw-api.js'

const IDLE_CONNECTIONS = 5_000
const SOAK_MS = Number(process.env.SLUICE_SOAK_MS ?? 30_000)

let broker: RunningBroker
let client: KafkaClient

beforeAll(async () => {
  broker = await startBroker({ settings: { 'log.segment.bytes': 1 << 20, 'log.retention.bytes': 8 << 20, 'log.retention.check.interval.ms': 1_000 } })
  client = new KafkaClient({ bootstrap: broker.bootstrap })
  await new Admin(client).createTopics([
    { name: 'load', partitions: 1, replicationFactor: 1 },
    { name: 'soak', partitions: 1, replicationFactor: 1 }
  ])
  const producer = new Producer(client, { acks: 1 })
  for (let i = 0; i < 256; i++) producer.write({ topic: 'load', partition: 0, value: Buffer.alloc(4096, i) })
  await producer.flush()
})

afterAll(async () => {
  await client?.close()
  await broker?.stop()
})

describe('load', () => {
  it('holds 5,000 idle connections and still answers a new one', async () => {
    const limit = Number(execFileSync('sh', ['-c', 'ulimit -n']).toString().trim())
    expect(limit, `ulimit -n is ${limit}; the broker needs more than ${IDLE_CONNECTIONS} descriptors`).toBeGreaterThan(IDLE_CONNECTIONS + 1_000)
    const sockets = await holdConnections(broker, IDLE_CONNECTIONS)
    try {
      expect(sockets.filter((s) => !s.destroyed)).toHaveLength(IDLE_CONNECTIONS)
      expect((await askApiVersions(broker.host, broker.port)).errorCode).toBe(0)
      console.log(`load: ${IDLE_CONNECTIONS} idle connections, broker RSS ${brokerRssKb(broker)} KiB`)
    } finally {
      for (const s of sockets) s.destroy()
    }
  }, 60_000)

  it('does not grow past a bound for a client that sends Fetches and never reads the answers', async () => {
    const before = brokerRssKb(broker)
    // Up to 100,000 fetches of ~1 MiB each: 100 GB of answers if the broker kept reading and buffering.
    const { socket, written, blocked } = await neverRead(broker, 'load', 100_000, 1 << 20)
    const after = brokerRssKb(broker)
    console.log(`load: never-reading client wrote ${written} fetches; broker RSS ${before} -> ${after} KiB`)
    expect(blocked).toBe(true) // the broker stopped reading the connection: backpressure
    expect(after - before).toBeLessThan(256 * 1024)
    expect((await askApiVersions(broker.host, broker.port)).errorCode).toBe(0)
    socket.destroy()
  }, 60_000)

  it(`keeps RSS bounded under a ${SOAK_MS / 1000} s produce/consume soak`, async () => {
    const samples = await rssSoak(broker, 'soak', SOAK_MS, Math.max(1_000, SOAK_MS / 30))
    const rss = samples.map((s) => s.rssKb)
    console.log(`soak RSS curve (s: KiB): ${samples.map((s) => `${Math.round(s.atMs / 1000)}:${s.rssKb}`).join(' ')}; produced ${samples.at(-1)?.produced}, consumed ${samples.at(-1)?.consumed}`)
    const settled = rss.slice(Math.floor(rss.length / 3))
    expect(Math.max(...settled)).toBeLessThan(Math.min(...settled) + 200 * 1024)
    expect(samples.at(-1)?.consumed).toBeGreaterThan(0)
  }, SOAK_MS + 60_000)
})
