// Committed offsets on the coordinator (real store underneath): validation, durability across a
// restart (replay of __consumer_offsets), deletion with tombstones, retention, coalescing and lag.
import { afterEach, describe, expect, it } from 'vitest'
import { decodeBatches } from '../../../src/protocol/codec/record-batch.js'
import { decodeCoordinatorRecord } from '../../../src/groups/records.js'
import { OFFSETS_TOPIC } from '../../../src/groups/offsets-topic.js'
import { ErrorCode } from '../../../src/protocol/index.js'
import type { PartitionStore } from '../../../src/storage/partition-store.js'
import { closeAllHarnesses, formGroup, joinRequest, OFFSETS_PARTITIONS, startHarness } from './harness.js'

afterEach(closeAllHarnesses)

const commit = (topic: string, partition: number, offset: number, metadata: string | null = null): { topic: string, partition: number, offset: number, leaderEpoch: number, metadata: string | null } =>
  ({ topic, partition, offset, leaderEpoch: 0, metadata })

const simple = { generationId: -1, memberId: '', groupInstanceId: null }

describe('offset commits', () => {
  it('a commit outside group management creates the group and is fetched back after it is in the log', async () => {
    const { coordinator } = await startHarness()
    const codes = await coordinator.commitOffsets('simple', { ...simple, offsets: [commit('t', 0, 10, 'm'), commit('t', 1, 20)] })
    expect(codes).toEqual([ErrorCode.NONE, ErrorCode.NONE])
    const fetched = coordinator.fetchOffsets('simple', [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }, { topic: 't', partition: 2 }], false)
    expect(fetched.offsets.map(o => [o.offset, o.metadata, o.leaderEpoch])).toEqual([[10, 'm', 0], [20, '', 0], [-1, '', -1]])
    expect(coordinator.fetchOffsets('simple', null, false).offsets).toHaveLength(2)
    expect(coordinator.listGroups()).toEqual([{ groupId: 'simple', protocolType: '', state: 'Empty', type: 'classic' }])
  })

  it('rejects commits with a stale generation, from an unknown member, and during CompletingRebalance', async () => {
    const { coordinator } = await startHarness()
    expect(await coordinator.commitOffsets('nobody', { generationId: 3, memberId: 'm', groupInstanceId: null, offsets: [commit('t', 0, 1)] })).toEqual([ErrorCode.ILLEGAL_GENERATION])
    const { members, generationId } = await formGroup(coordinator, 'g', 1)
    const member = members[0]!.memberId
    expect(await coordinator.commitOffsets('g', { generationId: generationId - 1, memberId: member, groupInstanceId: null, offsets: [commit('t', 0, 1)] })).toEqual([ErrorCode.ILLEGAL_GENERATION])
    expect(await coordinator.commitOffsets('g', { generationId, memberId: 'stranger', groupInstanceId: null, offsets: [commit('t', 0, 1)] })).toEqual([ErrorCode.UNKNOWN_MEMBER_ID])
    expect(await coordinator.commitOffsets('g', { ...simple, offsets: [commit('t', 0, 1)] })).toEqual([ErrorCode.UNKNOWN_MEMBER_ID])
    const joining = await Promise.all([coordinator.joinGroup(joinRequest('g')), coordinator.joinGroup(joinRequest('g', { memberId: member }))])
    expect(await coordinator.commitOffsets('g', { generationId: joining[1].generationId, memberId: member, groupInstanceId: null, offsets: [commit('t', 0, 1)] }))
      .toEqual([ErrorCode.REBALANCE_IN_PROGRESS])
    expect(await coordinator.commitOffsets('g', { generationId: joining[1].generationId, memberId: member, groupInstanceId: 'x', offsets: [commit('t', 0, 1)] }))
      .toEqual([ErrorCode.UNKNOWN_MEMBER_ID])
  })

  it('refuses metadata longer than offset.metadata.max.bytes for that partition only', async () => {
    const { coordinator } = await startHarness({ offsetMetadataMaxBytes: 4 })
    const codes = await coordinator.commitOffsets('g', { ...simple, offsets: [commit('t', 0, 1, 'short'), commit('t', 1, 2, 'ok')] })
    expect(codes).toEqual([ErrorCode.OFFSET_METADATA_TOO_LARGE, ErrorCode.NONE])
  })

  it('commits of one turn for one offsets partition go out as one append', async () => {
    const { coordinator } = await startHarness()
    const before = coordinator.stats.appends
    const commits = Array.from({ length: 200 }, async (_, i) => await coordinator.commitOffsets('busy', { ...simple, offsets: [commit('t', i % 3, i)] }))
    const codes = await Promise.all(commits)
    expect(codes.flat().every(c => c === ErrorCode.NONE)).toBe(true)
    expect(coordinator.stats.appends - before).toBe(1)
    expect(coordinator.stats.records).toBe(200)
  })
})

