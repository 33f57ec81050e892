// NATS JetStream throughput through nats.js: async publish with at most `inFlight` acks outstanding
// (file storage; an ack means the server stored the message in its file store, fsynced in the
// background), and catch-up consume with an ordered consumer from the first message. Debian ships
// nats-server without the `nats bench` tool (it is part of natscli), so there is no C/Go tool row.
import { connect } from 'nats'
import type { ThroughputResult } from './kafka-lean.js'
import { natsStream } from './e2e-targets.js'
import { value } from './records.js'

export interface NatsLoad {
  host: string
  port: number
  stream: string
  recordBytes: number
  maxRecords: number
  maxSeconds: number
  inFlight: number
}

export async function natsProduce (o: NatsLoad): Promise<ThroughputResult> {
  const nc = await connect({ servers: `${o.host}:${o.port}` })
  await natsStream(nc, o.stream)
  const js = nc.jetstream()
  const payload = value(o.recordBytes)
  let sent = 0
  const started = performance.now()
  const deadline = started + o.maxSeconds * 1000
  await Promise.all(Array.from({ length: o.inFlight }, async () => {
    while (sent < o.maxRecords && performance.now() < deadline) {
      sent++
      await js.publish(o.stream, payload)
    }
  }))
  const seconds = (performance.now() - started) / 1000
  await nc.close()
  return { records: sent, bytes: sent * o.recordBytes, seconds, requests: sent }
}

export async function natsConsume (o: NatsLoad): Promise<ThroughputResult> {
  const nc = await connect({ servers: `${o.host}:${o.port}` })
  const consumer = await nc.jetstream().consumers.get(o.stream)
  const info = await (await nc.jetstreamManager()).streams.info(o.stream)
  const total = Math.min(o.maxRecords, info.state.messages)
  let records = 0
  let bytes = 0
  const started = performance.now()
  const messages = await consumer.consume({ max_messages: 10_000 })
  const timer = setTimeout(() => { void messages.close() }, o.maxSeconds * 1000)
  for await (const m of messages) {
    records++
    bytes += m.data.length
    if (records >= total) break
  }
  clearTimeout(timer)
  const seconds = (performance.now() - started) / 1000
  await nc.close()
  return { records, bytes, seconds, requests: 0 }
}
