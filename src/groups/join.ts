// JoinGroup, as Kafka's classic coordinator answers it (protocol-notes.md §9.2, §9.8):
//
// - A dynamic member without an id (v4+, KIP-394) gets MEMBER_ID_REQUIRED and a fresh id, kept as
//   pending; v0–v3 joiners are added at once, since those clients (kafka-python 2.0.2 uses v2) do not
//   know that error.
// - A static member (group.instance.id) without an id that the group knows takes over its old place
//   under a new id. In a stable group whose chosen protocol stays the same this causes no rebalance:
//   the group metadata is stored and the member gets the current generation back, then its old
//   assignment from SyncGroup. Any request still parked under the old id is fenced.
// - A known member rejoining with changed metadata, or the leader rejoining a stable group, starts a
//   rebalance; a follower rejoining unchanged just gets the current generation.
// The answer is parked (member.awaitingJoin) until the rebalance's join phase completes.
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { ErrorCode } from '../protocol/index.js'
import { GroupState, type Group } from './group.js'
import { NEW_MEMBER_JOIN_TIMEOUT_MS, type GroupSettings } from './group-settings.js'
import type { GroupStore } from './group-store.js'
import { Member, type Protocol } from './member.js'
import { answerJoin, answerSync, type Rebalancer } from './rebalance.js'
import { joinError, syncError, type JoinResult } from './results.js'

export interface JoinRequest {
  groupId: string
  /** "" on a first join. */
  memberId: string
  groupInstanceId: string | null
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  protocolType: string
  protocols: Protocol[]
  clientId: string
  clientHost: string
  /** KIP-394 applies: JoinGroup v4+ from a dynamic member. */
  requireKnownMemberId: boolean
  /** JoinGroup v9+: the answer may carry skipAssignment. */
  supportSkippingAssignment: boolean
  reason: string | null
}

type Resolve = (result: JoinResult) => void

export interface JoinDeps { settings: GroupSettings, rebalancer: Rebalancer, store: GroupStore, log: Logger }

/** Runs one JoinGroup against `group` (created by the caller for a first join); resolves with the answer. */
export function joinGroup (deps: JoinDeps, group: Group, request: JoinRequest): Promise<JoinResult> {
  return new Promise(resolve => {
    if (!acceptsJoiningMember(group, request.memberId, deps.settings.maxSize)) {
      group.remove(request.memberId)
      resolve(joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED))
    } else if (group.is(GroupState.Dead)) {
      resolve(joinError(request.memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE))
    } else if (!group.supportsProtocols(request.protocolType, request.protocols)) {
      resolve(joinError(request.memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL))
    } else if (request.memberId === '') {
      joinNewMember(deps, group, request, resolve)
    } else {
      joinCurrentMember(deps, group, request, resolve)
    }
    if (group.is(GroupState.PreparingRebalance)) deps.rebalancer.checkJoin(group)
  })
}

/** Existing members already waiting always get in; new ones only while the group is below group.max.size. */
function acceptsJoiningMember (group: Group, memberId: string, maxSize: number): boolean {
  switch (group.state) {
    case GroupState.Empty:
    case GroupState.Dead:
      return true
    case GroupState.PreparingRebalance:
      return group.awaitingJoinCount < maxSize || (group.members.get(memberId)?.awaitingJoin ?? null) !== null
    default:
      return group.has(memberId) || group.size < maxSize
  }
}

function joinNewMember (deps: JoinDeps, group: Group, request: JoinRequest, resolve: Resolve): void {
  const newMemberId = `${request.groupInstanceId ?? request.clientId}-${randomUUID()}`
  if (request.groupInstanceId !== null) {
    const oldMemberId = group.currentStaticMemberId(request.groupInstanceId)
    if (oldMemberId !== undefined) replaceStaticMember(deps, group, { oldMemberId, newMemberId, request }, resolve)
    else addMemberAndRebalance(deps, group, newMemberId, request, resolve)
  } else if (request.requireKnownMemberId) {
    deps.rebalancer.addPendingMember(group, newMemberId, request.sessionTimeoutMs)
    resolve(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED))
  } else {
    addMemberAndRebalance(deps, group, newMemberId, request, resolve)
  }
}

function joinCurrentMember (deps: JoinDeps, group: Group, request: JoinRequest, resolve: Resolve): void {
  const { memberId } = request
  if (group.isPending(memberId)) {
    addMemberAndRebalance(deps, group, memberId, request, resolve)
    return
  }
  const error = group.memberError(memberId, request.groupInstanceId)
  if (error !== ErrorCode.NONE) {
    resolve(joinError(memberId, error))
    return
  }
  const member = group.get(memberId)
  const unchanged = member.matches(request.protocols)
  switch (group.state) {
    case GroupState.PreparingRebalance:
      updateMemberAndRebalance(deps, group, member, request, resolve)
      return
    case GroupState.CompletingRebalance:
      // It may simply have missed the answer: give it the current generation again.
      if (unchanged) resolve(currentGeneration(group, member, group.isLeader(memberId)))
      else updateMemberAndRebalance(deps, group, member, request, resolve)
      return
    case GroupState.Stable:
      // The leader's rejoin lets it pick up changes that do not show in member metadata (new topics).
      if (group.isLeader(memberId) || !unchanged) updateMemberAndRebalance(deps, group, member, request, resolve)
      else resolve(currentGeneration(group, member, false))
      return
    default:
      resolve(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID))
  }
}

