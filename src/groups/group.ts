// The state of one classic group (protocol-notes.md §9): its members, generation, chosen protocol,
// leader, the members still owed a JoinGroup id (KIP-394 pending members) or a SyncGroup, and its
// committed offsets. The transitions are Kafka's:
//
//   Empty ──join──▶ PreparingRebalance ──all joined / rebalance timeout──▶ CompletingRebalance
//     ▲                 ▲        │ (no members left)                           │ leader's SyncGroup stored
//     └─────────────────┼────────┘                                             ▼
//                       └──── join, leave, session expiry, metadata change ── Stable
//   any ──delete / expiry of an empty group──▶ Dead
//
// This file only keeps the state consistent; the timing and the answers live in rebalance.ts.
import { ErrorCode } from '../protocol/index.js'
import { CONSUMER_PROTOCOL_TYPE, subscribedTopicsOf } from './consumer-protocol.js'
import { GroupOffsets } from './group-offsets.js'
import type { Member, Protocol } from './member.js'
import type { JoinedMember } from './results.js'

export const GroupState = {
  Empty: 'Empty',
  PreparingRebalance: 'PreparingRebalance',
  CompletingRebalance: 'CompletingRebalance',
  Stable: 'Stable',
  Dead: 'Dead'
} as const
export type GroupState = (typeof GroupState)[keyof typeof GroupState]

const S = GroupState
const validPrevious: Record<GroupState, readonly GroupState[]> = {
  Empty: [S.PreparingRebalance],
  PreparingRebalance: [S.Stable, S.CompletingRebalance, S.Empty],
  CompletingRebalance: [S.PreparingRebalance],
  Stable: [S.CompletingRebalance],
  Dead: [S.Stable, S.PreparingRebalance, S.CompletingRebalance, S.Empty, S.Dead]
}

export class Group {
  state: GroupState = S.Empty
  /** When the group last changed state (ms); retention of an empty group's offsets counts from it. */
  stateTimestamp: number
  generationId = 0
  /** Set by the first member to join; kept while the group is empty (offset retention needs it). */
  protocolType: string | null = null
  protocolName: string | null = null
  leaderId: string | null = null
  readonly members = new Map<string, Member>()
  readonly offsets = new GroupOffsets()
  /** KIP-394: ids handed out with MEMBER_ID_REQUIRED, not yet rejoined; value = its expiry timer. */
  readonly pendingMembers = new Map<string, NodeJS.Timeout>()
  /** Members that completed the join but have not sent SyncGroup for this generation. */
  readonly pendingSync = new Set<string>()
  /** group.instance.id -> member id. */
  private readonly staticMembers = new Map<string, string>()
  /** A member joined during the initial delay, which may then extend it (Kafka's InitialDelayedJoin). */
  newMemberAdded = false
  /** The rebalance's join phase timer (initial delay or rebalance timeout), and the pending-sync timer. */
  joinTimer: NodeJS.Timeout | null = null
  syncTimer: NodeJS.Timeout | null = null
  /** Topics the members subscribe to (consumer groups), or null when unknown. */
  subscribedTopics: ReadonlySet<string> | null = null

  constructor (readonly groupId: string, now = Date.now()) {
    this.stateTimestamp = now
  }

  is (state: GroupState): boolean { return this.state === state }

  transitionTo (state: GroupState): void {
    if (!validPrevious[state].includes(this.state)) {
      throw new Error(`group ${this.groupId} cannot move from ${this.state} to ${state}`)
    }
    this.state = state
    this.stateTimestamp = Date.now()
  }

  /** Empty, without offsets and without members about to join: retention deletes such a group. */
  get isDisposable (): boolean { return this.is(S.Empty) && this.offsets.isEmpty && this.pendingMembers.size === 0 }
  get canRebalance (): boolean { return this.is(S.Stable) || this.is(S.CompletingRebalance) || this.is(S.Empty) }
  get size (): number { return this.members.size }
  has (memberId: string): boolean { return this.members.has(memberId) }
  isLeader (memberId: string): boolean { return this.leaderId === memberId }
  isPending (memberId: string): boolean { return this.pendingMembers.has(memberId) }

  get (memberId: string): Member {
    const member = this.members.get(memberId)
    if (member === undefined) throw new Error(`group ${this.groupId} has no member ${memberId}`)
    return member
  }

