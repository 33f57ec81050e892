// What the coordinator answers, independent of any protocol version: the handlers in
// src/broker/handlers/ turn these into JoinGroup/SyncGroup/... responses of the version asked for.
import { ErrorCode } from '../protocol/index.js'

export interface JoinedMember { memberId: string, groupInstanceId: string | null, metadata: Buffer }

export interface JoinResult {
  errorCode: number
  generationId: number
  protocolType: string | null
  protocolName: string | null
  leader: string
  memberId: string
  /** Every member with its metadata for the chosen protocol: for the leader only, empty for the others. */
  members: JoinedMember[]
  /** JoinGroup v9+: a static leader that rejoined a stable group must not run the assignor. */
  skipAssignment: boolean
}

export interface SyncResult {
  errorCode: number
  protocolType: string | null
  protocolName: string | null
  assignment: Buffer
}

export interface MemberIdentity { memberId: string, groupInstanceId: string | null }

export interface LeaveResult {
  /** A whole-request error (dead group); the per-member errors are then empty. */
  errorCode: number
  members: Array<MemberIdentity & { errorCode: number }>
}

const EMPTY = Buffer.alloc(0)

export function joinError (memberId: string, errorCode: number): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [], skipAssignment: false }
}

export function syncError (errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY }
}

export const NO_ERROR = ErrorCode.NONE
