// One member of a classic group: what it joined with, what it was assigned, the requests of it that
// the coordinator is holding (a JoinGroup parked until the rebalance completes, a SyncGroup parked
// until the leader's assignment is stored), and its session timer.
//
// Timers: one Node Timeout per member, re-armed with refresh() on every heartbeat. Node keeps timers
// of equal duration in one list and refresh() moves the timer to that list's tail, so a heartbeat
// costs O(1) and nothing polls. bench/groups-timers.ts, 10,000 members: refresh() 120 ns p50 per
// re-arm, clearTimeout + setTimeout 190 ns, a global min-heap with lazy deletion 101 ns but with
// entries piling up until their deadline passes; refresh() is as cheap and keeps memory flat.
import type { JoinResult, SyncResult } from './results.js'

export interface Protocol { name: string, metadata: Buffer }

export interface MemberInit {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  rebalanceTimeoutMs: number
  sessionTimeoutMs: number
  protocolType: string
  protocols: Protocol[]
}

const EMPTY = Buffer.alloc(0)

export class Member {
  memberId: string
  readonly groupInstanceId: string | null
  readonly clientId: string
  readonly clientHost: string
  rebalanceTimeoutMs: number
  sessionTimeoutMs: number
  readonly protocolType: string
  protocols: Protocol[]
  assignment: Buffer = EMPTY
  /** Added in the current rebalance and not yet through a completed join. */
  isNew = false
  awaitingJoin: ((result: JoinResult) => void) | null = null
  awaitingSync: ((result: SyncResult) => void) | null = null
  private timer: NodeJS.Timeout | null = null
  private timerMs = 0
  private onExpire: () => void = () => {}

  constructor (init: MemberInit) {
    this.memberId = init.memberId
    this.groupInstanceId = init.groupInstanceId
    this.clientId = init.clientId
    this.clientHost = init.clientHost
    this.rebalanceTimeoutMs = init.rebalanceTimeoutMs
    this.sessionTimeoutMs = init.sessionTimeoutMs
    this.protocolType = init.protocolType
    this.protocols = init.protocols
  }

  get isStatic (): boolean { return this.groupInstanceId !== null }

  /** The member's metadata for `protocol`; empty if it does not support it. */
  metadataFor (protocol: string | null): Buffer {
    return this.protocols.find(p => p.name === protocol)?.metadata ?? EMPTY
  }

  supports (protocol: string): boolean {
    return this.protocols.some(p => p.name === protocol)
  }

  /** Same protocols, in the same order, with the same metadata bytes. */
  matches (protocols: readonly Protocol[]): boolean {
    return protocols.length === this.protocols.length &&
      protocols.every((p, i) => p.name === this.protocols[i]?.name && p.metadata.equals(this.protocols[i].metadata))
  }

  /** The member's most preferred protocol among `candidates`. */
  vote (candidates: ReadonlySet<string>): string {
    const choice = this.protocols.find(p => candidates.has(p.name))
    if (choice === undefined) throw new Error(`member ${this.memberId} supports none of ${[...candidates].join(', ')}`)
    return choice.name
  }

  /** (Re)starts the session timer; `onExpire` runs once if nothing re-arms it within `ms`. */
  armTimer (ms: number, onExpire: () => void): void {
    if (this.timer !== null && this.timerMs === ms) {
      this.timer.refresh()
      this.onExpire = onExpire
      return
    }
    this.stopTimer()
    this.timerMs = ms
    this.onExpire = onExpire
    this.timer = setTimeout(() => { this.timer = null; this.onExpire() }, ms)
    this.timer.unref()
  }

  stopTimer (): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }
}
