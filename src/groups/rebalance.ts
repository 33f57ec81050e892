// The timing side of the classic protocol, as Kafka's GroupCoordinator does it: when a rebalance
// starts, when its join phase completes (every member rejoined, or the rebalance timeout passed), who
// is dropped for not rejoining or not syncing in time, session expiry, and handing out the stored
// assignment to the members parked in SyncGroup.
//
// Timers (no polling anywhere): per group, one join-phase timer (group.initial.rebalance.delay.ms for
// a group that was empty, else the largest rebalance timeout of its members) and one pending-sync timer
// (the rebalance timeout again); per member, its session timer (member.ts); per KIP-394 pending member
// id, an expiry after its session timeout.
import type { Logger } from 'pino'
import { ErrorCode } from '../protocol/index.js'
import { GroupState, type Group } from './group.js'
import { NEW_MEMBER_JOIN_TIMEOUT_MS, type GroupSettings } from './group-settings.js'
import type { GroupStore } from './group-store.js'
import type { Member } from './member.js'
import { joinError, syncError, type JoinResult, type SyncResult } from './results.js'

const EMPTY = Buffer.alloc(0)

/** Answers the member's parked JoinGroup, if it has one. */
export function answerJoin (member: Member, result: JoinResult): boolean {
  const resolve = member.awaitingJoin
  if (resolve === null) return false
  member.awaitingJoin = null
  resolve(result)
  return true
}

/** Answers the member's parked SyncGroup, if it has one. */
export function answerSync (member: Member, result: SyncResult): boolean {
  const resolve = member.awaitingSync
  if (resolve === null) return false
  member.awaitingSync = null
  resolve(result)
  return true
}

export class Rebalancer {
  /** Groups whose join phase is the initial delay, which never completes early. */
  private readonly initialDelay = new WeakSet<Group>()

  constructor (private readonly settings: GroupSettings, private readonly store: GroupStore, private readonly log: Logger) {}

  /** Kafka's completeAndScheduleNextHeartbeatExpiration: the member has `timeoutMs` to show signs of life. */
  scheduleHeartbeat (group: Group, member: Member, timeoutMs = member.sessionTimeoutMs): void {
    member.armTimer(timeoutMs, () => this.onSessionExpired(group, member))
  }

  /** KIP-394: an id handed out with MEMBER_ID_REQUIRED is dropped if not used within the session timeout. */
  addPendingMember (group: Group, memberId: string, sessionTimeoutMs: number): void {
    const expiry = setTimeout(() => { if (group.isPending(memberId)) this.removePending(group, memberId) }, sessionTimeoutMs)
    expiry.unref()
    group.addPending(memberId, expiry)
  }

  removePending (group: Group, memberId: string): void {
    group.remove(memberId)
    if (group.is(GroupState.PreparingRebalance)) this.checkJoin(group)
  }

  maybePrepare (group: Group, reason: string): void {
    if (group.canRebalance) this.prepare(group, reason)
  }

  prepare (group: Group, reason: string): void {
    if (group.is(GroupState.CompletingRebalance)) this.resetAndPropagateAssignmentError(group, ErrorCode.REBALANCE_IN_PROGRESS)
    this.clearSyncExpiration(group)
    const wasEmpty = group.is(GroupState.Empty)
    group.transitionTo(GroupState.PreparingRebalance)
    this.log.info({ group: group.groupId, generation: group.generationId, reason }, 'preparing to rebalance group')
    if (wasEmpty) {
      const delay = this.settings.initialRebalanceDelayMs
      this.scheduleInitialJoin(group, delay, Math.max(group.rebalanceTimeoutMs - delay, 0))
    } else {
      this.scheduleJoin(group, group.rebalanceTimeoutMs)
      this.checkJoin(group)
    }
  }

  /** Completes the join phase early once every member has rejoined and no member id is pending. */
  checkJoin (group: Group): void {
    if (!group.is(GroupState.PreparingRebalance) || this.initialDelay.has(group)) return
    if (group.hasAllMembersJoined()) this.completeJoin(group)
  }

  /** Kafka's removeMemberAndUpdateGroup: a member left, timed out, or failed to rejoin. */
  removeMember (group: Group, member: Member, reason: string): void {
    // A new member may time out while its JoinGroup is parked; UNKNOWN_MEMBER_ID makes it rejoin afresh.
    answerJoin(member, joinError('', ErrorCode.UNKNOWN_MEMBER_ID))
    answerSync(member, syncError(ErrorCode.UNKNOWN_MEMBER_ID))
    group.remove(member.memberId)
    this.log.info({ group: group.groupId, member: member.memberId, reason }, 'member removed from group')
    if (group.is(GroupState.Stable) || group.is(GroupState.CompletingRebalance)) this.maybePrepare(group, reason)
    else if (group.is(GroupState.PreparingRebalance)) this.checkJoin(group)
  }

  /** The leader's assignment is stored: every member parked in SyncGroup gets its part. */
  setAndPropagateAssignment (group: Group, assignment: ReadonlyMap<string, Buffer>): void {
    for (const member of group.members.values()) member.assignment = assignment.get(member.memberId) ?? EMPTY
    this.propagateAssignment(group, ErrorCode.NONE)
  }

  resetAndPropagateAssignmentError (group: Group, errorCode: number): void {
    for (const member of group.members.values()) member.assignment = EMPTY
    this.propagateAssignment(group, errorCode)
  }

