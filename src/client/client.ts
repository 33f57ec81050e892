// KafkaClient: the bootstrap list, a metadata cache and the connections to each broker.
//
// Addresses: the bootstrap address is only where we first ask; every later request goes to the address
// a broker advertises in Metadata (as every Kafka client does), which need not be the bootstrap one.
// Connections are kept per (broker, lane): a long-poll Fetch holds up every later answer on its
// connection (protocol-notes.md §1), so fetches and group traffic get lanes of their own.
import { ErrorCode, type MetadataResponse } from '../protocol/index.js'
import { Admin } from './admin.js'
import { calls } from './calls.js'
import { KafkaConnection, type TlsOptions } from './connection.js'
import { check } from './errors.js'
import { GroupAdmin } from './group-admin.js'
import type { SaslCredentials } from './sasl.js'

export interface ClientOptions {
  /** `host:port`, a comma-separated list of them, or an array. */
  bootstrap: string | readonly string[]
  clientId?: string
  connectTimeoutMs?: number
  requestTimeoutMs?: number
  /** Cached topic metadata older than this is fetched again (Kafka's metadata.max.age.ms, 5 min). */
  metadataMaxAgeMs?: number
  /** SASL credentials every connection authenticates with (a SASL_PLAINTEXT or SASL_SSL listener). */
  sasl?: SaslCredentials
  /** TLS for every connection (an SSL or SASL_SSL listener). */
  tls?: TlsOptions
}

/** 'default', 'fetch', or a name of its own (each group member has one: a JoinGroup may wait for a whole rebalance). */
export type Lane = string

export interface HostPort { host: string, port: number }
export interface BrokerInfo extends HostPort { nodeId: number, rack: string | null }

export interface PartitionInfo {
  partition: number
  leader: number
  leaderEpoch: number
  replicas: number[]
  isr: number[]
  errorCode: number
}

export interface TopicMetadata {
  name: string
  id: string
  internal: boolean
  partitions: PartitionInfo[]
}

export interface ClusterInfo {
  clusterId: string | null
  controllerId: number
  brokers: BrokerInfo[]
}

export interface MetadataOptions {
  /** Let the broker create unknown topics (it still decides, by auto.create.topics.enable). */
  allowAutoTopicCreation?: boolean
}

interface CachedTopic { topic: TopicMetadata, at: number }

/** Parses `host:port[,host:port...]`; `[::1]:9092` for IPv6. Throws RangeError on a bad entry. */
export function parseBootstrap (bootstrap: string | readonly string[]): HostPort[] {
  const entries = (typeof bootstrap === 'string' ? bootstrap.split(',') : bootstrap).map(s => s.trim()).filter(s => s !== '')
  if (entries.length === 0) throw new RangeError('the bootstrap list is empty; give HOST:PORT')
  return entries.map(entry => {
    const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry)
    const port = Number(match?.[2])
    if (match === null || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new RangeError(`"${entry}" is not HOST:PORT (for example localhost:9092)`)
    }
    return { host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port }
  })
}

export class KafkaClient {
  readonly admin: Admin
  readonly groups: GroupAdmin
  private readonly bootstrap: HostPort[]
  private readonly connections = new Map<string, Promise<KafkaConnection>>()
  private readonly topics = new Map<string, CachedTopic>()
  private readonly lookups = new Map<string, Promise<TopicMetadata>>()
  private brokers = new Map<number, BrokerInfo>()
  private cluster: ClusterInfo | null = null
  private bootstrapAddress: string | null = null
  private closed = false

  constructor (readonly options: ClientOptions) {
    this.bootstrap = parseBootstrap(options.bootstrap)
    this.admin = new Admin(this)
    this.groups = new GroupAdmin(this)
  }

  get clientId (): string { return this.options.clientId ?? 'sluice' }

  /** Connects to the first bootstrap broker that answers and loads the broker list. */
  async connect (): Promise<ClusterInfo> {
    await this.bootstrapConnection()
    return await this.refreshCluster()
  }

  /** A connection to any broker: the bootstrap one. Tries each bootstrap address in order. */
  async bootstrapConnection (): Promise<KafkaConnection> {
    if (this.bootstrapAddress !== null) {
      const known = this.bootstrap.find(b => `${b.host}:${b.port}` === this.bootstrapAddress) as HostPort
      try {
        return await this.open(known, 'default')
      } catch {
        this.bootstrapAddress = null // that broker went away: walk the whole list again
      }
    }
    let first: unknown
    for (const address of this.bootstrap) {
      try {
        const connection = await this.open(address, 'default')
        this.bootstrapAddress = connection.address
        return connection
      } catch (error) {
        first ??= error
      }
    }
    throw first
  }

  /** The connection to broker `nodeId` on `lane`, at the address that broker advertises. */
  async connectionTo (nodeId: number, lane: Lane = 'default'): Promise<KafkaConnection> {
    let broker = this.brokers.get(nodeId)
    if (broker === undefined) {
      await this.refreshCluster()
      broker = this.brokers.get(nodeId)
    }
    if (broker === undefined) throw new Error(`broker ${nodeId} is not in the cluster metadata`)
    return await this.open(broker, lane, this.bootstrapAddress ?? undefined)
  }

