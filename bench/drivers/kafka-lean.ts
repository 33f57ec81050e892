// The lean Kafka driver: Sluice's own protocol module on raw pipelined connections (wire.ts), so the
// load generator is not what limits a broker. Produce sends pre-encoded requests (batches are encoded
// once, before the clock starts: the figures are the broker's, not a client's batching or compression
// cost). Consume counts records from the batch headers without decoding them. Works against any
// Kafka-compatible broker whose partitions of the topic share one leader (a single node, as here).
import { KafkaClient, type TlsOptions } from '../../src/client/index.js'
import {
  decodeFetchResponse, decodeProduceResponse, decodeResponseHeader, encodeFetchRequest, encodeProduceRequest
} from '../../src/protocol/index.js'
import { iterateBatches } from '../../src/protocol/codec/record-batch.js'
import { Progress } from '../lib/report.js'
import { batchFor, type Compression, type KeyDistribution } from './records.js'
import { Wire } from './wire.js'

const PRODUCE_V = 7
const FETCH_V = 11
const MAX_REQUEST_BYTES = 1024 * 1024

export interface ThroughputResult { records: number, bytes: number, seconds: number, requests: number }

export interface TopicTarget {
  bootstrap: string
  topic: string
  partitions: number
  /** The bootstrap is an SSL listener. */
  tls?: TlsOptions
}

/** Creates the topic (if new) and returns the address of its leader. */
export async function prepareTopic (target: TopicTarget, configs: Record<string, string> = {}): Promise<{ host: string, port: number }> {
  const client = new KafkaClient({ bootstrap: target.bootstrap, clientId: 'sluice-bench', tls: target.tls })
  try {
    await client.connect()
    const existing = await client.metadata([target.topic])
    if (typeof existing.get(target.topic) !== 'object') {
      await client.admin.createTopics([{ name: target.topic, partitions: target.partitions, replicationFactor: 1, configs }])
    }
    const meta = await client.topic(target.topic, { refresh: true })
    const leaders = new Set(meta.partitions.map(p => p.leader))
    if (leaders.size !== 1) throw new Error(`the lean driver needs one leader for ${target.topic}; it has ${leaders.size}`)
    const cluster = await client.refreshCluster()
    const leader = cluster.brokers.find(b => b.nodeId === [...leaders][0])
    if (leader === undefined) throw new Error(`leader of ${target.topic} is not in the broker list`)
    return { host: leader.host, port: leader.port }
  } finally {
    await client.close()
  }
}

/** Deletes a topic a run is done with, so that its files (and their page cache) do not weigh on the next run. */
export async function deleteTopic (target: Pick<TopicTarget, 'bootstrap' | 'topic'>): Promise<void> {
  const client = new KafkaClient({ bootstrap: target.bootstrap, clientId: 'sluice-bench' })
  try {
    await client.connect()
    await client.admin.deleteTopics([target.topic])
  } finally {
    await client.close()
  }
}

export interface ProduceOptions extends TopicTarget {
  recordBytes: number
  /** Records per batch (one batch per partition per request, as Kafka requires). */
  batchRecords: number
  connections: number
  acks: -1 | 0 | 1
  compression: Compression
  keys: KeyDistribution
  maxRecords: number
  maxSeconds: number
  /** Produce requests in flight per connection. */
  inFlight: number
  quiet?: boolean
}

export function produceFrame (topic: string, acks: number, batches: ReadonlyArray<{ partition: number, records: Buffer }>): Buffer {
  const partitionData = batches.map(b => ({ index: b.partition, records: b.records }))
  return Buffer.concat(encodeProduceRequest({ transactionalId: null, acks, timeoutMs: 30_000, topicData: [{ name: topic, partitionData }] },
    PRODUCE_V, { correlationId: 0, clientId: 'sluice-bench' }))
}

/** Throws on any partition error in a Produce answer. */
export function checkProduceAnswer (frame: Buffer): void {
  const { body } = decodeResponseHeader(frame, 0, PRODUCE_V)
  for (const t of decodeProduceResponse(body, PRODUCE_V).responses) {
    for (const p of t.partitionResponses) if (p.errorCode !== 0) throw new Error(`produce to ${t.name}/${p.index} failed with error ${p.errorCode}`)
  }
}

/** Pre-encodes each connection's requests: its partitions in groups that fit one request. */
function requestsFor (o: ProduceOptions): Array<Array<{ frame: Buffer, records: number }>> {
  const connections = Math.min(o.connections, o.partitions)
  const batches = Array.from({ length: o.partitions }, (_, p) => batchFor({ recordBytes: o.recordBytes, records: o.batchRecords, compression: o.compression, keys: o.keys }, p, o.partitions))
  const perRequest = Math.max(1, Math.floor(MAX_REQUEST_BYTES / (batches[0] as Buffer).length))
  return Array.from({ length: connections }, (_, c) => {
    const mine = batches.map((records, partition) => ({ partition, records })).filter(b => b.partition % connections === c)
    const frames: Array<{ frame: Buffer, records: number }> = []
    for (let i = 0; i < mine.length; i += perRequest) {
      const group = mine.slice(i, i + perRequest)
      frames.push({ frame: produceFrame(o.topic, o.acks, group), records: group.length * o.batchRecords })
    }
    return frames
  })
}

