// Reads partitions through kafkajs without a consumer group ("assign"-style). kafkajs's public Consumer
// only works inside a group, so this drives kafkajs's own cluster and broker objects (its internals,
// pinned by kafkajs 2.2.4): the requests on the wire are still kafkajs's Metadata v6 and Fetch v11.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

interface KafkajsFetchedMessage {
  offset: string
  timestamp: string
  key: Buffer | null
  value: Buffer | null
  headers: Record<string, Buffer | undefined>
}
interface KafkajsFetchResponse {
  responses: Array<{ topicName: string, partitions: Array<{ partition: number, errorCode: number, highWatermark: string, messages: KafkajsFetchedMessage[] }> }>
}
interface KafkajsBroker {
  fetch (request: object): Promise<KafkajsFetchResponse>
}
interface KafkajsCluster {
  connect (): Promise<void>
  disconnect (): Promise<void>
  addTargetTopic (topic: string): Promise<void>
  refreshMetadata (): Promise<void>
  findLeaderForPartitions (topic: string, partitions: number[]): Record<string, number[]>
  findBroker (query: { nodeId: string }): Promise<KafkajsBroker>
}

const Cluster = require('kafkajs/src/cluster') as new (options: object) => KafkajsCluster
const { createLogger, LEVELS } = require('kafkajs/src/loggers') as { createLogger: (o: object) => unknown, LEVELS: { NOTHING: number } }
const LoggerConsole = require('kafkajs/src/loggers/console') as unknown
const socketFactory = require('kafkajs/src/network/socketFactory') as () => unknown

export interface ReadRecord {
  offset: number
  timestamp: number
  key: Buffer | null
  value: Buffer | null
  headers: Record<string, Buffer | undefined>
}

export interface ReadOptions {
  fromOffset?: number
  /** Stop once this many records (at or after fromOffset) were read. */
  count: number
  timeoutMs?: number
  /** Bytes per fetch; must exceed the largest batch. */
  maxBytes?: number
}

const MAX_FETCHES = 10_000

export class PartitionReader {
  private constructor (private readonly cluster: KafkajsCluster) {}

  static async connect (bootstrap: string): Promise<PartitionReader> {
    const cluster = new Cluster({
      logger: createLogger({ level: LEVELS.NOTHING, logCreator: LoggerConsole }),
      socketFactory: socketFactory(),
      brokers: [bootstrap],
      clientId: 'sluice-test-reader',
      connectionTimeout: 3_000,
      requestTimeout: 10_000,
      enforceRequestTimeout: true,
      retry: { retries: 3, initialRetryTime: 100 },
      allowAutoTopicCreation: false
    })
    await cluster.connect()
    return new PartitionReader(cluster)
  }

  /** Fetches from one partition until `count` records arrived; fails on a partition error or at the deadline. */
  async read (topic: string, partition: number, options: ReadOptions): Promise<ReadRecord[]> {
    await this.cluster.addTargetTopic(topic)
    await this.cluster.refreshMetadata()
    const leaders = Object.keys(this.cluster.findLeaderForPartitions(topic, [partition]))
    const nodeId = leaders[0]
    if (nodeId === undefined) throw new Error(`no leader for ${topic}-${partition} in metadata`)
    const broker = await this.cluster.findBroker({ nodeId })
    const deadline = Date.now() + (options.timeoutMs ?? 20_000)
    const maxBytes = options.maxBytes ?? 16 << 20
    const records: ReadRecord[] = []
    let next = options.fromOffset ?? 0
    for (let i = 0; i < MAX_FETCHES && records.length < options.count; i++) {
      if (Date.now() > deadline) throw new Error(`read ${records.length} of ${options.count} records from ${topic}-${partition} before the deadline`)
      const response = await broker.fetch({
        maxWaitTime: 200,
        minBytes: 1,
        maxBytes,
        isolationLevel: 1,
        topics: [{ topic, partitions: [{ partition, fetchOffset: String(next), maxBytes }] }]
      })
      for (const message of response.responses[0]?.partitions[0]?.messages ?? []) {
        const offset = Number(message.offset)
        if (offset < next) continue // a batch may start before the requested offset
        records.push({ offset, timestamp: Number(message.timestamp), key: message.key, value: message.value, headers: message.headers })
        next = offset + 1
      }
    }
    return records.slice(0, options.count)
  }

  async close (): Promise<void> { await this.cluster.disconnect() }
}
