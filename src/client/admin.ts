// Admin requests: topics, partitions, configs, offsets, the cluster. Each method throws a KafkaError
// naming the topic or resource when the broker answers with an error code; the consumer-group ones
// live in group-admin.ts. Topic and config changes go to the controller (Kafka's rule); offsets to
// each partition's leader; broker configs to the broker they describe.
import { ErrorCode } from '../protocol/index.js'
import { calls } from './calls.js'
import type { ClusterInfo, KafkaClient, TopicMetadata } from './client.js'
import { check } from './errors.js'

export interface NewTopic {
  name: string
  /** -1 or absent: the broker's num.partitions. */
  partitions?: number
  replicationFactor?: number
  configs?: Record<string, string>
}

export interface ConfigResource { type: 'topic' | 'broker', name: string }

export interface ConfigEntry {
  name: string
  value: string | null
  /** Kafka's ConfigSource, lower-case: topic, dynamic-broker, static-broker, default, ... */
  source: string
  readOnly: boolean
  isDefault: boolean
  isSensitive: boolean
}

/** A client-quota entity: its types (user, client-id, ip) and names; a null name is the type's default entity. */
export type QuotaEntity = Record<string, string | null>

export interface QuotaEntry { entity: QuotaEntity, values: Record<string, number> }

/** Where a ListOffsets lookup points: the log start, the high watermark, or the first offset at/after a time. */
export type OffsetSpec = 'earliest' | 'latest' | { timestamp: number }

export interface PartitionOffset { partition: number, offset: number, timestamp: number }

const RESOURCE_TYPE = { topic: 2, broker: 4 } as const
const CONFIG_SOURCES = ['unknown', 'topic', 'dynamic-broker', 'dynamic-default-broker', 'static-broker', 'default', 'dynamic-broker-logger', 'client-metrics', 'group']
const CONFIG_OP = { set: 0, delete: 1 } as const
const MATCH_EXACT = 0
const MATCH_DEFAULT = 1
const TIMEOUT_MS = 30_000

export class Admin {
  constructor (private readonly client: KafkaClient) {}

