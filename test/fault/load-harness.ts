// Load faults: many idle connections held open, a client that sends Fetches and never reads the
// answers, and an RSS curve under a steady produce/consume load. Used by
// test/integration/lifecycle-load.test.ts (5,000 connections, 30 s soak) and `npm run soak` (10 min).
import { connect, type Socket } from 'node:net'
import { Consumer, KafkaClient, Producer, calls } from '../../src/client/index.js'
import type { RunningBroker } from '../helpers/broker.js'
import { brokerRssKb } from './fuzz-harness.js'

/** Opens `count` connections (in waves, so the accept queue keeps up) and returns them, idle. */
export async function holdConnections (broker: RunningBroker, count: number): Promise<Socket[]> {
  const sockets: Socket[] = []
  const WAVE = 250
  for (let i = 0; i < count; i += WAVE) {
    const wave = await Promise.all(Array.from({ length: Math.min(WAVE, count - i) }, async () => await new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: broker.host, port: broker.port })
      socket.once('connect', () => { socket.on('error', () => {}); resolve(socket) })
      socket.once('error', reject)
    })))
    sockets.push(...wave)
  }
  return sockets
}

/** Fetch v4 frames for `topic`-0 from offset 0, each answered with up to `maxBytes` of records. */
export function fetchFrames (topic: string, count: number, maxBytes: number): Buffer {
  const frames: Buffer[] = []
  for (let i = 0; i < count; i++) {
    frames.push(...calls.fetch.encode({
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: maxBytes }] }]
    }, 4, { correlationId: i, clientId: 'never-reads' }))
  }
  return Buffer.concat(frames)
}

/**
 * Sends `requests` Fetches of ~`maxBytes` answers each on one connection that never reads. Resolves
 * when the broker has stopped reading them (the socket's write side stays blocked) or all were written.
 */
export async function neverRead (broker: RunningBroker, topic: string, requests: number, maxBytes: number): Promise<{ socket: Socket, written: number, blocked: boolean }> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ host: broker.host, port: broker.port })
    s.once('connect', () => { resolve(s) })
    s.once('error', reject)
  })
  socket.on('error', () => {})
  socket.pause() // never read: answers pile up in the kernel buffers, then in the broker
  const CHUNK = 100
  let written = 0
  let blocked = false
  for (let i = 0; i < requests; i += CHUNK) {
    const flushed = socket.write(fetchFrames(topic, CHUNK, maxBytes))
    written += CHUNK
    // Backpressure: once our own buffer holds a chunk the broker has not read, the broker stopped reading.
    if (!flushed && socket.writableLength > 0) {
      const drained = await Promise.race([
        new Promise<boolean>((resolve) => socket.once('drain', () => { resolve(true) })),
        new Promise<boolean>((resolve) => setTimeout(() => { resolve(false) }, 2_000).unref())
      ])
      if (!drained) {
        blocked = true
        break
      }
    }
  }
  return { socket, written, blocked }
}

export interface RssSample { atMs: number, rssKb: number, produced: number, consumed: number }

/** Produces and consumes on `topic` for `durationMs`, sampling the broker's RSS every `sampleMs`. */
export async function rssSoak (broker: RunningBroker, topic: string, durationMs: number, sampleMs: number): Promise<RssSample[]> {
  const client = new KafkaClient({ bootstrap: broker.bootstrap })
  const producer = new Producer(client, { acks: 1, lingerMs: 5 })
  const consumer = new Consumer(client, { maxWaitMs: 100 })
  await consumer.assign([{ topic, partition: 0, offset: 'earliest' }])
  const samples: RssSample[] = []
  const start = Date.now()
  let produced = 0
  let consumed = 0
  let nextSample = start
  const value = Buffer.alloc(1024, 'v')
  try {
    while (Date.now() - start < durationMs) {
      for (let i = 0; i < 500; i++) producer.write({ topic, partition: 0, value })
      await producer.flush()
      produced += 500
      consumed += (await consumer.poll()).length
      if (Date.now() >= nextSample) {
        samples.push({ atMs: Date.now() - start, rssKb: brokerRssKb(broker), produced, consumed })
        nextSample += sampleMs
      }
    }
  } finally {
    await client.close()
  }
  return samples
}
