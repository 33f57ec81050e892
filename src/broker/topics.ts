// Topic lifecycle on top of the registry (what exists) and the partition store (the data): create,
// auto-create, delete, add partitions, change configs. Every change is durable before it is answered.
import type { Logger } from 'pino'
import type { BrokerConfig } from '../config/broker-config.js'
import { ConfigError } from '../config/settings.js'
import { ErrorCode, KafkaError } from '../protocol/errors.js'
import type { LogConfig } from '../storage/native.js'
import type { PartitionStore } from '../storage/partition-store.js'
import { logConfigFor, topicSetting, UnknownConfigError, validateTopicConfigs } from './log-config.js'
import { validateTopicName, type TopicInfo, type TopicRegistry } from './topic-registry.js'

export const MAX_PARTITIONS = 100_000

/** Topics the broker creates and owns itself; clients may neither create nor delete them. */
export const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state'])

export class Topics {
  /** Creations in progress, so concurrent auto-creates of one name create it once. */
  private readonly creating = new Map<string, Promise<TopicInfo>>()

  private constructor (
    private readonly config: BrokerConfig,
    readonly registry: TopicRegistry,
    private readonly store: PartitionStore,
    private readonly log: Logger
  ) {}

  static async open (config: BrokerConfig, registry: TopicRegistry, store: PartitionStore, log: Logger): Promise<Topics> {
    const topics = new Topics(config, registry, store, log)
    await topics.reconcile()
    return topics
  }

  get (name: string): TopicInfo | undefined { return this.registry.get(name) }
  getById (id: string): TopicInfo | undefined { return this.registry.getById(id) }
  all (): TopicInfo[] { return this.registry.all() }

  setting (topic: TopicInfo, name: string): string | number | boolean {
    return topicSetting(this.config, topic.configs, name)
  }