  /** Creates topics; resolves with their ids (zero uuid before CreateTopics v7). */
  async createTopics (topics: readonly NewTopic[], options: { validateOnly?: boolean } = {}): Promise<Map<string, string>> {
    const connection = await this.client.controller()
    const response = await connection.request(calls.createTopics, () => ({
      topics: topics.map(t => ({
        name: t.name,
        numPartitions: t.partitions ?? -1,
        replicationFactor: t.replicationFactor ?? -1,
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value }))
      })),
      timeoutMs: TIMEOUT_MS,
      validateOnly: options.validateOnly === true
    }))
    const ids = new Map<string, string>()
    for (const t of response.topics) {
      check(t.errorCode, `topic "${t.name}"`, t.errorMessage)
      ids.set(t.name, t.topicId)
    }
    return ids
  }

  async deleteTopics (names: readonly string[]): Promise<void> {
    const connection = await this.client.controller()
    const response = await connection.request(calls.deleteTopics, version => version >= 6
      ? { topics: names.map(name => ({ name })), timeoutMs: TIMEOUT_MS }
      : { topicNames: [...names], timeoutMs: TIMEOUT_MS })
    for (const t of response.responses) check(t.errorCode, `topic "${t.name ?? t.topicId}"`, t.errorMessage)
    for (const name of names) this.client.forget(name)
  }

  /** Grows a topic to `count` partitions in total. */
  async createPartitions (topic: string, count: number, options: { validateOnly?: boolean } = {}): Promise<void> {
    const connection = await this.client.controller()
    const response = await connection.request(calls.createPartitions, () => ({
      topics: [{ name: topic, count, assignments: null }], timeoutMs: TIMEOUT_MS, validateOnly: options.validateOnly === true
    }))
    for (const t of response.results) check(t.errorCode, `topic "${t.name}"`, t.errorMessage)
    this.client.forget(topic)
  }

  async describeConfigs (resource: ConfigResource, keys: readonly string[] | null = null): Promise<ConfigEntry[]> {
    const connection = await this.connectionFor(resource)
    const response = await connection.request(calls.describeConfigs, () => ({
      resources: [{ resourceType: RESOURCE_TYPE[resource.type], resourceName: resource.name, configurationKeys: keys === null ? null : [...keys] }]
    }))
    const version = connection.version(calls.describeConfigs.api)
    const result = response.results[0]
    if (result === undefined) throw new Error(`DescribeConfigs from ${connection.address} answered no resource`)
    check(result.errorCode, `${resource.type} "${resource.name}"`, result.errorMessage)
    return result.configs.map(c => ({
      name: c.name,
      value: c.value,
      source: version === 0 ? (c.isDefault ? 'default' : resource.type === 'topic' ? 'topic' : 'static-broker') : (CONFIG_SOURCES[c.configSource] ?? 'unknown'),
      readOnly: c.readOnly,
      isDefault: version === 0 ? c.isDefault : c.configSource === 5,
      isSensitive: c.isSensitive
    })).sort((a, b) => a.name.localeCompare(b.name))
  }

  /**
   * Sets (string) or removes (null, back to the default) configs, leaving the others as they are.
   * Uses IncrementalAlterConfigs; with a broker that serves only AlterConfigs, which replaces the whole
   * set, the current overrides are read first and sent back with the changes.
   */
  async alterConfigs (resource: ConfigResource, changes: Record<string, string | null>, options: { validateOnly?: boolean } = {}): Promise<void> {
    const connection = await this.connectionFor(resource)
    const resourceType = RESOURCE_TYPE[resource.type]
    const subject = `${resource.type} "${resource.name}"`
    const validateOnly = options.validateOnly === true
    if (connection.supports(calls.incrementalAlterConfigs.api)) {
      const response = await connection.request(calls.incrementalAlterConfigs, () => ({
        resources: [{
          resourceType,
          resourceName: resource.name,
          configs: Object.entries(changes).map(([name, value]) => ({ name, value, configOperation: value === null ? CONFIG_OP.delete : CONFIG_OP.set }))
        }],
        validateOnly
      }))
      for (const r of response.responses) check(r.errorCode, subject, r.errorMessage)
      return
    }
    const current = await this.describeConfigs(resource)
    const merged = new Map(current.filter(c => c.source === 'topic' || c.source === 'dynamic-broker').map(c => [c.name, c.value]))
    for (const [name, value] of Object.entries(changes)) {
      if (value === null) merged.delete(name)
      else merged.set(name, value)
    }
    const response = await connection.request(calls.alterConfigs, () => ({
      resources: [{ resourceType, resourceName: resource.name, configs: [...merged].map(([name, value]) => ({ name, value })) }],
      validateOnly
    }))
    for (const r of response.responses) check(r.errorCode, subject, r.errorMessage)
  }

  /** One offset per partition (all of the topic's when `partitions` is absent), asked of each leader. */
  async listOffsets (topic: string, spec: OffsetSpec, partitions?: readonly number[]): Promise<PartitionOffset[]> {
    const meta = await this.client.topic(topic)
    const wanted = partitions ?? meta.partitions.map(p => p.partition)
    const timestamp = spec === 'earliest' ? -2 : spec === 'latest' ? -1 : spec.timestamp
    const byLeader = new Map<number, number[]>()
    for (const partition of wanted) {
      const leader = await this.client.leaderOf(topic, partition)
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition])
    }
    const answers = await Promise.all([...byLeader].map(async ([leader, indexes]) => {
      const connection = await this.client.connectionTo(leader)
      const response = await connection.request(calls.listOffsets, () => ({
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: topic, partitions: indexes.map(partitionIndex => ({ partitionIndex, currentLeaderEpoch: -1, timestamp })) }]
      }))
      return response.topics.flatMap(t => t.partitions.map(p => {
        check(p.errorCode, `topic "${topic}" partition ${p.partitionIndex}`)
        return { partition: p.partitionIndex, offset: p.offset, timestamp: p.timestamp }
      }))
    }))
    return answers.flat().sort((a, b) => a.partition - b.partition)
  }

  /** Topic metadata for `names`, or every topic; unknown names throw. */
  async describeTopics (names: readonly string[] | null): Promise<TopicMetadata[]> {
    const answers = await this.client.metadata(names)
    const out: TopicMetadata[] = []
    for (const [name, answer] of answers) {
      if (typeof answer === 'number') check(answer, `topic "${name}"`)
      else out.push(answer)
    }
    return out.sort((a, b) => a.name.localeCompare(b.name))
  }

  /** Brokers and controller: DescribeCluster when the broker serves it, Metadata otherwise. */
  async describeCluster (): Promise<ClusterInfo> {
    const connection = await this.client.bootstrapConnection()
    if (!connection.supports(calls.describeCluster.api)) return await this.client.refreshCluster()
    const response = await connection.request(calls.describeCluster, () => ({ includeClusterAuthorizedOperations: false }))
    check(response.errorCode, 'DescribeCluster', response.errorMessage)
    return {
      clusterId: response.clusterId,
      controllerId: response.controllerId,
      brokers: response.brokers.map(b => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack })).sort((a, b) => a.nodeId - b.nodeId)
    }
  }

  /**
   * Partition sizes in bytes by topic and partition, summed over log directories; null when the broker
   * does not serve DescribeLogDirs.
   */
  async partitionSizes (topics: readonly TopicMetadata[]): Promise<Map<string, Map<number, number>> | null> {
    const cluster = await this.client.refreshCluster()
    const sizes = new Map<string, Map<number, number>>()
    for (const broker of cluster.brokers) {
      const connection = await this.client.connectionTo(broker.nodeId)
      if (!connection.supports(calls.describeLogDirs.api)) return null
      const response = await connection.request(calls.describeLogDirs, () => ({
        topics: topics.map(t => ({ topic: t.name, partitions: t.partitions.map(p => p.partition) }))
      }))
      check(response.errorCode, `DescribeLogDirs from ${connection.address}`)
      for (const dir of response.results) {
        if (dir.errorCode !== ErrorCode.NONE) continue
        for (const t of dir.topics) {
          const perPartition = sizes.get(t.name) ?? new Map<number, number>()
          for (const p of t.partitions) perPartition.set(p.partitionIndex, (perPartition.get(p.partitionIndex) ?? 0) + p.partitionSize)
          sizes.set(t.name, perPartition)
        }
      }
    }
    return sizes
  }

  /** The quotas of exactly this entity, or (null) of every entity. */
  async describeClientQuotas (entity: QuotaEntity | null): Promise<QuotaEntry[]> {
    const connection = await this.client.controller()
    const components = Object.entries(entity ?? {}).map(([entityType, name]) => ({ entityType, matchType: name === null ? MATCH_DEFAULT : MATCH_EXACT, match: name }))
    const response = await connection.request(calls.describeClientQuotas, () => ({ components, strict: entity !== null }))
    check(response.errorCode, 'client quotas', response.errorMessage)
    return (response.entries ?? []).map(e => ({
      entity: Object.fromEntries(e.entity.map(n => [n.entityType, n.entityName])),
      values: Object.fromEntries(e.values.map(v => [v.key, v.value]))
    }))
  }

  /** Sets (number) or removes (null) quota values of one entity, leaving its others as they are. */
  async alterClientQuotas (entity: QuotaEntity, changes: Record<string, number | null>, options: { validateOnly?: boolean } = {}): Promise<void> {
    const connection = await this.client.controller()
    const response = await connection.request(calls.alterClientQuotas, () => ({
      entries: [{
        entity: Object.entries(entity).map(([entityType, entityName]) => ({ entityType, entityName })),
        ops: Object.entries(changes).map(([key, value]) => ({ key, value: value ?? 0, remove: value === null }))
      }],
      validateOnly: options.validateOnly === true
    }))
    for (const e of response.entries) check(e.errorCode, 'client quotas', e.errorMessage)
  }

  private async connectionFor (resource: ConfigResource): ReturnType<KafkaClient['controller']> {
    if (resource.type === 'broker' && resource.name !== '') return await this.client.connectionTo(Number(resource.name))
    return await this.client.controller()
  }
}