function currentGeneration (group: Group, member: Member, withMembers: boolean): JoinResult {
  return {
    errorCode: ErrorCode.NONE,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leader: group.leaderId ?? '',
    memberId: member.memberId,
    members: withMembers ? group.currentMemberMetadata() : [],
    skipAssignment: false
  }
}

function addMemberAndRebalance (deps: JoinDeps, group: Group, memberId: string, request: JoinRequest, resolve: Resolve): void {
  const member = new Member({ ...request, memberId })
  member.isNew = true
  if (group.is(GroupState.PreparingRebalance) && group.generationId === 0) group.newMemberAdded = true
  group.add(member)
  member.awaitingJoin = resolve
  // It cannot heartbeat before it has an answer, and a disconnect goes unnoticed while its request is
  // parked; so a new member's join expires after a long fixed time instead (the client retries).
  deps.rebalancer.scheduleHeartbeat(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS)
  deps.rebalancer.maybePrepare(group, `adding new member ${memberId}${reasonText(request)}`)
}

function updateMemberAndRebalance (deps: JoinDeps, group: Group, member: Member, request: JoinRequest, resolve: Resolve): void {
  updateMember(member, request, resolve)
  deps.rebalancer.maybePrepare(group, `member ${member.memberId} rejoined in ${group.state}${reasonText(request)}`)
}

function updateMember (member: Member, update: Pick<JoinRequest, 'protocols' | 'rebalanceTimeoutMs' | 'sessionTimeoutMs'>, resolve: Resolve | null): void {
  member.protocols = update.protocols
  member.rebalanceTimeoutMs = update.rebalanceTimeoutMs
  member.sessionTimeoutMs = update.sessionTimeoutMs
  // A JoinGroup still parked for this member came from a client that has since given up on it.
  answerJoin(member, joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS))
  member.awaitingJoin = resolve
}

interface Replacement { oldMemberId: string, newMemberId: string, request: JoinRequest }

function replaceStaticMember (deps: JoinDeps, group: Group, replacement: Replacement, resolve: Resolve): void {
  const { oldMemberId, newMemberId, request } = replacement
  const instanceId = request.groupInstanceId!
  const previousLeader = group.leaderId ?? ''
  const member = group.get(oldMemberId)
  answerJoin(member, joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID))
  answerSync(member, syncError(ErrorCode.FENCED_INSTANCE_ID))
  group.replaceStaticMember(instanceId, oldMemberId, newMemberId)
  deps.rebalancer.scheduleHeartbeat(group, member)
  const before = { protocols: member.protocols, rebalanceTimeoutMs: member.rebalanceTimeoutMs, sessionTimeoutMs: member.sessionTimeoutMs }
  updateMember(member, request, resolve)
  const reason = `static member ${instanceId} rejoined as ${newMemberId}${reasonText(request)}`
  switch (group.state) {
    case GroupState.Stable:
      if (group.selectProtocol() !== group.protocolName) {
        deps.rebalancer.maybePrepare(group, `${reason} with a change of protocol`)
        return
      }
      void deps.store.storeGroup(group).then(code => {
        if (code !== ErrorCode.NONE) {
          // Not stored: the old member id stays valid, and the new instance must try again.
          member.awaitingJoin = null
          updateMember(member, before, null)
          group.replaceStaticMember(instanceId, newMemberId, oldMemberId)
          deps.rebalancer.scheduleHeartbeat(group, member)
          resolve({ ...currentGeneration(group, member, false), errorCode: code, memberId: '', leader: previousLeader })
          return
        }
        answerStaticRejoin(group, member, request.supportSkippingAssignment, previousLeader)
        deps.rebalancer.scheduleHeartbeat(group, member)
      })
      return
    case GroupState.CompletingRebalance:
      // The leader may already be assigning under the old id, which would leave the new one without partitions.
      deps.rebalancer.prepare(group, reason)
      return
    case GroupState.PreparingRebalance:
      return
    default:
      throw new Error(`group ${group.groupId} is ${group.state} but knows static member ${instanceId}`)
  }
}

/**
 * Before v9 the answer names the previous leader id, which no longer matches the rejoined member, so a
 * rejoining static leader does not run an assignment that a stable group would ignore. From v9 the
 * leader learns it leads but is told to skip the assignment.
 */
function answerStaticRejoin (group: Group, member: Member, supportSkippingAssignment: boolean, previousLeader: string): void {
  if (supportSkippingAssignment) {
    const isLeader = group.isLeader(member.memberId)
    answerJoin(member, { ...currentGeneration(group, member, isLeader), skipAssignment: isLeader })
  } else {
    answerJoin(member, { ...currentGeneration(group, member, false), leader: previousLeader })
  }
}

function reasonText (request: JoinRequest): string {
  return request.reason === null || request.reason === '' ? '' : `; client reason: ${request.reason}`
}