  currentStaticMemberId (groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId)
  }

  /**
   * Kafka's validateCurrentMember: a given instance id must map to this member id (else the caller is a
   * fenced zombie, or unknown if the instance id is not mapped at all), and the member must exist.
   */
  memberError (memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const current = this.staticMembers.get(groupInstanceId)
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
      if (current !== memberId) return ErrorCode.FENCED_INSTANCE_ID
    }
    return this.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID
  }

  add (member: Member): void {
    if (this.members.size === 0) this.protocolType = member.protocolType
    this.leaderId ??= member.memberId
    this.members.set(member.memberId, member)
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId)
    this.clearPending(member.memberId)
  }

  /** Removes a member or a pending member id; a removed leader is succeeded by the oldest member. */
  remove (memberId: string): Member | undefined {
    const member = this.members.get(memberId)
    if (member !== undefined) {
      this.members.delete(memberId)
      member.stopTimer()
      if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
        this.staticMembers.delete(member.groupInstanceId)
      }
    }
    if (this.isLeader(memberId)) this.leaderId = this.members.keys().next().value ?? null
    this.clearPending(memberId)
    this.pendingSync.delete(memberId)
    return member
  }

  addPending (memberId: string, expiry: NodeJS.Timeout): void {
    this.pendingMembers.set(memberId, expiry)
  }

  private clearPending (memberId: string): void {
    const timer = this.pendingMembers.get(memberId)
    if (timer !== undefined) clearTimeout(timer)
    this.pendingMembers.delete(memberId)
  }

  /** A restarted static member takes over the old member's place under a new member id. */
  replaceStaticMember (groupInstanceId: string, oldMemberId: string, newMemberId: string): Member {
    const member = this.get(oldMemberId)
    this.members.delete(oldMemberId)
    member.memberId = newMemberId
    this.members.set(newMemberId, member)
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId
    if (this.pendingSync.delete(oldMemberId)) this.pendingSync.add(newMemberId)
    this.staticMembers.set(groupInstanceId, newMemberId)
    return member
  }

  /** The group accepts a joiner of this type with these protocols: one must be common to all members. */
  supportsProtocols (protocolType: string, protocols: readonly Protocol[]): boolean {
    if (this.members.size === 0) return protocolType !== '' && protocols.length > 0
    if (this.protocolType !== protocolType) return false
    return protocols.some(p => [...this.members.values()].every(m => m.supports(p.name)))
  }

  /** The protocol every member supports that most members prefer; ties go to the oldest member's choice. */
  selectProtocol (): string {
    const members = [...this.members.values()]
    const first = members[0]
    if (first === undefined) throw new Error(`cannot select a protocol for empty group ${this.groupId}`)
    const candidates = new Set(first.protocols.map(p => p.name).filter(name => members.every(m => m.supports(name))))
    const votes = new Map<string, number>()
    for (const member of members) {
      const choice = member.vote(candidates)
      votes.set(choice, (votes.get(choice) ?? 0) + 1)
    }
    let best = ''
    let most = 0
    for (const [name, count] of votes) if (count > most) { best = name; most = count }
    return best
  }

  get awaitingJoinCount (): number {
    let n = 0
    for (const member of this.members.values()) if (member.awaitingJoin !== null) n++
    return n
  }

  hasAllMembersJoined (): boolean {
    return this.members.size === this.awaitingJoinCount && this.pendingMembers.size === 0
  }

  notYetRejoined (): Member[] {
    return [...this.members.values()].filter(m => m.awaitingJoin === null)
  }

  /** If the leader has not rejoined, any member that has takes over; false if none has. */
  maybeElectNewJoinedLeader (): boolean {
    if (this.leaderId === null) return false
    const leader = this.members.get(this.leaderId)
    if (leader !== undefined && leader.awaitingJoin !== null) return true
    const joined = [...this.members.values()].find(m => m.awaitingJoin !== null)
    if (joined === undefined) return false
    this.leaderId = joined.memberId
    return true
  }

  /** The largest rebalance timeout among the members bounds how long the join phase waits. */
  get rebalanceTimeoutMs (): number {
    let ms = 0
    for (const member of this.members.values()) ms = Math.max(ms, member.rebalanceTimeoutMs)
    return ms
  }

  initNextGeneration (): void {
    this.generationId++
    this.pendingSync.clear()
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol()
      this.subscribedTopics = this.computeSubscribedTopics()
      this.transitionTo(S.CompletingRebalance)
    } else {
      this.protocolName = null
      this.subscribedTopics = null
      this.transitionTo(S.Empty)
    }
  }

  currentMemberMetadata (): JoinedMember[] {
    return [...this.members.values()].map(m => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(this.protocolName) }))
  }

  computeSubscribedTopics (): ReadonlySet<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE || this.protocolName === null) return null
    const topics = new Set<string>()
    for (const member of this.members.values()) {
      const subscribed = subscribedTopicsOf(member.metadataFor(this.protocolName))
      if (subscribed === null) return null
      for (const topic of subscribed) topics.add(topic)
    }
    return topics
  }

  isSubscribedToTopic (topic: string): boolean {
    return this.subscribedTopics?.has(topic) ?? false
  }

  /** Stops every timer of the group and its members (deletion, shutdown). */
  stopTimers (): void {
    if (this.joinTimer !== null) clearTimeout(this.joinTimer)
    if (this.syncTimer !== null) clearTimeout(this.syncTimer)
    this.joinTimer = this.syncTimer = null
    for (const timer of this.pendingMembers.values()) clearTimeout(timer)
    for (const member of this.members.values()) member.stopTimer()
  }
}
