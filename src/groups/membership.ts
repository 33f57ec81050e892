// SyncGroup, Heartbeat and LeaveGroup (protocol-notes.md §9.3–§9.5), with Kafka's validation order:
// a dead group, then the member (fenced instance id, unknown member id), then the generation, then
// what the group's state allows.
import { ErrorCode } from '../protocol/index.js'
import { GroupState, type Group } from './group.js'
import type { GroupStore } from './group-store.js'
import type { Rebalancer } from './rebalance.js'
import { syncError, type LeaveResult, type MemberIdentity, type SyncResult } from './results.js'

export interface SyncRequest {
  generationId: number
  memberId: string
  groupInstanceId: string | null
  /** v5+: must match the group's, when given. */
  protocolType: string | null
  protocolName: string | null
  /** The leader's assignment, member id -> bytes; empty from followers. */
  assignments: ReadonlyMap<string, Buffer>
}

export interface HeartbeatRequest { generationId: number, memberId: string, groupInstanceId: string | null }

export interface LeavingMember extends MemberIdentity { reason: string | null }

const EMPTY = Buffer.alloc(0)

export class Membership {
  constructor (private readonly rebalancer: Rebalancer, private readonly store: GroupStore) {}

  sync (group: Group, request: SyncRequest): Promise<SyncResult> | SyncResult {
    const error = this.validateSync(group, request)
    if (error !== ErrorCode.NONE) return syncError(error)
    switch (group.state) {
      case GroupState.Empty: return syncError(ErrorCode.UNKNOWN_MEMBER_ID)
      case GroupState.PreparingRebalance: return syncError(ErrorCode.REBALANCE_IN_PROGRESS)
      case GroupState.CompletingRebalance: return this.awaitAssignment(group, request)
      default: {
        this.rebalancer.removePendingSync(group, request.memberId)
        const member = group.get(request.memberId)
        this.rebalancer.scheduleHeartbeat(group, member)
        return { errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment }
      }
    }
  }

  heartbeat (group: Group, request: HeartbeatRequest): number {
    if (group.is(GroupState.Dead)) return ErrorCode.COORDINATOR_NOT_AVAILABLE
    const error = group.memberError(request.memberId, request.groupInstanceId)
    if (error !== ErrorCode.NONE) return error
    if (request.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION
    if (group.is(GroupState.Empty)) return ErrorCode.UNKNOWN_MEMBER_ID
    this.rebalancer.scheduleHeartbeat(group, group.get(request.memberId))
    return group.is(GroupState.PreparingRebalance) ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE
  }

  /** Batch leave (v3+); a member given only by its instance id is removed administratively. */
  leave (group: Group, leaving: readonly LeavingMember[]): LeaveResult {
    if (group.is(GroupState.Dead)) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] }
    const members = leaving.map(({ memberId, groupInstanceId, reason }) => {
      const answer = (errorCode: number): LeaveResult['members'][number] => ({ memberId, groupInstanceId, errorCode })
      const why = `left the group${reason === null ? '' : `; client reason: ${reason}`}`
      if (memberId === '') {
        const current = groupInstanceId === null ? undefined : group.currentStaticMemberId(groupInstanceId)
        if (current === undefined) return answer(ErrorCode.UNKNOWN_MEMBER_ID)
        this.rebalancer.removeMember(group, group.get(current), why)
        return answer(ErrorCode.NONE)
      }
      if (group.isPending(memberId)) {
        this.rebalancer.removePending(group, memberId)
        return answer(ErrorCode.NONE)
      }
      const error = group.memberError(memberId, groupInstanceId)
      if (error === ErrorCode.NONE) this.rebalancer.removeMember(group, group.get(memberId), why)
      return answer(error)
    })
    return { errorCode: ErrorCode.NONE, members }
  }

  private validateSync (group: Group, request: SyncRequest): number {
    if (group.is(GroupState.Dead)) return ErrorCode.COORDINATOR_NOT_AVAILABLE
    const error = group.memberError(request.memberId, request.groupInstanceId)
    if (error !== ErrorCode.NONE) return error
    if (request.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION
    if (request.protocolType !== null && request.protocolType !== group.protocolType) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL
    if (request.protocolName !== null && request.protocolName !== group.protocolName) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL
    return ErrorCode.NONE
  }

  /**
   * Parks the SyncGroup until the leader's assignment is stored. The leader's own SyncGroup stores it;
   * members it does not mention get an empty assignment. If the group moved on meanwhile (a new
   * rebalance), the store's outcome is dropped: prepare() already answered the parked members.
   */
  private awaitAssignment (group: Group, request: SyncRequest): Promise<SyncResult> {
    return new Promise(resolve => {
      const member = group.get(request.memberId)
      member.awaitingSync?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS))
      member.awaitingSync = resolve
      this.rebalancer.removePendingSync(group, request.memberId)
      if (!group.isLeader(request.memberId)) return
      const assignment = new Map<string, Buffer>()
      for (const memberId of group.members.keys()) assignment.set(memberId, request.assignments.get(memberId) ?? EMPTY)
      const generation = group.generationId
      void this.store.storeGroup(group, assignment).then(code => {
        if (!group.is(GroupState.CompletingRebalance) || group.generationId !== generation) return
        if (code !== ErrorCode.NONE) {
          this.rebalancer.resetAndPropagateAssignmentError(group, code)
          this.rebalancer.maybePrepare(group, `storing the assignment failed with error ${code}`)
        } else {
          this.rebalancer.setAndPropagateAssignment(group, assignment)
          group.transitionTo(GroupState.Stable)
        }
      })
    })
  }
}
