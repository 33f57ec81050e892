// Consumer-group admin: find the coordinator, list, describe, delete, and read or write committed
// offsets as an outside party (generation -1, no member id: protocol-notes.md §9 "simple" commits,
// accepted only while the group has no members, which is what reset-offsets relies on).
import { setTimeout as delay } from 'node:timers/promises'
import { ErrorCode, KafkaError } from '../protocol/index.js'
import { calls } from './calls.js'
import type { KafkaClient } from './client.js'
import type { KafkaConnection } from './connection.js'
import { decodeAssignment, decodeSubscription, type TopicPartitions } from './consumer-protocol.js'
import { check, kafkaError } from './errors.js'

export interface GroupListing { groupId: string, protocolType: string, state: string | null }

export interface GroupMember {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  /** Decoded when the group uses the "consumer" protocol; otherwise empty. */
  subscription: string[]
  assignment: TopicPartitions[]
}

export interface GroupDescription {
  groupId: string
  state: string
  protocolType: string
  protocol: string
  members: GroupMember[]
}

export interface CommittedOffset { topic: string, partition: number, offset: number, metadata: string | null }

const COORDINATOR_RETRIES = 20
const RETRIABLE_COORDINATOR = new Set<number>([
  ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.NOT_COORDINATOR
])

export class GroupAdmin {
  constructor (protected readonly client: KafkaClient) {}

