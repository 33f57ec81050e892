// The classic group state machine, driven directly on the coordinator (real store underneath):
// KIP-394 member ids, rebalances on join/leave/expiry/metadata change, the protocol vote, the
// rebalance and session timeouts, static membership, and the errors Kafka answers.
import { afterEach, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../src/protocol/index.js'
import { closeAllHarnesses, formGroup, joinRequest, startHarness, subscription, syncAll } from './harness.js'

afterEach(closeAllHarnesses)

describe('joining a group', () => {
  it('a v4+ first join without a member id gets MEMBER_ID_REQUIRED with an id, and the rejoin with it completes', async () => {
    const { coordinator } = await startHarness()
    const first = await coordinator.joinGroup(joinRequest('g', { requireKnownMemberId: true, clientId: 'app' }))
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED)
    expect(first.memberId).toMatch(/^app-[0-9a-f-]{36}$/)
    const joined = await coordinator.joinGroup(joinRequest('g', { requireKnownMemberId: true, memberId: first.memberId }))
    expect(joined).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, memberId: first.memberId, leader: first.memberId, protocolName: 'range' })
    expect(joined.members.map(m => m.memberId)).toEqual([first.memberId])
  })

  it('a join below v4 is admitted at once, never with MEMBER_ID_REQUIRED', async () => {
    const { coordinator } = await startHarness()
    const joined = await coordinator.joinGroup(joinRequest('g', { requireKnownMemberId: false }))
    expect(joined.errorCode).toBe(ErrorCode.NONE)
    expect(joined.generationId).toBe(1)
  })

  it('the leader gets every member with its metadata, followers get none, and all get their assignment from SyncGroup', async () => {
    const { coordinator } = await startHarness()
    const { members, generationId, leader } = await formGroup(coordinator, 'g', 3)
    expect(generationId).toBe(1)
    const leaderAnswer = members.find(m => m.memberId === leader)!
    expect(leaderAnswer.members.map(m => m.memberId).sort()).toEqual(members.map(m => m.memberId).sort())
    expect(leaderAnswer.members[0]!.metadata).toEqual(subscription('t'))
    for (const m of members.filter(m => m.memberId !== leader)) expect(m.members).toEqual([])
    expect(coordinator.describeGroup('g')).toMatchObject({ state: 'Stable', protocolType: 'consumer', protocolData: 'range' })
    const again = await syncAll(coordinator, 'g', members, generationId)
    for (const [i, m] of members.entries()) expect(again[i]!.assignment.toString()).toBe(m.memberId)
  })

  it('picks the protocol every member supports that most members prefer', async () => {
    const { coordinator } = await startHarness()
    const meta = subscription('t')
    const prefs = [['roundrobin', 'range', 'sticky'], ['range', 'roundrobin'], ['range', 'roundrobin', 'sticky']]
    const joins = await Promise.all(prefs.map(async names => await coordinator.joinGroup(joinRequest('g', { protocols: names.map(name => ({ name, metadata: meta })) }))))
    for (const j of joins) expect(j.protocolName).toBe('range')
  })

  it('refuses a joiner with no protocol in common, or another protocol type, with INCONSISTENT_GROUP_PROTOCOL', async () => {
    const { coordinator } = await startHarness()
    await formGroup(coordinator, 'g', 1)
    const other = await coordinator.joinGroup(joinRequest('g', { protocols: [{ name: 'cooperative-sticky', metadata: Buffer.alloc(0) }] }))
    expect(other.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    const connect = await coordinator.joinGroup(joinRequest('g', { protocolType: 'connect' }))
    expect(connect.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  })

  it('answers INVALID_GROUP_ID, INVALID_SESSION_TIMEOUT and UNKNOWN_MEMBER_ID where Kafka does', async () => {
    const { coordinator } = await startHarness({ minSessionTimeoutMs: 6000, maxSessionTimeoutMs: 30_000 })
    expect((await coordinator.joinGroup(joinRequest(''))).errorCode).toBe(ErrorCode.INVALID_GROUP_ID)
    expect((await coordinator.joinGroup(joinRequest('g', { sessionTimeoutMs: 5999 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT)
    expect((await coordinator.joinGroup(joinRequest('g', { sessionTimeoutMs: 30_001 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT)
    expect((await coordinator.joinGroup(joinRequest('nope', { memberId: 'ghost' }))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect(coordinator.heartbeat('', { generationId: 1, memberId: 'm', groupInstanceId: null })).toBe(ErrorCode.INVALID_GROUP_ID)
  })

  it('turns away a new member once the group has group.max.size members', async () => {
    const { coordinator } = await startHarness({ maxSize: 2 })
    await formGroup(coordinator, 'g', 2)
    expect((await coordinator.joinGroup(joinRequest('g'))).errorCode).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED)
  })

  it('holds the first rebalance of an empty group for group.initial.rebalance.delay.ms so later joiners share it', async () => {
    const { coordinator } = await startHarness({ initialRebalanceDelayMs: 40 })
    const first = coordinator.joinGroup(joinRequest('g'))
    await new Promise(resolve => setImmediate(resolve))
    const second = coordinator.joinGroup(joinRequest('g'))
    const [a, b] = await Promise.all([first, second])
    expect(a.generationId).toBe(1)
    expect(b.generationId).toBe(1)
    expect(a.leader).toBe(b.leader)
  })
})

describe('rebalancing a stable group', () => {
  it('a new member puts the group in rebalance: heartbeats answer REBALANCE_IN_PROGRESS until everyone rejoined', async () => {
    const { coordinator } = await startHarness()
    const { members, generationId } = await formGroup(coordinator, 'g', 2)
    const newcomer = coordinator.joinGroup(joinRequest('g'))
    for (const m of members) {
      expect(coordinator.heartbeat('g', { generationId, memberId: m.memberId, groupInstanceId: null })).toBe(ErrorCode.REBALANCE_IN_PROGRESS)
    }
    const rejoined = await Promise.all([newcomer, ...members.map(async m => await coordinator.joinGroup(joinRequest('g', { memberId: m.memberId })))])
    for (const r of rejoined) expect(r).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2 })
    expect(coordinator.heartbeat('g', { generationId, memberId: members[0]!.memberId, groupInstanceId: null })).toBe(ErrorCode.ILLEGAL_GENERATION)
    expect(coordinator.heartbeat('g', { generationId: 2, memberId: members[0]!.memberId, groupInstanceId: null })).toBe(ErrorCode.NONE)
  })

  it('a member leaving starts a rebalance among the others', async () => {
    const { coordinator } = await startHarness()
    const { members } = await formGroup(coordinator, 'g', 3)
    const [leaving, ...staying] = members
    const left = coordinator.leaveGroup('g', [{ memberId: leaving!.memberId, groupInstanceId: null, reason: 'done' }])
    expect(left.members).toEqual([{ memberId: leaving!.memberId, groupInstanceId: null, errorCode: ErrorCode.NONE }])
    const rejoined = await Promise.all(staying.map(async m => await coordinator.joinGroup(joinRequest('g', { memberId: m.memberId }))))
    expect(rejoined.map(r => r.generationId)).toEqual([2, 2])
    const leader = rejoined.find(r => r.memberId === r.leader)!
    expect(leader.members.map(m => m.memberId).sort()).toEqual(staying.map(m => m.memberId).sort())
  })

  it('the last member leaving empties the group and keeps its offsets', async () => {
    const { coordinator } = await startHarness()
    const { members, generationId } = await formGroup(coordinator, 'g', 1)
    const only = members[0]!
    await coordinator.commitOffsets('g', { generationId, memberId: only.memberId, groupInstanceId: null, offsets: [{ topic: 't', partition: 0, offset: 5, leaderEpoch: -1, metadata: null }] })
    coordinator.leaveGroup('g', [{ memberId: only.memberId, groupInstanceId: null, reason: null }])
    expect(coordinator.describeGroup('g')).toMatchObject({ state: 'Empty', members: [] })
    expect(coordinator.fetchOffsets('g', [{ topic: 't', partition: 0 }], false).offsets[0]!.offset).toBe(5)
  })

  it('a follower rejoining with unchanged metadata gets the current generation; changed metadata rebalances', async () => {
    const { coordinator } = await startHarness()
    const { members, generationId, leader } = await formGroup(coordinator, 'g', 2)
    const follower = members.find(m => m.memberId !== leader)!
    const same = await coordinator.joinGroup(joinRequest('g', { memberId: follower.memberId }))
    expect(same).toMatchObject({ errorCode: ErrorCode.NONE, generationId, members: [] })
    expect(coordinator.describeGroup('g').state).toBe('Stable')
    const changed = coordinator.joinGroup(joinRequest('g', { memberId: follower.memberId, protocols: [{ name: 'range', metadata: subscription('t', 'u') }] }))
    expect(coordinator.describeGroup('g').state).toBe('PreparingRebalance')
    const leaderRejoin = await coordinator.joinGroup(joinRequest('g', { memberId: leader }))
    expect((await changed).generationId).toBe(generationId + 1)
    expect(leaderRejoin.members.find(m => m.memberId === follower.memberId)!.metadata).toEqual(subscription('t', 'u'))
  })

  it('SyncGroup with a stale generation is ILLEGAL_GENERATION, during a rebalance REBALANCE_IN_PROGRESS', async () => {
    const { coordinator } = await startHarness()
    const { members, generationId } = await formGroup(coordinator, 'g', 1)
    const sync = (generation: number): Promise<{ errorCode: number }> => Promise.resolve(coordinator.syncGroup('g', {
      generationId: generation, memberId: members[0]!.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: new Map()
    }))
    expect((await sync(generationId + 5)).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION)
    const newcomer = coordinator.joinGroup(joinRequest('g'))
    expect((await sync(generationId)).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS)
    coordinator.leaveGroup('g', [{ memberId: members[0]!.memberId, groupInstanceId: null, reason: null }])
    expect((await newcomer).errorCode).toBe(ErrorCode.NONE)
  })
})

describe('timeouts', () => {
  it('a member that stops heartbeating is removed after its session timeout and the group rebalances without it', async () => {
    const { coordinator } = await startHarness()
    const { members, generationId } = await formGroup(coordinator, 'g', 2, { sessionTimeoutMs: 150 })
    const [alive, silent] = members
    const started = Date.now()
    await heartbeatUntil(() => coordinator.heartbeat('g', { generationId, memberId: alive!.memberId, groupInstanceId: null }), ErrorCode.REBALANCE_IN_PROGRESS)
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    const result = await coordinator.joinGroup(joinRequest('g', { memberId: alive!.memberId, sessionTimeoutMs: 150 }))
    expect(result.members.map(m => m.memberId)).toEqual([alive!.memberId])
    expect(coordinator.heartbeat('g', { generationId: result.generationId, memberId: silent!.memberId, groupInstanceId: null })).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
  })

  it('the rebalance timeout bounds the join phase: members that do not rejoin in time are dropped', async () => {
    const { coordinator } = await startHarness()
    const { members } = await formGroup(coordinator, 'g', 2, { rebalanceTimeoutMs: 120, sessionTimeoutMs: 10_000 })
    const started = Date.now()
    const rejoined = await coordinator.joinGroup(joinRequest('g', { memberId: members[0]!.memberId, rebalanceTimeoutMs: 120 }))
    expect(Date.now() - started).toBeGreaterThanOrEqual(110)
    expect(rejoined.generationId).toBe(2)
    expect(rejoined.members.map(m => m.memberId)).toEqual([members[0]!.memberId])
  })

  it('a member that does not send SyncGroup within the rebalance timeout is removed', async () => {
    const { coordinator } = await startHarness()
    const joins = await Promise.all([0, 1].map(async () => await coordinator.joinGroup(joinRequest('g', { rebalanceTimeoutMs: 100 }))))
    const leader = joins.find(j => j.memberId === j.leader)!
    const follower = joins.find(j => j.memberId !== j.leader)!
    await syncAll(coordinator, 'g', [leader], leader.generationId)
    await heartbeatUntil(() => coordinator.heartbeat('g', { generationId: leader.generationId, memberId: leader.memberId, groupInstanceId: null }), ErrorCode.REBALANCE_IN_PROGRESS)
    expect(coordinator.describeGroup('g').members.map(m => m.memberId)).toEqual([leader.memberId])
    expect(coordinator.heartbeat('g', { generationId: follower.generationId, memberId: follower.memberId, groupInstanceId: null })).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
  })

  it('an id handed out with MEMBER_ID_REQUIRED that is never used expires and stops holding up the rebalance', async () => {
    const { coordinator } = await startHarness()
    const { members } = await formGroup(coordinator, 'g', 1)
    const pending = await coordinator.joinGroup(joinRequest('g', { requireKnownMemberId: true, sessionTimeoutMs: 80 }))
    expect(pending.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED)
    const leader = coordinator.joinGroup(joinRequest('g', { memberId: members[0]!.memberId }))
    expect(coordinator.describeGroup('g').state).toBe('PreparingRebalance')
    const result = await leader
    expect(result.members.map(m => m.memberId)).toEqual([members[0]!.memberId])
    expect((await coordinator.joinGroup(joinRequest('g', { memberId: pending.memberId }))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
  })
})

describe('static membership', () => {
  it('a restarted static member gets its assignment back without a rebalance, and its old id is fenced', async () => {
    const { coordinator } = await startHarness()
    const instance = (id: string): Parameters<typeof joinRequest>[1] => ({ groupInstanceId: id })
    const [a, b] = await Promise.all([coordinator.joinGroup(joinRequest('g', instance('a'))), coordinator.joinGroup(joinRequest('g', instance('b')))])
    await syncAll(coordinator, 'g', [a!, b!], a!.generationId)
    const restarted = await coordinator.joinGroup(joinRequest('g', { ...instance('b'), requireKnownMemberId: false }))
    expect(restarted).toMatchObject({ errorCode: ErrorCode.NONE, generationId: a!.generationId, members: [] })
    expect(restarted.memberId).not.toBe(b!.memberId)
    expect(restarted.memberId).toMatch(/^b-/)
    expect(coordinator.describeGroup('g').state).toBe('Stable')
    const synced = await coordinator.syncGroup('g', {
      generationId: restarted.generationId, memberId: restarted.memberId, groupInstanceId: 'b', protocolType: null, protocolName: null, assignments: new Map()
    })
    expect(synced.assignment.toString()).toBe(b!.memberId)
    expect(coordinator.heartbeat('g', { generationId: a!.generationId, memberId: b!.memberId, groupInstanceId: 'b' })).toBe(ErrorCode.FENCED_INSTANCE_ID)
  })

  it('a restarted static leader below JoinGroup v9 is told the old leader id, so it does not reassign', async () => {
    const { coordinator } = await startHarness()
    const leader = await coordinator.joinGroup(joinRequest('g', { groupInstanceId: 'a' }))
    await syncAll(coordinator, 'g', [leader], leader.generationId)
    const old = await coordinator.joinGroup(joinRequest('g', { groupInstanceId: 'a' }))
    expect(old.leader).toBe(leader.memberId)
    expect(old.memberId).not.toBe(old.leader)
    const v9 = await coordinator.joinGroup(joinRequest('g', { groupInstanceId: 'a', supportSkippingAssignment: true }))
    expect(v9).toMatchObject({ leader: v9.memberId, skipAssignment: true, generationId: leader.generationId })
    expect(v9.members.map(m => m.memberId)).toEqual([v9.memberId])
  })

  it('a static member rejoining with a protocol the group cannot keep triggers a rebalance', async () => {
    const { coordinator } = await startHarness()
    const meta = subscription('t')
    const both = [{ name: 'range', metadata: meta }, { name: 'roundrobin', metadata: meta }]
    const [a, b] = await Promise.all(['a', 'b'].map(async id => await coordinator.joinGroup(joinRequest('g', { groupInstanceId: id, protocols: both }))))
    await syncAll(coordinator, 'g', [a!, b!], a!.generationId)
    void coordinator.joinGroup(joinRequest('g', { groupInstanceId: 'b', protocols: [{ name: 'roundrobin', metadata: meta }] }))
    expect(coordinator.describeGroup('g').state).toBe('PreparingRebalance')
  })

  it('LeaveGroup by instance id alone removes a static member', async () => {
    const { coordinator } = await startHarness()
    await coordinator.joinGroup(joinRequest('g', { groupInstanceId: 'a' }))
    const left = coordinator.leaveGroup('g', [{ memberId: '', groupInstanceId: 'a', reason: null }, { memberId: '', groupInstanceId: 'zz', reason: null }])
    expect(left.members.map(m => m.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID])
  })
})

/** A client heartbeating every 20 ms until the coordinator answers `code` (its timers decide when); bounded. */
async function heartbeatUntil (heartbeat: () => number, code: number): Promise<void> {
  const deadline = Date.now() + 5000
  for (let last = heartbeat(); last !== code; last = heartbeat()) {
    if (last !== ErrorCode.NONE || Date.now() > deadline) throw new Error(`heartbeat answered ${last} while waiting for ${code}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}