/** Produces until maxRecords are acknowledged (or maxSeconds pass); the clock stops at the last answer. */
export async function leanProduce (o: ProduceOptions): Promise<ThroughputResult> {
  const leader = await prepareTopic(o)
  const plans = requestsFor(o)
  const wires = await Promise.all(plans.map(async () => await Wire.connect(leader.host, leader.port, o.tls)))
  const progress = new Progress(`produce ${o.topic}`, o.maxRecords, o.maxSeconds)
  let sent = 0
  let acked = 0
  let requests = 0
  let bytes = 0
  const started = performance.now()
  const deadline = started + o.maxSeconds * 1000
  const more = (): boolean => sent < o.maxRecords && performance.now() < deadline
  await Promise.all(wires.map(async (wire, c) => {
    const frames = plans[c] as Array<{ frame: Buffer, records: number }>
    let next = 0
    let wake: (() => void) | null = null
    const onAnswer = (records: number) => (frame: Buffer): void => {
      checkProduceAnswer(frame)
      acked += records
      if (o.quiet !== true) progress.update(acked)
      const w = wake
      wake = null
      w?.()
    }
    while (more()) {
      const request = frames[next++ % frames.length] as { frame: Buffer, records: number }
      sent += request.records
      bytes += request.records * o.recordBytes
      requests++
      const room = wire.send(request.frame, o.acks === 0 ? null : onAnswer(request.records))
      if (o.acks === 0) {
        acked += request.records
        if (!room) await wire.writable()
      } else if (wire.inFlight >= o.inFlight) {
        await new Promise<void>(resolve => { wake = resolve })
      }
      if (wire.failed !== null) throw wire.failed
    }
    while (wire.inFlight > 0) {
      await new Promise<void>(resolve => { wake = resolve })
      if (wire.failed !== null) throw wire.failed
    }
    await wire.writable()
  }))
  const seconds = (performance.now() - started) / 1000
  for (const wire of wires) wire.close()
  return { records: acked, bytes, seconds, requests }
}

export interface ConsumeOptions extends TopicTarget {
  connections: number
  maxRecords: number
  maxSeconds: number
  maxBytes?: number
  partitionMaxBytes?: number
  quiet?: boolean
}

export function fetchFrame (topic: string, offsets: ReadonlyMap<number, number>, o: { maxWaitMs: number, maxBytes: number, partitionMaxBytes: number }): Buffer {
  const partitions = [...offsets].map(([partition, fetchOffset]) => ({ partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: o.partitionMaxBytes }))
  return Buffer.concat(encodeFetchRequest({
    replicaId: -1, maxWaitMs: o.maxWaitMs, minBytes: 1, maxBytes: o.maxBytes, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions }], forgottenTopicsData: [], rackId: ''
  }, FETCH_V, { correlationId: 0, clientId: 'sluice-bench' }))
}

export interface FetchedPartition { partition: number, highWatermark: number, records: Buffer | null }

export function fetchAnswer (frame: Buffer): FetchedPartition[] {
  const { body } = decodeResponseHeader(frame, 1, FETCH_V)
  const out: FetchedPartition[] = []
  for (const t of decodeFetchResponse(body, FETCH_V).responses) {
    for (const p of t.partitions) {
      if (p.errorCode !== 0) throw new Error(`fetch from ${t.topic}/${p.partitionIndex} failed with error ${p.errorCode}`)
      out.push({ partition: p.partitionIndex, highWatermark: Number(p.highWatermark), records: p.records as Buffer | null })
    }
  }
  return out
}

/** Reads every partition from offset 0 to the end it had when the run started (catch-up consume). */
export async function leanConsume (o: ConsumeOptions): Promise<ThroughputResult> {
  const leader = await prepareTopic(o)
  const progress = new Progress(`consume ${o.topic}`, o.maxRecords, o.maxSeconds)
  const limits = { maxWaitMs: 0, maxBytes: o.maxBytes ?? 64 * 2 ** 20, partitionMaxBytes: o.partitionMaxBytes ?? 8 * 2 ** 20 }
  let records = 0
  let bytes = 0
  let requests = 0
  const started = performance.now()
  const deadline = started + o.maxSeconds * 1000
  await Promise.all(Array.from({ length: Math.min(o.connections, o.partitions) }, async (_, c) => {
    const wire = await Wire.connect(leader.host, leader.port, o.tls)
    const offsets = new Map<number, number>()
    for (let p = c; p < o.partitions; p += o.connections) offsets.set(p, 0)
    const ends = new Map<number, number>()
    // Answers are read inside their callback: a frame is valid only until it returns (wire.ts).
    await new Promise<void>((resolve, reject) => {
      const next = (): void => {
        if (offsets.size === 0 || records >= o.maxRecords || performance.now() >= deadline) { resolve(); return }
        wire.send(fetchFrame(o.topic, offsets, limits), onAnswer)
      }
      const onAnswer = (frame: Buffer): void => {
        try {
          requests++
          for (const p of fetchAnswer(frame)) {
            if (!ends.has(p.partition)) ends.set(p.partition, p.highWatermark)
            let at = offsets.get(p.partition) ?? 0
            for (const batch of iterateBatches(p.records ?? Buffer.alloc(0), { allowTruncatedTail: true })) {
              at = Number(batch.header.baseOffset) + batch.header.lastOffsetDelta + 1
              records += batch.header.recordsCount
              bytes += batch.header.size
            }
            if (at >= (ends.get(p.partition) ?? 0)) offsets.delete(p.partition)
            else offsets.set(p.partition, at)
          }
          if (o.quiet !== true) progress.update(records)
          next()
        } catch (error) {
          reject(error)
        }
      }
      next()
    })
    wire.close()
  }))
  return { records, bytes, seconds: (performance.now() - started) / 1000, requests }
}
