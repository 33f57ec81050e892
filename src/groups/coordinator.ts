// The group coordinator of this single-node broker: every group lives here, and its durable state
// (committed offsets, the metadata of each completed generation) in its __consumer_offsets partition.
// Protocol handlers (src/broker/handlers/) call these methods with version-independent requests and
// turn the results into responses.
//
// Lifecycle: load() replays the offsets topic; the broker calls it once it is ready, as Kafka loads a
// coordinator partition in the background. Until it has finished, group requests are answered
// COORDINATOR_LOAD_IN_PROGRESS (clients retry it; a heartbeat is answered NONE, as Kafka does), so
// no request ever sees a partially loaded coordinator. stop() answers parked requests with
// NOT_COORDINATOR and waits for the writes in flight. A broker whose offsets topic does not exist yet
// has no group state to load: it creates the topic on first need (FindCoordinator for a group, or the
// first write), as Kafka does, so a broker that never sees a group never pays for its 50 partitions.
//
// Group ids: JoinGroup, SyncGroup, Heartbeat and LeaveGroup refuse an empty group id
// (INVALID_GROUP_ID); offset commits and fetches, DescribeGroups and DeleteGroups accept it, as Kafka
// does for old clients.
import type { Logger } from 'pino'
import { ErrorCode } from '../protocol/index.js'
import type { PartitionStore } from '../storage/partition-store.js'
import { Group, GroupState } from './group.js'
import type { TopicPartition } from './group-offsets.js'
import type { GroupSettings } from './group-settings.js'
import { GroupStore } from './group-store.js'
import { joinGroup, type JoinRequest } from './join.js'
import { lagOf, type PartitionLag } from './lag.js'
import { loadGroups, type LoadedGroup, type LoadReport } from './loader.js'
import { Member } from './member.js'
import { Membership, type HeartbeatRequest, type LeavingMember, type SyncRequest } from './membership.js'
import { OffsetLog } from './offset-log.js'
import { Offsets, type CommitRequest, type FetchedOffset } from './offsets.js'
import { OFFSETS_TOPIC } from './offsets-topic.js'
import { Rebalancer } from './rebalance.js'
import { TxnOffsets, type TxnCommitProducer } from './txn-offsets.js'
import { joinError, syncError, type JoinResult, type LeaveResult, type SyncResult } from './results.js'

export interface CoordinatorOptions {
  store: PartitionStore
  settings: GroupSettings
  /** Partitions of __consumer_offsets: the existing topic's, or as many as createOffsetsTopic makes. */
  offsetsPartitions: number
  /** Set when __consumer_offsets does not exist yet: creates it (with offsetsPartitions partitions). */
  createOffsetsTopic?: () => Promise<void>
  log: Logger
}

export interface DescribedMember {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  metadata: Buffer
  assignment: Buffer
}

export interface GroupDescription {
  errorCode: number
  groupId: string
  state: string
  protocolType: string
  /** The chosen protocol, only while Stable (as Kafka). */
  protocolData: string
  members: DescribedMember[]
}

export interface GroupListing { groupId: string, protocolType: string, state: GroupState, type: 'classic' }

