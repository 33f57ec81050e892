// Drives the group coordinator directly, on a real PartitionStore (shard threads, native log, files in
// a temp dir) holding a small __consumer_offsets, so state machine tests run without sockets.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { GroupCoordinator } from '../../../src/groups/coordinator.js'
import type { GroupSettings } from '../../../src/groups/group-settings.js'
import type { JoinRequest } from '../../../src/groups/join.js'
import { OFFSETS_TOPIC } from '../../../src/groups/offsets-topic.js'
import type { JoinResult, SyncResult } from '../../../src/groups/results.js'
import { ErrorCode } from '../../../src/protocol/index.js'
import type { LogConfig } from '../../../src/storage/native.js'
import { PartitionStore } from '../../../src/storage/partition-store.js'

export const OFFSETS_PARTITIONS = 4

const LOG_DEFAULTS: LogConfig = { segmentBytes: 1 << 20, segmentMs: 7 * 24 * 3600_000, indexIntervalBytes: 4096, retentionMs: -1, retentionBytes: -1 }

export const TEST_SETTINGS: GroupSettings = {
  minSessionTimeoutMs: 1,
  maxSessionTimeoutMs: 60_000,
  initialRebalanceDelayMs: 0,
  maxSize: 1000,
  offsetsRetentionMs: 7 * 24 * 3600_000,
  retentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4096
}

export interface Harness {
  dir: string
  store: PartitionStore
  coordinator: GroupCoordinator
  /** Stops the coordinator and closes the store, keeping the files. */
  close: () => Promise<void>
  /** close(), then a new store and coordinator over the same files (a broker restart); `load` false:
   *  the coordinator has not replayed __consumer_offsets yet (the test calls coordinator.load()). */
  restart: (settings?: Partial<GroupSettings>, load?: boolean) => Promise<void>
}

const open: Harness[] = []

export async function startHarness (settings: Partial<GroupSettings> = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-groups-'))
  const harness: Harness = {
    dir,
    store: undefined as unknown as PartitionStore,
    coordinator: undefined as unknown as GroupCoordinator,
    async close () {
      await harness.coordinator.stop()
      await harness.store.close()
    },
    async restart (next = settings, load = true) {
      await harness.close()
      await openInto(harness, next, load)
    }
  }
  await openInto(harness, settings)
  open.push(harness)
  return harness
}

async function openInto (harness: Harness, settings: Partial<GroupSettings>, load = true): Promise<void> {
  harness.store = await PartitionStore.open({ dataDir: harness.dir, shards: 1, defaults: LOG_DEFAULTS })
  const existing = new Set(harness.store.partitions().filter(p => p.topic === OFFSETS_TOPIC).map(p => p.partition))
  for (let p = 0; p < OFFSETS_PARTITIONS; p++) if (!existing.has(p)) await harness.store.createPartition(OFFSETS_TOPIC, p)
  for (const topic of ['t', 'u']) {
    for (let p = 0; p < 3; p++) if (!harness.store.partitions().some(x => x.topic === topic && x.partition === p)) await harness.store.createPartition(topic, p)
  }
  harness.coordinator = GroupCoordinator.open({
    store: harness.store, settings: { ...TEST_SETTINGS, ...settings }, offsetsPartitions: OFFSETS_PARTITIONS, log: pino({ level: 'silent' })
  })
  if (load) await harness.coordinator.load()
}

export async function closeAllHarnesses (): Promise<void> {
  for (const harness of open.splice(0)) {
    await harness.close().catch(() => {})
    await rm(harness.dir, { recursive: true, force: true })
  }
}

/** ConsumerProtocolSubscription v0: int16 version, topics, null user data. */
export function subscription (...topics: string[]): Buffer {
  const parts = [Buffer.from([0, 0]), int32(topics.length)]
  for (const topic of topics) {
    const name = Buffer.from(topic)
    parts.push(Buffer.from([name.length >> 8, name.length & 0xff]), name)
  }
  parts.push(int32(-1))
  return Buffer.concat(parts)
}

function int32 (n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeInt32BE(n)
  return b
}

export function joinRequest (groupId: string, overrides: Partial<JoinRequest> = {}): JoinRequest {
  return {
    groupId,
    memberId: '',
    groupInstanceId: null,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription('t') }],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    requireKnownMemberId: false,
    supportSkippingAssignment: false,
    reason: null,
    ...overrides
  }
}

export function expectNoError (result: JoinResult | SyncResult): void {
  if (result.errorCode !== ErrorCode.NONE) throw new Error(`expected no error, got ${result.errorCode}`)
}

/** Joins `count` dynamic members at once and syncs them with the leader assigning `assignment(memberId)`. */
export async function formGroup (
  coordinator: GroupCoordinator, groupId: string, count: number, overrides: Partial<JoinRequest> = {}
): Promise<{ members: JoinResult[], generationId: number, leader: string }> {
  const joins = await Promise.all(Array.from({ length: count }, async () => await coordinator.joinGroup(joinRequest(groupId, overrides))))
  // Members that joined a rebalance that completed without the others rejoin until all share a generation.
  let members = joins
  for (let round = 0; round < 5 && new Set(members.map(m => m.generationId)).size > 1; round++) {
    members = await Promise.all(members.map(async m => await coordinator.joinGroup(joinRequest(groupId, { ...overrides, memberId: m.memberId }))))
  }
  for (const m of members) expectNoError(m)
  const generationId = members[0]!.generationId
  const leader = members[0]!.leader
  await syncAll(coordinator, groupId, members, generationId)
  return { members, generationId, leader }
}

/** Every member syncs; the leader assigns each member the bytes of its own id. */
export async function syncAll (coordinator: GroupCoordinator, groupId: string, members: JoinResult[], generationId: number): Promise<SyncResult[]> {
  const leader = members.find(m => m.memberId === m.leader)
  const assignments = new Map((leader?.members ?? []).map(m => [m.memberId, Buffer.from(m.memberId)]))
  return await Promise.all(members.map(async m => await coordinator.syncGroup(groupId, {
    generationId, memberId: m.memberId, groupInstanceId: null, protocolType: null, protocolName: null,
    assignments: m.memberId === m.leader ? assignments : new Map()
  })))
}
