// Group-based consumption with the classic protocol (protocol-notes.md §9): FindCoordinator, JoinGroup
// (re-sent with the member id the coordinator hands out under KIP-394), the leader computes a range
// assignment, SyncGroup hands everyone their partitions, then fetching starts at the committed offsets
// and Heartbeat keeps the membership alive. A heartbeat answered REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION
// or UNKNOWN_MEMBER_ID makes the next poll() rejoin first.
import { setTimeout as delay } from 'node:timers/promises'
import { ErrorCode, KafkaError, type JoinGroupResponseJoinGroupResponseMember } from '../protocol/index.js'
import { calls } from './calls.js'
import type { KafkaClient } from './client.js'
import type { KafkaConnection } from './connection.js'
import { Consumer, type ConsumedRecord, type ConsumerOptions } from './consumer.js'
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, type TopicPartitions } from './consumer-protocol.js'
import { ConnectionError, kafkaError } from './errors.js'
import { commitWith } from './group-admin.js'
import { RANGE_ASSIGNOR, rangeAssign } from './range-assignor.js'

export interface GroupConsumerOptions extends ConsumerOptions {
  groupId: string
  topics: readonly string[]
  /** The coordinator drops a member it has not heard from for this long (default 30 s; broker bounds 6 s..30 min). */
  sessionTimeoutMs?: number
  /** How long a rebalance waits for members to rejoin (default 60 s). */
  rebalanceTimeoutMs?: number
  heartbeatIntervalMs?: number
  /** Static membership (KIP-345): a restart with the same id gets its partitions back without a rebalance. */
  groupInstanceId?: string
}

export interface CommitOffset { topic: string, partition: number, offset: number }

const JOIN_ATTEMPTS = 20
const REJOIN_CODES = new Set<number>([ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.ILLEGAL_GENERATION, ErrorCode.UNKNOWN_MEMBER_ID])
const COORDINATOR_MOVED = new Set<number>([ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS])

let memberLanes = 0

export class GroupConsumer {
  private readonly consumer: Consumer
  private memberId = ''
  private generationId = -1
  private coordinator: KafkaConnection | null = null
  private assigned: TopicPartitions[] = []
  private needsJoin = true
  private heartbeatTimer: NodeJS.Timeout | null = null
  private heartbeatInFlight = false
  private fatal: Error | null = null
  /** A coordinator connection of its own: JoinGroup blocks its connection for a whole rebalance. */
  private readonly lane = `group-${++memberLanes}`

  constructor (private readonly client: KafkaClient, private readonly options: GroupConsumerOptions) {
    this.consumer = new Consumer(client, options)
  }

  get member (): string { return this.memberId }
  get generation (): number { return this.generationId }
  /** The partitions this member holds in the current generation. */
  assignment (): TopicPartitions[] { return this.assigned.map(t => ({ topic: t.topic, partitions: [...t.partitions] })) }
  /** Positions and last-seen high watermarks of the assigned partitions. */
  positions (): ReturnType<Consumer['assignment']> { return this.consumer.assignment() }
  atEnd (): boolean { return this.assigned.length > 0 && this.consumer.atEnd() }

  /** Joins (or rejoins) when needed, then fetches once. Without partitions it waits maxWaitMs and returns none. */
  async poll (): Promise<ConsumedRecord[]> {
    if (this.fatal !== null) throw this.fatal
    if (this.needsJoin) await this.join()
    if (this.assigned.length === 0) {
      await delay(this.options.maxWaitMs ?? 500)
      return []
    }
    return await this.consumer.poll()
  }

  /**
   * Commits `offsets` (the next offset to read, per partition; default every current position).
   * Resolves false, committing nothing, when the group is rebalancing: the next poll() rejoins.
   */
  async commit (offsets?: readonly CommitOffset[]): Promise<boolean> {
    const list = offsets ?? this.consumer.assignment().map(p => ({ topic: p.topic, partition: p.partition, offset: p.offset }))
    if (list.length === 0 || this.needsJoin) return false
    try {
      await commitWith(await this.coordinatorConnection(), { groupId: this.options.groupId, generationId: this.generationId, memberId: this.memberId, offsets: list })
      return true
    } catch (error) {
      if (!(error instanceof KafkaError) || !REJOIN_CODES.has(error.code)) throw error
      this.needsJoin = true
      return false
    }
  }

  /** Stops heartbeats and leaves the group, so the others rebalance at once instead of after the session timeout. */
  async close (): Promise<void> {
    this.stopHeartbeat()
    if (this.memberId === '' || this.coordinator === null) return
    const memberId = this.memberId
    this.memberId = ''
    await this.coordinator.request(calls.leaveGroup, version => version >= 3
      ? { groupId: this.options.groupId, members: [{ memberId, groupInstanceId: this.options.groupInstanceId ?? null }] }
      : { groupId: this.options.groupId, memberId }).catch(() => null)
  }

  private async coordinatorConnection (): Promise<KafkaConnection> {
    if (this.coordinator?.isOpen !== true) this.coordinator = await this.client.groups.coordinator(this.options.groupId, this.lane)
    return this.coordinator
  }

