// Produce throughput through the maintained Node Kafka clients, the way an application uses them:
// send() calls of `batchRecords` records of one value each, up to `inFlight` awaiting their answer.
// Pointed at bench/kafka-stub.ts this is the client's own ceiling; at a broker, the client's rate there.
import { Producer as PlatformaticProducer } from '@platformatic/kafka'
import { CompressionTypes, Kafka, logLevel } from 'kafkajs'
import type { ThroughputResult } from './kafka-lean.js'
import { recordNs, type Histogram } from '../lib/latency.js'
import { nowNs } from '../lib/report.js'
import { value } from './records.js'

export interface ClientLoad {
  bootstrap: string
  topic: string
  recordBytes: number
  batchRecords: number
  acks: -1 | 0 | 1
  maxRecords: number
  maxSeconds: number
  inFlight: number
  /** Records each send()'s time to its answer, if given. */
  latency?: Histogram
}

export type NodeClient = 'kafkajs' | 'platformatic'

export async function clientProduce (client: NodeClient, o: ClientLoad): Promise<ThroughputResult> {
  const payload = value(o.recordBytes)
  const send = client === 'kafkajs' ? await kafkajsSender(o, payload) : await platformaticSender(o, payload)
  let sent = 0
  let requests = 0
  const started = performance.now()
  const deadline = started + o.maxSeconds * 1000
  try {
    await Promise.all(Array.from({ length: o.inFlight }, async () => {
      while (sent < o.maxRecords && performance.now() < deadline) {
        sent += o.batchRecords
        requests++
        const began = nowNs()
        await send.batch()
        if (o.latency !== undefined) recordNs(o.latency, nowNs() - began)
      }
    }))
    return { records: sent, bytes: sent * o.recordBytes, seconds: (performance.now() - started) / 1000, requests }
  } finally {
    await send.close()
  }
}

interface Sender { batch: () => Promise<unknown>, close: () => Promise<void> }

async function kafkajsSender (o: ClientLoad, payload: Buffer): Promise<Sender> {
  const kafka = new Kafka({ clientId: 'sluice-bench', brokers: [o.bootstrap], logLevel: logLevel.NOTHING })
  const producer = kafka.producer({ allowAutoTopicCreation: true })
  await producer.connect()
  const messages = Array.from({ length: o.batchRecords }, () => ({ value: payload }))
  return {
    batch: async () => await producer.send({ topic: o.topic, acks: o.acks, compression: CompressionTypes.None, messages }),
    close: async () => await producer.disconnect()
  }
}

async function platformaticSender (o: ClientLoad, payload: Buffer): Promise<Sender> {
  const producer = new PlatformaticProducer({ clientId: 'sluice-bench', bootstrapBrokers: [o.bootstrap], acks: o.acks, autocreateTopics: true, idempotent: false })
  const messages = Array.from({ length: o.batchRecords }, () => ({ topic: o.topic, value: payload }))
  return {
    batch: async () => await producer.send({ messages }),
    close: async () => await producer.close()
  }
}