  /** A SyncGroup arrived from `memberId`; once all have, the pending-sync timer has nothing left to do. */
  removePendingSync (group: Group, memberId: string): void {
    group.pendingSync.delete(memberId)
    if (group.pendingSync.size === 0) this.clearSyncExpiration(group)
  }

  /** Unloading (shutdown): every parked request is told to find the coordinator again. */
  unload (group: Group): void {
    for (const member of group.members.values()) {
      answerJoin(member, joinError(member.memberId, ErrorCode.NOT_COORDINATOR))
      answerSync(member, syncError(ErrorCode.NOT_COORDINATOR))
    }
    group.stopTimers()
    this.initialDelay.delete(group)
  }

  private onSessionExpired (group: Group, member: Member): void {
    if (group.is(GroupState.Dead) || group.members.get(member.memberId) !== member) return
    // A member parked in JoinGroup or SyncGroup cannot heartbeat; the rebalance timeout bounds it
    // instead (its timer is restarted when the rebalance answers it, and checks again meanwhile).
    // New members are the exception: their longer timer ends a JoinGroup nobody is waiting for.
    if (!member.isNew && (member.awaitingJoin !== null || member.awaitingSync !== null)) {
      this.scheduleHeartbeat(group, member)
      return
    }
    this.removeMember(group, member, member.isNew ? 'new member did not complete its join in time' : 'session timeout expired')
  }

  private scheduleInitialJoin (group: Group, delayMs: number, remainingMs: number): void {
    this.initialDelay.add(group)
    this.setJoinTimer(group, delayMs, () => {
      if (group.newMemberAdded && remainingMs !== 0) {
        group.newMemberAdded = false
        const delay = Math.min(this.settings.initialRebalanceDelayMs, remainingMs)
        this.scheduleInitialJoin(group, delay, Math.max(remainingMs - delay, 0))
      } else {
        this.initialDelay.delete(group)
        this.completeJoin(group)
      }
    })
  }

  private scheduleJoin (group: Group, timeoutMs: number): void {
    this.initialDelay.delete(group)
    this.setJoinTimer(group, timeoutMs, () => this.completeJoin(group))
  }

  private setJoinTimer (group: Group, ms: number, onExpire: () => void): void {
    if (group.joinTimer !== null) clearTimeout(group.joinTimer)
    group.joinTimer = setTimeout(() => { group.joinTimer = null; onExpire() }, ms)
    group.joinTimer.unref()
  }

  /** Kafka's onCompleteJoin: drop who did not rejoin, start the next generation, answer every joiner. */
  private completeJoin (group: Group): void {
    if (!group.is(GroupState.PreparingRebalance)) return
    if (group.joinTimer !== null) clearTimeout(group.joinTimer)
    group.joinTimer = null
    for (const member of group.notYetRejoined()) {
      if (!member.isStatic) group.remove(member.memberId)
    }
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // Only static members that have not rejoined are left: wait for them, or for their sessions to end.
      this.log.warn({ group: group.groupId }, 'could not complete rebalance because no members rejoined')
      this.scheduleJoin(group, group.rebalanceTimeoutMs)
      return
    }
    group.initNextGeneration()
    if (group.is(GroupState.Empty)) {
      void this.store.storeGroup(group).then(code => {
        if (code !== ErrorCode.NONE) this.log.warn({ group: group.groupId, errorCode: code }, 'failed to store the metadata of the now empty group')
      })
      return
    }
    this.log.info({ group: group.groupId, generation: group.generationId, members: group.size, protocol: group.protocolName }, 'group rebalanced')
    for (const member of group.members.values()) {
      answerJoin(member, {
        errorCode: ErrorCode.NONE,
        generationId: group.generationId,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        leader: group.leaderId ?? '',
        memberId: member.memberId,
        members: group.isLeader(member.memberId) ? group.currentMemberMetadata() : [],
        skipAssignment: false
      })
      this.scheduleHeartbeat(group, member)
      member.isNew = false
      group.pendingSync.add(member.memberId)
    }
    this.scheduleSyncExpiration(group)
  }

  /** Members that got their JoinGroup answer must send SyncGroup within the rebalance timeout. */
  private scheduleSyncExpiration (group: Group): void {
    const generation = group.generationId
    if (group.syncTimer !== null) clearTimeout(group.syncTimer)
    group.syncTimer = setTimeout(() => {
      group.syncTimer = null
      if (generation !== group.generationId || group.pendingSync.size === 0) return
      if (!group.is(GroupState.CompletingRebalance) && !group.is(GroupState.Stable)) return
      const missing = [...group.pendingSync]
      for (const memberId of missing) group.remove(memberId)
      this.prepare(group, `members ${missing.join(', ')} did not send SyncGroup in time`)
    }, group.rebalanceTimeoutMs)
    group.syncTimer.unref()
  }

  private clearSyncExpiration (group: Group): void {
    group.pendingSync.clear()
    if (group.syncTimer !== null) clearTimeout(group.syncTimer)
    group.syncTimer = null
  }

  private propagateAssignment (group: Group, errorCode: number): void {
    const ok = errorCode === ErrorCode.NONE
    for (const member of group.members.values()) {
      const answered = answerSync(member, {
        errorCode,
        protocolType: ok ? group.protocolType : null,
        protocolName: ok ? group.protocolName : null,
        assignment: ok ? member.assignment : EMPTY
      })
      // Its session expiry was ignored while it waited, so its timer starts again now.
      if (answered) this.scheduleHeartbeat(group, member)
    }
  }
}