  /** The node id of the group's coordinator; retries while the coordinator is loading. */
  async findCoordinator (groupId: string): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const connection = await this.client.bootstrapConnection()
      const response = await connection.request(calls.findCoordinator, version => version >= 4
        ? { keyType: 0, coordinatorKeys: [groupId] }
        : { key: groupId, keyType: version >= 1 ? 0 : undefined })
      const answer = response.coordinators[0] ?? response
      if (answer.errorCode === ErrorCode.NONE) return answer.nodeId
      if (!RETRIABLE_COORDINATOR.has(answer.errorCode) || attempt >= COORDINATOR_RETRIES) {
        throw kafkaError(answer.errorCode, `group "${groupId}"`, answer.errorMessage)
      }
      await delay(Math.min(50 * 2 ** attempt, 1000))
    }
  }

  /** `call` again while it fails with a retriable coordinator error: the coordinator moved, or is
   *  still loading its groups, as a broker does just after it started. */
  private async retried<T> (call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call()
      } catch (error) {
        if (!(error instanceof KafkaError) || !RETRIABLE_COORDINATOR.has(error.code) || attempt >= COORDINATOR_RETRIES) throw error
      }
      await delay(Math.min(50 * 2 ** attempt, 1000))
    }
  }

  /** A connection to the group's coordinator, on `lane` (default 'group'). */
  async coordinator (groupId: string, lane = 'group'): Promise<KafkaConnection> {
    return await this.client.connectionTo(await this.findCoordinator(groupId), lane)
  }

  /** Every group of every broker. */
  async listGroups (): Promise<GroupListing[]> {
    return await this.retried(async () => {
      const cluster = await this.client.refreshCluster()
      const lists = await Promise.all(cluster.brokers.map(async broker => {
        const connection = await this.client.connectionTo(broker.nodeId)
        const response = await connection.request(calls.listGroups, () => ({}))
        check(response.errorCode, `ListGroups from ${connection.address}`)
        const version = connection.version(calls.listGroups.api)
        return response.groups.map(g => ({ groupId: g.groupId, protocolType: g.protocolType, state: version >= 4 ? g.groupState : null }))
      }))
      return lists.flat().sort((a, b) => a.groupId.localeCompare(b.groupId))
    })
  }

  /** A group that does not exist describes as state "Dead" with no members, as Kafka answers. */
  async describeGroup (groupId: string): Promise<GroupDescription> {
    return await this.retried(async () => {
      const connection = await this.coordinator(groupId)
      const response = await connection.request(calls.describeGroups, () => ({ groups: [groupId] }))
      const group = response.groups[0]
      if (group === undefined) throw new Error(`DescribeGroups from ${connection.address} answered no group`)
      check(group.errorCode, `group "${groupId}"`)
      const consumer = group.protocolType === 'consumer'
      return {
        groupId: group.groupId,
        state: group.groupState,
        protocolType: group.protocolType,
        protocol: group.protocolData,
        members: group.members.map(m => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          subscription: consumer && m.memberMetadata.length > 0 ? decodeSubscription(m.memberMetadata).topics : [],
          assignment: consumer ? decodeAssignment(m.memberAssignment).partitions : []
        }))
      }
    })
  }

  async deleteGroups (groupIds: readonly string[]): Promise<void> {
    for (const groupId of groupIds) {
      await this.retried(async () => {
        const connection = await this.coordinator(groupId)
        const response = await connection.request(calls.deleteGroups, () => ({ groupsNames: [groupId] }))
        for (const r of response.results) check(r.errorCode, `group "${r.groupId}"`)
      })
    }
  }

  /** Committed offsets of a group: every partition it has committed, or only `topics`' partitions. */
  async fetchOffsets (groupId: string, topics: readonly TopicPartitions[] | null = null): Promise<CommittedOffset[]> {
    return await this.retried(async () => {
      const connection = await this.coordinator(groupId)
      const asked = topics === null ? null : topics.map(t => ({ name: t.topic, partitionIndexes: t.partitions }))
      const response = await connection.request(calls.offsetFetch, version => version >= 8
        ? { groups: [{ groupId, topics: asked }] }
        : { groupId, topics: asked })
      const version = connection.version(calls.offsetFetch.api)
      const group = version >= 8 ? response.groups[0] : { errorCode: response.errorCode, topics: response.topics }
      if (group === undefined) throw new Error(`OffsetFetch from ${connection.address} answered no group`)
      check(group.errorCode, `group "${groupId}"`)
      const out: CommittedOffset[] = []
      for (const t of group.topics) {
        for (const p of t.partitions) {
          check(p.errorCode, `group "${groupId}" topic "${t.name}" partition ${p.partitionIndex}`)
          if (p.committedOffset >= 0) out.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.metadata })
        }
      }
      return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
    })
  }

  /**
   * Commits offsets as an outside party (generation -1, no member): the coordinator accepts this only
   * for a group without members, so it cannot move offsets under a running consumer.
   */
  async commitOffsets (groupId: string, offsets: ReadonlyArray<{ topic: string, partition: number, offset: number }>): Promise<void> {
    await this.retried(async () => {
      const connection = await this.coordinator(groupId)
      await commitWith(connection, { groupId, generationId: -1, memberId: '', offsets })
    })
  }
}

export interface CommitRequest {
  groupId: string
  generationId: number
  memberId: string
  offsets: ReadonlyArray<{ topic: string, partition: number, offset: number }>
}

/** One OffsetCommit; throws the first per-partition error. Shared with the group consumer. */
export async function commitWith (connection: KafkaConnection, commit: CommitRequest): Promise<void> {
  const byTopic = new Map<string, Array<{ partitionIndex: number, committedOffset: number }>>()
  for (const o of commit.offsets) {
    byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partitionIndex: o.partition, committedOffset: o.offset }])
  }
  const response = await connection.request(calls.offsetCommit, () => ({
    groupId: commit.groupId,
    generationIdOrMemberEpoch: commit.generationId,
    memberId: commit.memberId,
    topics: [...byTopic].map(([name, partitions]) => ({
      name, partitions: partitions.map(p => ({ ...p, committedLeaderEpoch: -1, committedMetadata: '' }))
    }))
  }))
  for (const t of response.topics) {
    for (const p of t.partitions) check(p.errorCode, `group "${commit.groupId}" topic "${t.name}" partition ${p.partitionIndex}`)
  }
}