  /** The controller's connection: where admin requests go. */
  async controller (): Promise<KafkaConnection> {
    const cluster = this.cluster ?? await this.refreshCluster()
    return await this.connectionTo(cluster.controllerId >= 0 ? cluster.controllerId : (cluster.brokers[0]?.nodeId ?? -1))
  }

  private async open (address: HostPort, lane: Lane, advertisedBy?: string): Promise<KafkaConnection> {
    if (this.closed) throw new Error('the client is closed')
    const key = `${address.host}:${address.port}/${lane}`
    const existing = this.connections.get(key)
    if (existing !== undefined) {
      const connection = await existing.catch(() => null)
      if (connection?.isOpen === true) return connection
    }
    const opening = KafkaConnection.connect({
      host: address.host,
      port: address.port,
      clientId: this.clientId,
      connectTimeoutMs: this.options.connectTimeoutMs,
      requestTimeoutMs: this.options.requestTimeoutMs,
      sasl: this.options.sasl,
      tls: this.options.tls,
      advertisedBy: advertisedBy !== undefined && advertisedBy !== `${address.host}:${address.port}` ? advertisedBy : undefined
    })
    this.connections.set(key, opening)
    opening.catch(() => { if (this.connections.get(key) === opening) this.connections.delete(key) })
    return await opening
  }

  /** Metadata for `topics` (null: every topic), stored in the cache; unknown topics are not errors here. */
  async metadata (topics: readonly string[] | null, options: MetadataOptions = {}): Promise<Map<string, TopicMetadata | number>> {
    const connection = await this.bootstrapConnection()
    const response = await connection.request(calls.metadata, version => ({
      topics: topics === null ? (version === 0 ? [] : null) : topics.map(name => ({ name })),
      allowAutoTopicCreation: version >= 4 ? options.allowAutoTopicCreation === true : undefined
    }))
    this.storeCluster(response)
    const now = Date.now()
    const out = new Map<string, TopicMetadata | number>()
    for (const t of response.topics) {
      if (t.name === null) continue
      if (t.errorCode !== ErrorCode.NONE) {
        this.topics.delete(t.name)
        out.set(t.name, t.errorCode)
        continue
      }
      const topic: TopicMetadata = {
        name: t.name,
        id: t.topicId,
        internal: t.isInternal,
        partitions: t.partitions.map(p => ({
          partition: p.partitionIndex, leader: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: p.replicaNodes, isr: p.isrNodes, errorCode: p.errorCode
        })).sort((a, b) => a.partition - b.partition)
      }
      this.topics.set(topic.name, { topic, at: now })
      out.set(topic.name, topic)
    }
    return out
  }

  /** The cached metadata of a topic if it is fresh, without asking. */
  cachedTopic (name: string): TopicMetadata | undefined {
    const cached = this.topics.get(name)
    return cached !== undefined && Date.now() - cached.at < (this.options.metadataMaxAgeMs ?? 300_000) ? cached.topic : undefined
  }

  /**
   * A topic's metadata from the cache, or fetched (one request however many callers wait for it);
   * throws KafkaError UNKNOWN_TOPIC_OR_PARTITION and the like.
   */
  async topic (name: string, options: MetadataOptions & { refresh?: boolean } = {}): Promise<TopicMetadata> {
    const cached = options.refresh === true ? undefined : this.cachedTopic(name)
    if (cached !== undefined) return cached
    const key = `${name}\0${options.allowAutoTopicCreation === true}`
    let lookup = this.lookups.get(key)
    if (lookup === undefined) {
      lookup = this.metadata([name], options).then(answers => {
        const answer = answers.get(name) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
        if (typeof answer === 'number') check(answer, `topic "${name}"`)
        return answer as TopicMetadata
      }).finally(() => this.lookups.delete(key))
      this.lookups.set(key, lookup)
    }
    return await lookup
  }

  /** Drops a topic from the cache, so the next use asks again (after NOT_LEADER and the like). */
  forget (topic: string): void { this.topics.delete(topic) }

  /** The leader's node id for one partition; throws for an unknown partition. */
  async leaderOf (topic: string, partition: number): Promise<number> {
    const meta = await this.topic(topic)
    const info = meta.partitions[partition]
    if (info === undefined || info.partition !== partition) {
      check(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic "${topic}" partition ${partition}`, `the topic has ${meta.partitions.length} partitions`)
    }
    return (info as PartitionInfo).leader
  }

  async refreshCluster (): Promise<ClusterInfo> {
    const connection = await this.bootstrapConnection()
    // v0 reads an empty list as "every topic"; the answer is still correct, only larger.
    const response = await connection.request(calls.metadata, () => ({ topics: [] }))
    return this.storeCluster(response)
  }

  private storeCluster (response: MetadataResponse): ClusterInfo {
    this.brokers = new Map(response.brokers.map(b => [b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }]))
    this.cluster = { clusterId: response.clusterId, controllerId: response.controllerId, brokers: [...this.brokers.values()] }
    return this.cluster
  }

  /** Closes every connection; in-flight requests fail. */
  async close (): Promise<void> {
    this.closed = true
    const all = [...this.connections.values()]
    this.connections.clear()
    for (const opening of all) {
      const connection = await opening.catch(() => null)
      connection?.close()
    }
  }
}