  private async join (): Promise<void> {
    this.stopHeartbeat()
    for (let attempt = 0; attempt < JOIN_ATTEMPTS; attempt++) {
      const connection = await this.coordinatorConnection()
      const joined = await this.sendJoin(connection)
      if (joined === null) continue
      const assignments = joined.leader === joined.memberId ? await this.assignAsLeader(joined.members) : []
      const synced = await connection.request(calls.syncGroup, version => ({
        groupId: this.options.groupId,
        generationId: this.generationId,
        memberId: this.memberId,
        groupInstanceId: version >= 3 ? this.options.groupInstanceId ?? null : undefined,
        protocolType: version >= 5 ? 'consumer' : undefined,
        protocolName: version >= 5 ? joined.protocolName : undefined,
        assignments
      }))
      if (this.retryAfter(synced.errorCode)) continue
      this.assigned = decodeAssignment(synced.assignment).partitions
      await this.startAtCommitted()
      this.needsJoin = false
      this.startHeartbeat()
      return
    }
    throw new Error(`could not join group "${this.options.groupId}" after ${JOIN_ATTEMPTS} attempts`)
  }

  /** One JoinGroup; null when it must be re-sent (new member id, coordinator moved, rebalance). */
  private async sendJoin (connection: KafkaConnection): Promise<{ leader: string, memberId: string, protocolName: string | null, members: JoinGroupResponseJoinGroupResponseMember[] } | null> {
    const rebalanceTimeoutMs = this.options.rebalanceTimeoutMs ?? 60_000
    const joined = await connection.request(calls.joinGroup, version => ({
      groupId: this.options.groupId,
      sessionTimeoutMs: this.options.sessionTimeoutMs ?? 30_000,
      rebalanceTimeoutMs: version >= 1 ? rebalanceTimeoutMs : undefined,
      memberId: this.memberId,
      groupInstanceId: version >= 5 ? this.options.groupInstanceId ?? null : undefined,
      protocolType: 'consumer',
      protocols: [{ name: RANGE_ASSIGNOR, metadata: encodeSubscription(this.options.topics) }]
    }), { timeoutMs: rebalanceTimeoutMs + 15_000 })
    if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      this.memberId = joined.memberId
      return null
    }
    if (this.retryAfter(joined.errorCode)) return null
    this.memberId = joined.memberId
    this.generationId = joined.generationId
    return joined
  }

  /** True when a join step must be repeated; throws for errors that no retry fixes. */
  private retryAfter (errorCode: number): boolean {
    if (errorCode === ErrorCode.NONE) return false
    if (errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = ''
    if (COORDINATOR_MOVED.has(errorCode)) this.coordinator = null
    if (REJOIN_CODES.has(errorCode) || COORDINATOR_MOVED.has(errorCode)) return true
    throw kafkaError(errorCode, `group "${this.options.groupId}"`)
  }

  private async assignAsLeader (members: JoinGroupResponseJoinGroupResponseMember[]): Promise<Array<{ memberId: string, assignment: Buffer }>> {
    const subscriptions = members.map(m => ({ memberId: m.memberId, topics: decodeSubscription(m.metadata).topics }))
    const topics = [...new Set(subscriptions.flatMap(s => s.topics))]
    const answers = await this.client.metadata(topics)
    const counts = new Map<string, number>()
    for (const [name, answer] of answers) if (typeof answer !== 'number') counts.set(name, answer.partitions.length)
    return [...rangeAssign(subscriptions, counts)].map(([memberId, partitions]) => ({ memberId, assignment: encodeAssignment(partitions) }))
  }

  private async startAtCommitted (): Promise<void> {
    this.consumer.unassignAll()
    if (this.assigned.length === 0) return
    const committed = await this.client.groups.fetchOffsets(this.options.groupId, this.assigned)
    const at = new Map(committed.map(c => [`${c.topic}\0${c.partition}`, c.offset]))
    const reset = this.options.autoOffsetReset ?? 'latest'
    await this.consumer.assign(this.assigned.flatMap(t => t.partitions.map(partition => {
      const offset = at.get(`${t.topic}\0${partition}`)
      if (offset === undefined && reset === 'none') {
        throw kafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `group "${this.options.groupId}" topic "${t.topic}" partition ${partition}`, 'no committed offset and autoOffsetReset is none')
      }
      return { topic: t.topic, partition, offset: offset ?? (reset === 'none' ? 'latest' : reset) }
    })))
  }

  private startHeartbeat (): void {
    const interval = this.options.heartbeatIntervalMs ?? 3_000
    this.heartbeatTimer = setInterval(() => { void this.beat() }, interval)
    this.heartbeatTimer.unref()
  }

  private stopHeartbeat (): void {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer)
    this.heartbeatTimer = null
  }

  private async beat (): Promise<void> {
    if (this.heartbeatInFlight || this.needsJoin) return
    this.heartbeatInFlight = true
    try {
      const connection = await this.coordinatorConnection()
      const response = await connection.request(calls.heartbeat, version => ({
        groupId: this.options.groupId,
        generationId: this.generationId,
        memberId: this.memberId,
        groupInstanceId: version >= 3 ? this.options.groupInstanceId ?? null : undefined
      }))
      if (response.errorCode !== ErrorCode.NONE) {
        this.needsJoin = this.retryAfter(response.errorCode)
        if (this.needsJoin) this.stopHeartbeat()
      }
    } catch (error) {
      if (error instanceof ConnectionError) {
        this.coordinator = null
        this.needsJoin = true
      } else {
        this.fatal = error as Error
      }
      this.stopHeartbeat()
    } finally {
      this.heartbeatInFlight = false
    }
  }
}