  /** Checks a create request without changing anything; returns the resolved partition count. */
  validateCreate (name: string, partitions: number, replicationFactor: number, configs: Record<string, string>): number {
    validateTopicName(name)
    if (INTERNAL_TOPICS.has(name)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Topic '${name}' is reserved for the broker's internal use.`)
    if (this.registry.get(name) !== undefined || this.creating.has(name)) {
      throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`)
    }
    const count = partitions === -1 ? this.config['num.partitions'] : partitions
    if (!Number.isInteger(count) || count < 1 || count > MAX_PARTITIONS) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Number of partitions must be between 1 and ${MAX_PARTITIONS}, got ${partitions}.`)
    }
    if (replicationFactor !== -1 && replicationFactor !== 1) {
      throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, `Replication factor ${replicationFactor} is larger than the 1 available broker.`)
    }
    checkConfigs(configs)
    return count
  }

  async create (name: string, partitions: number, configs: Record<string, string>, internal = false): Promise<TopicInfo> {
    const pending = this.creating.get(name)
    if (pending !== undefined) return await pending
    const work = (async () => {
      // Partitions first, registry last: a crash in between leaves orphan directories that
      // reconcile() removes, never a registered topic without its data.
      const logConfig = logConfigFor(this.config, configs)
      await Promise.all(Array.from({ length: partitions }, (_, p) => this.createLog(name, p, logConfig)))
      const topic = this.registry.create(name, partitions, configs, internal)
      this.log.info({ topic: name, partitions, configs }, 'topic created')
      return topic
    })()
    this.creating.set(name, work)
    try {
      return await work
    } finally {
      this.creating.delete(name)
    }
  }

  /** The topic, auto-created with the broker defaults when allowed; undefined otherwise. */
  async getOrAutoCreate (name: string, allowed: boolean): Promise<TopicInfo | undefined> {
    const existing = this.registry.get(name) ?? await this.creating.get(name)
    if (existing !== undefined || !allowed || !this.config['auto.create.topics.enable']) return existing
    validateTopicName(name)
    return await this.create(name, this.config['num.partitions'], {})
  }

  async delete (name: string): Promise<void> {
    const topic = this.registry.get(name)
    if (topic === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `This server does not host this topic: ${name}`)
    if (!this.config['delete.topic.enable']) throw new KafkaError(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.')
    // Kafka's broker lets an authorized client delete these (only its CLI refuses); losing committed
    // offsets or transaction state to one admin call is worse than a refusal.
    if (topic.internal || INTERNAL_TOPICS.has(name)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Topic '${name}' is internal and cannot be deleted.`)
    this.registry.remove(name)
    await Promise.all(Array.from({ length: topic.partitions }, (_, p) => this.store.deletePartition(name, p)))
    this.log.info({ topic: name }, 'topic deleted')
  }

  validateAddPartitions (topic: TopicInfo, count: number): void {
    if (count === topic.partitions) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${count} partitions.`)
    if (count < topic.partitions) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${topic.partitions} partitions, which is higher than the requested ${count}.`)
    }
    if (count > MAX_PARTITIONS) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Number of partitions must be at most ${MAX_PARTITIONS}.`)
  }

  /**
   * Manual replica assignments (CreateTopics, CreatePartitions), one replica list per partition: a
   * single node can only honour lists that name exactly itself.
   */
  validateReplicaAssignments (replicaLists: readonly number[][]): void {
    const node = this.config['node.id']
    for (const replicas of replicaLists) {
      if (replicas.length !== 1 || replicas[0] !== node) {
        throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Replica assignment [${replicas.join(', ')}] is not possible: this cluster is the single broker ${node}.`)
      }
    }
  }

  async addPartitions (topic: TopicInfo, count: number): Promise<void> {
    const logConfig = logConfigFor(this.config, topic.configs)
    const added = Array.from({ length: count - topic.partitions }, (_, i) => topic.partitions + i)
    await Promise.all(added.map(p => this.createLog(topic.name, p, logConfig)))
    this.registry.update(topic.name, { partitions: count })
  }

  /** Replaces a topic's overrides (AlterConfigs) and applies them to its logs. */
  async setConfigs (topic: TopicInfo, configs: Record<string, string>): Promise<void> {
    checkConfigs(configs)
    this.registry.update(topic.name, { configs })
    const logConfig = logConfigFor(this.config, configs)
    await Promise.all(Array.from({ length: topic.partitions }, (_, p) => this.store.setConfig(topic.name, p, logConfig)))
  }

  /** Applies every topic's effective config to its logs again, after a broker default changed. */
  async reapplyConfigs (): Promise<void> {
    await Promise.all(this.registry.all().map(async topic => {
      const logConfig = logConfigFor(this.config, topic.configs)
      await Promise.all(Array.from({ length: topic.partitions }, async (_, p) => await this.store.setConfig(topic.name, p, logConfig)))
    }))
  }

  async close (): Promise<void> {
    await Promise.allSettled(this.creating.values())
  }

  /** Makes the store and the registry agree after a crash: creates missing partitions, drops orphans. */
  private async reconcile (): Promise<void> {
    const expected = new Set<string>()
    for (const topic of this.registry.all()) {
      for (let p = 0; p < topic.partitions; p++) expected.add(`${topic.name}\u0000${p}`)
    }
    const present = new Set(this.store.partitions().map(({ topic, partition }) => `${topic}\u0000${partition}`))
    for (const { topic, partition } of this.store.partitions()) {
      if (!expected.has(`${topic}\u0000${partition}`)) {
        this.log.warn({ topic, partition }, 'removing partition of an unregistered topic')
        await this.store.deletePartition(topic, partition)
      }
    }
    // All partitions at once: their ops to the shards go out together (one message per shard per
    // turn), not one round trip each, which at start-up cost a turn per partition.
    await Promise.all(this.registry.all().map(async topic => {
      const logConfig = logConfigFor(this.config, topic.configs)
      await Promise.all(Array.from({ length: topic.partitions }, async (_, p) => {
        // The store reopens every log with the broker defaults; a topic's own overrides are ours to re-apply.
        if (!present.has(`${topic.name}\u0000${p}`)) await this.store.createPartition(topic.name, p, logConfig)
        else if (Object.keys(topic.configs).length > 0) await this.store.setConfig(topic.name, p, logConfig)
        await this.lead(topic.name, p)
      }))
    }))
  }

  private async createLog (name: string, partition: number, logConfig: LogConfig): Promise<void> {
    await this.store.createPartition(name, partition, logConfig)
    await this.lead(name, partition)
  }

  /**
   * What a Kafka broker does on becoming a partition's leader: record that LEADER_EPOCH starts at the
   * log end (a no-op when it is already the latest epoch), so OffsetForLeaderEpoch answers for it
   * before the first append, and after a lost leader-epoch-checkpoint.
   */
  private async lead (name: string, partition: number): Promise<void> {
    // Already the latest epoch (every start after the first): known from this thread's reader, so a
    // start with many partitions makes no round trip to the shards for them.
    if (this.store.latestEpoch(name, partition) !== LEADER_EPOCH) await this.store.assignEpoch(name, partition, LEADER_EPOCH, this.store.highWatermark(name, partition))
  }
}

/** Topic configs in a request: unknown names and bad values become INVALID_CONFIG with the reason. */
export function checkConfigs (configs: Record<string, string>): void {
  try {
    validateTopicConfigs(configs)
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UnknownConfigError) throw new KafkaError(ErrorCode.INVALID_CONFIG, error.message)
    throw error
  }
}

/** A single node leads every partition from its creation, in this one epoch. */
export const LEADER_EPOCH = 0
