// One gateway consumer (a REST v2 consumer instance, or a WebSocket group subscription) as a member of a
// classic consumer group, talking to the in-process coordinator (broker.groups) exactly as a Kafka
// client would over the wire: JoinGroup, the leader's assignment in SyncGroup, Heartbeat, LeaveGroup,
// OffsetCommit. So it shares a group with Java, librdkafka or kafkajs members.
//
// Protocols offered: "range" (Java, librdkafka), "roundrobin" (Java, librdkafka) and
// "RoundRobinAssigner" (kafkajs's only one), so the group always finds a common protocol. When this
// member leads, it computes the assignment for the protocol the group chose.
//
// Unlike a Java consumer, which notices a rebalance only inside poll(), the member rejoins as soon as a
// heartbeat says so (heartbeats are in-process calls, every HEARTBEAT_MS), so a REST client that polls
// rarely never holds up the group's rebalance.
import type { Logger } from 'pino'
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, type TopicPartitions } from '../client/consumer-protocol.js'
import { rangeAssign } from '../client/range-assignor.js'
import type { GroupCoordinator } from '../groups/coordinator.js'
import type { TopicPartition } from '../groups/group-offsets.js'
import type { JoinedMember, JoinResult } from '../groups/results.js'
import { ErrorCode } from '../protocol/index.js'
import { roundRobinAssign } from './round-robin-assignor.js'

const SESSION_TIMEOUT_MS = 30_000
const REBALANCE_TIMEOUT_MS = 30_000
const HEARTBEAT_MS = 500
const RETRY_MS = 200
const PROTOCOLS = ['range', 'roundrobin', 'RoundRobinAssigner'] as const

export interface MemberListener {
  /** The partitions this member owns from now on (possibly none). */
  assigned: (partitions: TopicPartition[]) => void
  /** Called before the member gives its partitions up (rebalance, leave): the time to commit. */
  revoking: (partitions: TopicPartition[]) => Promise<void>
}

export interface MemberOptions {
  coordinator: GroupCoordinator
  groupId: string
  topics: readonly string[]
  /** Partition count of a topic, 0 when it does not exist (the leader's view for assignments). */
  partitionsOf: (topic: string) => number
  clientId: string
  listener: MemberListener
  log: Logger
}

export class GroupMember {
  memberId = ''
  generationId = -1
  assignment: TopicPartition[] = []
  private stopped = false
  private wake: (() => void) | null = null
  private readonly running: Promise<void>

  constructor (private readonly options: MemberOptions) {
    this.running = this.run().catch((error: unknown) => {
      options.log.error({ err: error, group: options.groupId, member: this.memberId }, 'gateway group member stopped unexpectedly')
    })
  }

  get groupId (): string { return this.options.groupId }

  /** One error code per offset (NONE when stored). */
  async commit (offsets: ReadonlyArray<TopicPartition & { offset: number }>): Promise<number[]> {
    if (offsets.length === 0) return []
    return await this.options.coordinator.commitOffsets(this.options.groupId, {
      generationId: this.generationId,
      memberId: this.memberId,
      groupInstanceId: null,
      offsets: offsets.map(o => ({ ...o, leaderEpoch: -1, metadata: null }))
    })
  }

  /** Revokes (the listener commits), leaves the group (which answers a parked join or sync) and stops. */
  async leave (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.wake?.()
    const owned = this.assignment
    this.assignment = []
    try {
      if (owned.length > 0) await this.options.listener.revoking(owned)
    } finally {
      if (this.memberId !== '') {
        this.options.coordinator.leaveGroup(this.options.groupId, [{ memberId: this.memberId, groupInstanceId: null, reason: 'the gateway consumer closed' }])
      }
      await this.running
    }
  }

  private async run (): Promise<void> {
    while (!this.stopped) {
      if (!await this.joinAndSync()) {
        await this.pause(RETRY_MS)
        continue
      }
      const code = await this.heartbeatUntilRebalance()
      if (this.stopped) return
      await this.options.listener.revoking(this.assignment)
      this.assignment = []
      this.options.listener.assigned([])
      if (code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.FENCED_INSTANCE_ID) this.memberId = ''
    }
  }

  /** True once the member has a generation and its assignment. */
  private async joinAndSync (): Promise<boolean> {
    const { coordinator, groupId, topics } = this.options
    const metadata = encodeSubscription(topics)
    let joined = await this.join(metadata)
    // KIP-394: the first join only hands out a member id, so that leave() can always name this member.
    if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED && !this.stopped) {
      this.memberId = joined.memberId
      joined = await this.join(metadata)
    }
    if (this.stopped) return false
    if (joined.errorCode !== ErrorCode.NONE) {
      if (joined.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = ''
      return false
    }
    this.memberId = joined.memberId
    this.generationId = joined.generationId
    const assignments = joined.leader === joined.memberId ? this.assign(joined.protocolName ?? '', joined.members) : new Map<string, Buffer>()
    const synced = await coordinator.syncGroup(groupId, {
      generationId: joined.generationId,
      memberId: joined.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: joined.protocolName,
      assignments
    })
    if (this.stopped || synced.errorCode !== ErrorCode.NONE) {
      if (synced.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = ''
      return false
    }
    this.assignment = decodeAssignment(synced.assignment).partitions.flatMap(({ topic, partitions }) => partitions.map(partition => ({ topic, partition })))
    this.options.listener.assigned(this.assignment)
    return true
  }

  private async join (metadata: Buffer): Promise<JoinResult> {
    const { coordinator, groupId, clientId } = this.options
    return await coordinator.joinGroup({
      groupId,
      memberId: this.memberId,
      groupInstanceId: null,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      rebalanceTimeoutMs: REBALANCE_TIMEOUT_MS,
      protocolType: 'consumer',
      protocols: PROTOCOLS.map(name => ({ name, metadata })),
      clientId,
      clientHost: '/127.0.0.1',
      requireKnownMemberId: true,
      supportSkippingAssignment: false,
      reason: null
    })
  }

  private async heartbeatUntilRebalance (): Promise<number> {
    while (!this.stopped) {
      await this.pause(HEARTBEAT_MS)
      if (this.stopped) break
      const code = this.options.coordinator.heartbeat(this.options.groupId, { generationId: this.generationId, memberId: this.memberId, groupInstanceId: null })
      if (code !== ErrorCode.NONE) return code
    }
    return ErrorCode.NONE
  }

  private assign (protocol: string, members: JoinedMember[]): Map<string, Buffer> {
    const subscribers = members.map(m => ({ memberId: m.memberId, topics: decodeSubscription(m.metadata).topics }))
    const counts = new Map<string, number>()
    for (const topic of new Set(subscribers.flatMap(m => m.topics))) counts.set(topic, this.options.partitionsOf(topic))
    const plan: Map<string, TopicPartitions[]> = protocol === 'range' ? rangeAssign(subscribers, counts) : roundRobinAssign(subscribers, counts)
    return new Map([...plan.entries()].map(([memberId, partitions]) => [memberId, encodeAssignment(partitions)]))
  }

  private async pause (ms: number): Promise<void> {
    await new Promise<void>(resolve => {
      const timer = setTimeout(done, ms)
      const self = this
      function done (): void {
        clearTimeout(timer)
        self.wake = null
        resolve()
      }
      this.wake = done
    })
  }
}