describe('durability', () => {
  it('committed offsets and a stable group survive a restart, replayed from __consumer_offsets', async () => {
    const harness = await startHarness()
    const { members, generationId, leader } = await formGroup(harness.coordinator, 'g', 2)
    await harness.coordinator.commitOffsets('g', { generationId, memberId: leader, groupInstanceId: null, offsets: [commit('t', 0, 7, 'meta'), commit('u', 2, 9)] })
    await harness.coordinator.commitOffsets('g', { generationId, memberId: leader, groupInstanceId: null, offsets: [commit('t', 0, 8)] })
    await harness.restart()
    const c = harness.coordinator
    expect(c.loadReport).toMatchObject({ partitions: OFFSETS_PARTITIONS, groups: 1 })
    expect(c.fetchOffsets('g', null, false).offsets.map(o => [o.topic, o.partition, o.offset]).sort()).toEqual([['t', 0, 8], ['u', 2, 9]])
    const described = c.describeGroup('g')
    expect(described).toMatchObject({ state: 'Stable', protocolData: 'range' })
    expect(described.members.map(m => m.memberId).sort()).toEqual(members.map(m => m.memberId).sort())
    // Members keep their generation across the restart and may go on heartbeating.
    expect(c.heartbeat('g', { generationId, memberId: members[0]!.memberId, groupInstanceId: null })).toBe(ErrorCode.NONE)
    const synced = await c.syncGroup('g', { generationId, memberId: members[1]!.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: new Map() })
    expect(synced.assignment.toString()).toBe(members[1]!.memberId)
  })

  it('until it has replayed __consumer_offsets a restarted coordinator answers COORDINATOR_LOAD_IN_PROGRESS (a heartbeat NONE, as Kafka), then what it loaded', async () => {
    const harness = await startHarness()
    const { members, generationId, leader } = await formGroup(harness.coordinator, 'g', 1)
    await harness.coordinator.commitOffsets('g', { generationId, memberId: leader, groupInstanceId: null, offsets: [commit('t', 0, 7)] })
    await harness.restart(undefined, false)
    const c = harness.coordinator
    const member = { generationId, memberId: members[0]!.memberId, groupInstanceId: null }
    expect(c.status).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
    expect(c.fetchOffsets('g', null, false).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
    expect(await c.commitOffsets('g', { ...member, offsets: [commit('t', 0, 9)] })).toEqual([ErrorCode.COORDINATOR_LOAD_IN_PROGRESS])
    expect((await c.joinGroup(joinRequest('g'))).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
    expect(c.describeGroup('g').errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
    expect(await c.deleteGroups(['g'])).toEqual([{ groupId: 'g', errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS }])
    expect(c.heartbeat('g', member)).toBe(ErrorCode.NONE)
    expect(c.heartbeat('', member)).toBe(ErrorCode.INVALID_GROUP_ID)
    await c.load()
    expect(c.status).toBe(ErrorCode.NONE)
    expect(c.fetchOffsets('g', null, false).offsets.map(o => [o.topic, o.partition, o.offset])).toEqual([['t', 0, 7]])
    expect(c.describeGroup('g')).toMatchObject({ errorCode: ErrorCode.NONE, state: 'Stable' })
    expect(c.heartbeat('g', member)).toBe(ErrorCode.NONE)
  })

  it('writes records in Kafka\'s layout to the group\'s partition of the offsets topic', async () => {
    const harness = await startHarness()
    await harness.coordinator.commitOffsets('g', { ...simple, offsets: [commit('t', 1, 5)] })
    const records = readAll(harness.store, harness.coordinator.partitionFor('g'))
    expect(records).toEqual([expect.objectContaining({ kind: 'offset', group: 'g', topic: 't', partition: 1, value: expect.objectContaining({ offset: 5 }) })])
  })
})

describe('deleting', () => {
  it('DeleteGroups refuses a group with members and deletes an empty one for good', async () => {
    const harness = await startHarness()
    const { members, generationId } = await formGroup(harness.coordinator, 'live', 1)
    await harness.coordinator.commitOffsets('live', { generationId, memberId: members[0]!.memberId, groupInstanceId: null, offsets: [commit('t', 0, 1)] })
    await harness.coordinator.commitOffsets('idle', { ...simple, offsets: [commit('t', 0, 3)] })
    const results = await harness.coordinator.deleteGroups(['live', 'idle', 'unknown'])
    expect(results).toEqual([
      { groupId: 'live', errorCode: ErrorCode.NON_EMPTY_GROUP },
      { groupId: 'idle', errorCode: ErrorCode.NONE },
      { groupId: 'unknown', errorCode: ErrorCode.GROUP_ID_NOT_FOUND }
    ])
    expect(harness.coordinator.describeGroup('idle').state).toBe('Dead')
    await harness.restart()
    expect(harness.coordinator.fetchOffsets('idle', null, false).offsets).toEqual([])
    expect(harness.coordinator.listGroups().map(g => g.groupId)).toEqual(['live'])
  })

  it('OffsetDelete keeps the offsets of topics a live consumer group subscribes to', async () => {
    const { coordinator } = await startHarness()
    const { members, generationId } = await formGroup(coordinator, 'g', 1)
    await coordinator.commitOffsets('g', { generationId, memberId: members[0]!.memberId, groupInstanceId: null, offsets: [commit('t', 0, 1), commit('u', 0, 2)] })
    const deleted = await coordinator.deleteOffsets('g', [{ topic: 't', partition: 0 }, { topic: 'u', partition: 0 }])
    expect(deleted).toEqual({ errorCode: ErrorCode.NONE, partitions: [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, ErrorCode.NONE] })
    expect(coordinator.fetchOffsets('g', null, false).offsets.map(o => o.topic)).toEqual(['t'])
    expect((await coordinator.deleteOffsets('nope', [])).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND)
  })
})

describe('retention', () => {
  it('expires the offsets of a group empty for offsets.retention.minutes, then the group, with tombstones', async () => {
    const harness = await startHarness({ offsetsRetentionMs: 60_000 })
    await harness.coordinator.commitOffsets('old', { ...simple, offsets: [commit('t', 0, 1), commit('t', 1, 2)] })
    expect(await harness.coordinator.expireOffsets(Date.now() + 30_000)).toBe(0)
    expect(await harness.coordinator.expireOffsets(Date.now() + 61_000)).toBe(2)
    expect(harness.coordinator.describeGroup('old').state).toBe('Dead')
    const tombstones = readAll(harness.store, harness.coordinator.partitionFor('old')).filter(r => r.kind === 'offset' && r.value === null)
    expect(tombstones).toHaveLength(2)
    await harness.restart()
    expect(harness.coordinator.listGroups()).toEqual([])
  })

  it('keeps the offsets of a stable group for the topics it subscribes to', async () => {
    const { coordinator } = await startHarness({ offsetsRetentionMs: 60_000 })
    const { members, generationId } = await formGroup(coordinator, 'g', 1)
    await coordinator.commitOffsets('g', { generationId, memberId: members[0]!.memberId, groupInstanceId: null, offsets: [commit('t', 0, 1), commit('u', 0, 1)] })
    expect(await coordinator.expireOffsets(Date.now() + 61_000)).toBe(1)
    expect(coordinator.fetchOffsets('g', null, false).offsets.map(o => o.topic)).toEqual(['t'])
  })
})

describe('lag', () => {
  it('reports committed offset, log end offset and lag per committed partition', async () => {
    const { coordinator, store } = await startHarness()
    const { encodeBatch } = await import('../../../src/protocol/codec/record-batch.js')
    await store.append('t', 1, encodeBatch({ records: Array.from({ length: 10 }, () => ({ value: Buffer.from('x') })) }), { leaderEpoch: 0, logAppendTimeMs: -1, nowMs: Date.now() })
    await coordinator.commitOffsets('g', { ...simple, offsets: [commit('t', 1, 4), commit('t', 0, 0)] })
    expect(coordinator.groupLag('g')).toEqual([
      { topic: 't', partition: 0, committedOffset: 0, logEndOffset: 0, lag: 0, metadata: '' },
      { topic: 't', partition: 1, committedOffset: 4, logEndOffset: 10, lag: 6, metadata: '' }
    ])
    expect(coordinator.groupLag('unknown')).toBeNull()
  })
})

function readAll (store: PartitionStore, partition: number): ReturnType<typeof decodeCoordinatorRecord>[] {
  const out: ReturnType<typeof decodeCoordinatorRecord>[] = []
  for (const view of store.read(OFFSETS_TOPIC, partition, 0, 1 << 20)) {
    for (const batch of decodeBatches(view)) for (const r of batch.records) out.push(decodeCoordinatorRecord(r.key!, r.value))
  }
  return out
}