const EMPTY = Buffer.alloc(0)

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>()
  private readonly offsetLog: OffsetLog
  private readonly groupStore: GroupStore
  private readonly rebalancer: Rebalancer
  private readonly membership: Membership
  private readonly offsets: Offsets
  private readonly txnOffsets: TxnOffsets
  private retentionTimer: NodeJS.Timeout | null = null
  private stopped = false
  private loaded: LoadReport | null = null
  /** COORDINATOR_LOAD_IN_PROGRESS until load() has replayed the offsets topic, COORDINATOR_NOT_AVAILABLE if that failed. */
  private unavailable: number
  /** Resolves once __consumer_offsets exists; null until the first need when it does not exist yet. */
  private offsetsTopic: Promise<void> | null

  private constructor (private readonly options: CoordinatorOptions) {
    const { store, settings, log } = options
    this.offsetsTopic = options.createOffsetsTopic === undefined ? Promise.resolve() : null
    this.unavailable = options.createOffsetsTopic === undefined ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE
    this.offsetLog = new OffsetLog(store, log, OFFSETS_TOPIC, async () => { await this.ensureOffsetsTopic() })
    this.groupStore = new GroupStore(this.offsetLog, options.offsetsPartitions, log)
    this.rebalancer = new Rebalancer(settings, this.groupStore, log)
    this.membership = new Membership(this.rebalancer, this.groupStore)
    const directory = {
      get: (id: string) => this.groups.get(id),
      getOrCreate: (id: string) => this.getOrCreate(id),
      forget: (group: Group) => { if (this.groups.get(group.groupId) === group) this.groups.delete(group.groupId) },
      all: () => this.groups.values()
    }
    this.offsets = new Offsets(directory, { settings, store: this.groupStore, rebalancer: this.rebalancer, log })
    this.txnOffsets = new TxnOffsets(directory, { offsetLog: this.offsetLog, store: this.groupStore, maxMetadataBytes: settings.offsetMetadataMaxBytes, log })
  }

  /** A coordinator that answers COORDINATOR_LOAD_IN_PROGRESS until load() if __consumer_offsets exists. */
  static open (options: CoordinatorOptions): GroupCoordinator {
    return new GroupCoordinator(options)
  }

  /**
   * Replays __consumer_offsets if it exists, then serves groups and starts the retention checks.
   * `cancelled`: the broker is stopping; the replay gives up between two partitions, as Kafka's
   * shutdown does not wait for a load either (the coordinator then stays unavailable).
   */
  async load (cancelled: () => boolean = () => false): Promise<void> {
    const { store, offsetsPartitions, log, settings } = this.options
    if (this.unavailable === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) {
      try {
        const replayed = await loadGroups(store, OFFSETS_TOPIC, offsetsPartitions, log, cancelled)
        if (replayed === null) return
        const { groups, openTxn, report } = replayed
        for (const [groupId, loaded] of groups) this.restore(groupId, loaded)
        for (const held of openTxn) this.txnOffsets.restore(held)
        this.loaded = report
        this.unavailable = ErrorCode.NONE
        log.info(report, 'loaded consumer groups from the offsets topic')
      } catch (error) {
        this.unavailable = ErrorCode.COORDINATOR_NOT_AVAILABLE
        throw error
      }
    }
    if (this.stopped || cancelled()) return
    this.retentionTimer = setInterval(() => {
      this.offsets.expire().catch((error: unknown) => log.error({ err: error }, 'offset retention failed'))
    }, settings.retentionCheckIntervalMs)
    this.retentionTimer.unref()
  }

  /** A request's coordinator-wide answer: NONE, or why no group can be served now (ListGroups' error code). */
  get status (): number { return this.stopped ? ErrorCode.COORDINATOR_NOT_AVAILABLE : this.unavailable }

  get loadReport (): LoadReport | null { return this.loaded }
  get stats (): { groups: number, appends: number, records: number } { return { groups: this.groups.size, ...this.offsetLog.stats } }

  partitionFor (groupId: string): number { return this.groupStore.partitionFor(groupId) }

  /** Creates __consumer_offsets unless it exists; a failed creation is tried again on the next call. */
  async ensureOffsetsTopic (): Promise<void> {
    const create = this.options.createOffsetsTopic
    this.offsetsTopic ??= create!().catch((error: unknown) => { this.offsetsTopic = null; throw error })
    await this.offsetsTopic
  }

  async joinGroup (request: JoinRequest): Promise<JoinResult> {
    const { minSessionTimeoutMs, maxSessionTimeoutMs } = this.options.settings
    const refused = this.refuse(request.groupId, true)
    if (refused !== ErrorCode.NONE) return joinError(request.memberId, refused)
    if (request.sessionTimeoutMs < minSessionTimeoutMs || request.sessionTimeoutMs > maxSessionTimeoutMs) {
      return joinError(request.memberId, ErrorCode.INVALID_SESSION_TIMEOUT)
    }
    // Only a join without a member id may create the group.
    const group = request.memberId === '' ? this.getOrCreate(request.groupId) : this.groups.get(request.groupId)
    if (group === undefined) return joinError(request.memberId, ErrorCode.UNKNOWN_MEMBER_ID)
    return await joinGroup({ settings: this.options.settings, rebalancer: this.rebalancer, store: this.groupStore, log: this.options.log }, group, request)
  }

  async syncGroup (groupId: string, request: SyncRequest): Promise<SyncResult> {
    const refused = this.refuse(groupId, true)
    if (refused !== ErrorCode.NONE) return syncError(refused)
    const group = this.groups.get(groupId)
    return group === undefined ? syncError(ErrorCode.UNKNOWN_MEMBER_ID) : await this.membership.sync(group, request)
  }

  heartbeat (groupId: string, request: HeartbeatRequest): number {
    const refused = this.refuse(groupId, true)
    // Kafka answers a heartbeat while it loads "blindly": the member stays in its generation.
    if (refused === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return ErrorCode.NONE
    if (refused !== ErrorCode.NONE) return refused
    const group = this.groups.get(groupId)
    return group === undefined ? ErrorCode.UNKNOWN_MEMBER_ID : this.membership.heartbeat(group, request)
  }

  leaveGroup (groupId: string, members: readonly LeavingMember[]): LeaveResult {
    const refused = this.refuse(groupId, true)
    if (refused !== ErrorCode.NONE) return { errorCode: refused, members: [] }
    const group = this.groups.get(groupId)
    if (group === undefined) {
      return { errorCode: ErrorCode.NONE, members: members.map(m => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })) }
    }
    return this.membership.leave(group, members)
  }

  /** One error code per entry of `request.offsets`; answered after the records are in the log. */
  async commitOffsets (groupId: string, request: CommitRequest): Promise<number[]> {
    const refused = this.refuse(groupId, false)
    if (refused !== ErrorCode.NONE) return request.offsets.map(() => refused)
    return await this.offsets.commit(groupId, request)
  }

  /** TxnOffsetCommit: offsets held until the producer's transaction ends (txn-offsets.ts). The caller has
   *  checked the producer with the transaction coordinator. */
  async commitTxnOffsets (groupId: string, producer: TxnCommitProducer, request: CommitRequest): Promise<number[]> {
    const refused = this.refuse(groupId, false)
    if (refused !== ErrorCode.NONE) return request.offsets.map(() => refused)
    return await this.txnOffsets.commit(groupId, producer, request)
  }

  /** The transaction coordinator wrote `producerId`'s marker: its held offsets apply (commit) or go. */
  completeTxn (producerId: number, commit: boolean): void {
    this.txnOffsets.complete(producerId, commit)
  }

  /** `wanted` null: every committed offset of the group. */
  fetchOffsets (groupId: string, wanted: readonly TopicPartition[] | null, requireStable: boolean): { errorCode: number, offsets: FetchedOffset[] } {
    const refused = this.refuse(groupId, false)
    if (refused !== ErrorCode.NONE) return { errorCode: refused, offsets: [] }
    return { errorCode: ErrorCode.NONE, offsets: this.offsets.fetch(groupId, wanted, requireStable) }
  }

  async deleteOffsets (groupId: string, partitions: readonly TopicPartition[]): Promise<{ errorCode: number, partitions: number[] }> {
    const refused = this.refuse(groupId, true)
    if (refused !== ErrorCode.NONE) return { errorCode: refused, partitions: [] }
    return await this.offsets.delete(groupId, partitions)
  }

  describeGroup (groupId: string): GroupDescription {
    const described: GroupDescription = { errorCode: ErrorCode.NONE, groupId, state: GroupState.Dead, protocolType: '', protocolData: '', members: [] }
    const refused = this.refuse(groupId, false)
    if (refused !== ErrorCode.NONE) return { ...described, errorCode: refused, state: '' }
    const group = this.groups.get(groupId)
    if (group === undefined) return described
    // Member metadata and assignments only mean something once the generation is stable.
    const stable = group.is(GroupState.Stable)
    return {
      ...described,
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? group.protocolName ?? '' : '',
      members: [...group.members.values()].map(m => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? m.metadataFor(group.protocolName) : EMPTY,
        assignment: stable ? m.assignment : EMPTY
      }))
    }
  }

  /** States and types filter case-insensitively; every group here is of type "classic". */
  listGroups (states: readonly string[] = [], types: readonly string[] = []): GroupListing[] {
    const wantedStates = new Set(states.map(s => s.toLowerCase()))
    if (types.length > 0 && !types.some(t => t.toLowerCase() === 'classic')) return []
    return [...this.groups.values()]
      .filter(g => wantedStates.size === 0 || wantedStates.has(g.state.toLowerCase()))
      .map(g => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state, type: 'classic' as const }))
  }

  /** Only empty groups can be deleted; their offsets and metadata get tombstones. */
  async deleteGroups (groupIds: readonly string[]): Promise<Array<{ groupId: string, errorCode: number }>> {
    return await Promise.all(groupIds.map(async groupId => {
      const refused = this.refuse(groupId, false)
      if (refused !== ErrorCode.NONE) return { groupId, errorCode: refused }
      const group = this.groups.get(groupId)
      if (group === undefined || group.is(GroupState.Dead)) return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND }
      if (!group.is(GroupState.Empty)) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP }
      return { groupId, errorCode: await this.offsets.deleteGroup(group) }
    }))
  }

  /** Committed offset, log end offset and lag per partition; null for a group this coordinator does not know. */
  groupLag (groupId: string): PartitionLag[] | null {
    const group = this.groups.get(groupId)
    return group === undefined ? null : lagOf(group.offsets, this.options.store)
  }

  /** Runs a retention pass now (the timer runs one every offsets.retention.check.interval.ms). */
  async expireOffsets (now = Date.now()): Promise<number> {
    return await this.offsets.expire(now)
  }

  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    if (this.retentionTimer !== null) clearInterval(this.retentionTimer)
    for (const group of this.groups.values()) this.rebalancer.unload(group)
    await this.offsetLog.drain()
  }

  private refuse (groupId: string, requireNonEmpty: boolean): number {
    if (requireNonEmpty && groupId === '') return ErrorCode.INVALID_GROUP_ID
    return this.status
  }

  private getOrCreate (groupId: string): Group {
    let group = this.groups.get(groupId)
    if (group === undefined) this.groups.set(groupId, group = new Group(groupId))
    return group
  }

  /** A group as the log left it: Stable with its members if it had any (they must heartbeat within their session), else Empty. */
  private restore (groupId: string, loaded: LoadedGroup): void {
    const meta = loaded.metadata
    const group = new Group(groupId, meta !== null && meta.currentStateTimestamp >= 0 ? meta.currentStateTimestamp : Date.now())
    for (const { topic, partition, value, order } of loaded.offsets.values()) group.offsets.set(topic, partition, value, order)
    if (meta !== null) {
      for (const m of meta.members) {
        const member = new Member({
          ...m,
          rebalanceTimeoutMs: m.rebalanceTimeout > 0 ? m.rebalanceTimeout : m.sessionTimeout,
          sessionTimeoutMs: m.sessionTimeout,
          protocolType: meta.protocolType,
          protocols: [{ name: meta.protocol ?? '', metadata: m.subscription }]
        })
        member.assignment = m.assignment
        group.add(member)
      }
      group.generationId = meta.generation
      group.protocolType = meta.protocolType === '' ? null : meta.protocolType
      group.protocolName = meta.protocol
      group.leaderId = meta.leader
      if (group.size > 0) {
        group.state = GroupState.Stable
        group.subscribedTopics = group.computeSubscribedTopics()
        for (const member of group.members.values()) this.rebalancer.scheduleHeartbeat(group, member)
      }
    }
    this.groups.set(groupId, group)
  }
}
