// How long does the group coordinator make a rebalance take, and how many offset commits per second
// does it store? Three measurements, each printed as one table:
//   1. coordinator: a 10-member group driven directly on GroupCoordinator (real PartitionStore, real
//      __consumer_offsets of 50 partitions): an 11th member joins, or a member leaves, and every
//      member answers at once; from the trigger to the last SyncGroup answer. This is the broker's
//      share of a rebalance: state machine, the group metadata append, and the answers.
//   2. wire: the same over loopback against a broker running in this process, with the clients in a
//      child process (one socket per member, our protocol encoders) that heartbeat back to back,
//      rejoin and sync the moment they can: no client waits (real clients add their heartbeat
//      interval and assignor time on top). JoinGroup v5, so a new member pays the MEMBER_ID_REQUIRED
//      round trip.
//   3. commits: OffsetCommit throughput from the child process, requests pipelined on each
//      connection (the broker answers one request per connection at a time, as Kafka does), one
//      "simple" group per connection (generation -1), 1 and 10 partitions per request.
// Targets (issue #4): a rebalance < 5 ms beyond the clients' own waits; 50,000 offset commits/s.
// Run: npx tsx bench/groups-rebalance.ts
import { fork } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { connect, type Socket } from 'node:net'
import os, { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { GroupCoordinator } from '../src/groups/coordinator.js'
import type { JoinRequest } from '../src/groups/join.js'
import { OFFSETS_TOPIC } from '../src/groups/offsets-topic.js'
import type { JoinResult } from '../src/groups/results.js'
import { startBroker } from '../src/index.js'
import {
  decodeHeartbeatResponse, decodeJoinGroupResponse, decodeLeaveGroupResponse, decodeMetadataResponse, decodeOffsetCommitResponse,
  decodeResponseHeader, decodeSyncGroupResponse, encodeHeartbeatRequest, encodeJoinGroupRequest, encodeLeaveGroupRequest,
  encodeMetadataRequest, encodeOffsetCommitRequest, encodeSyncGroupRequest
} from '../src/protocol/index.js'
import { PartitionStore } from '../src/storage/partition-store.js'
import { api, type Api } from '../test/helpers/wire-client.js'

const MEMBERS = 10
const REBALANCES = 200
const OFFSETS_PARTITIONS = 50
const COMMIT_SECONDS = 3
const SUBSCRIPTION = Buffer.from([0, 0, 0, 0, 0, 1, 0, 5, 0x62, 0x65, 0x6e, 0x63, 0x68, 0xff, 0xff, 0xff, 0xff]) // v0, ["bench"], null

type Row = Record<string, string | number>

function percentiles (samplesMs: number[]): { p50: number, p99: number, mean: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b)
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return { p50: round(at(0.5)), p99: round(at(0.99)), mean: round(sorted.reduce((s, x) => s + x, 0) / sorted.length) }
}

const round = (x: number): number => Math.round(x * 1000) / 1000

// ---- 1. the coordinator alone ----

async function coordinatorRebalances (): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-groups-'))
  const store = await PartitionStore.open({ dataDir: dir, defaults: { segmentBytes: 64 << 20, segmentMs: 7 * 86_400_000, indexIntervalBytes: 4096, retentionMs: -1, retentionBytes: -1 } })
  for (let p = 0; p < OFFSETS_PARTITIONS; p++) await store.createPartition(OFFSETS_TOPIC, p)
  const settings = { minSessionTimeoutMs: 1, maxSessionTimeoutMs: 600_000, initialRebalanceDelayMs: 0, maxSize: 1000, offsetsRetentionMs: 86_400_000, retentionCheckIntervalMs: 600_000, offsetMetadataMaxBytes: 4096 }
  const c = GroupCoordinator.open({ store, settings, offsetsPartitions: OFFSETS_PARTITIONS, log: pino({ level: 'silent' }) })
  await c.load()
  const request = (memberId: string): JoinRequest => ({
    groupId: 'bench', memberId, groupInstanceId: null, sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 60_000, protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: SUBSCRIPTION }], clientId: 'bench', clientHost: '/127.0.0.1', requireKnownMemberId: false, supportSkippingAssignment: false, reason: null
  })
  const syncAll = async (joined: JoinResult[]): Promise<void> => {
    const leader = joined.find(j => j.memberId === j.leader)!
    const assignments = new Map(leader.members.map(m => [m.memberId, SUBSCRIPTION]))
    await Promise.all(joined.map(async j => await c.syncGroup('bench', {
      generationId: j.generationId, memberId: j.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: j === leader ? assignments : new Map()
    })))
  }
  let members = await Promise.all(Array.from({ length: MEMBERS }, async () => await c.joinGroup(request(''))))
  await syncAll(members)
  const joins: number[] = []
  const leaves: number[] = []
  for (let i = 0; i < REBALANCES; i++) {
    let t0 = performance.now()
    const joined = await Promise.all([c.joinGroup(request('')), ...members.map(async m => await c.joinGroup(request(m.memberId)))])
    await syncAll(joined)
    joins.push(performance.now() - t0)
    const leaver = joined[0]!
    t0 = performance.now()
    c.leaveGroup('bench', [{ memberId: leaver.memberId, groupInstanceId: null, reason: null }])
    members = await Promise.all(joined.slice(1).map(async m => await c.joinGroup(request(m.memberId))))
    await syncAll(members)
    leaves.push(performance.now() - t0)
  }
  await c.stop()
  await store.close()
  await rm(dir, { recursive: true, force: true })
  return [
    { path: 'coordinator', trigger: `join (${MEMBERS}+1 members)`, ...ms(percentiles(joins)) },
    { path: 'coordinator', trigger: `leave (${MEMBERS + 1}-1 members)`, ...ms(percentiles(leaves)) }
  ]
}

const ms = (p: { p50: number, p99: number, mean: number }): Row => ({ 'p50 ms': p.p50, 'p99 ms': p.p99, 'mean ms': p.mean })

// ---- a minimal pipelining client on our encoders ----

const Metadata = api(3, encodeMetadataRequest, decodeMetadataResponse)
const OffsetCommit = api(8, encodeOffsetCommitRequest, decodeOffsetCommitResponse)
const JoinGroup = api(11, encodeJoinGroupRequest, decodeJoinGroupResponse)
const Heartbeat = api(12, encodeHeartbeatRequest, decodeHeartbeatResponse)
const LeaveGroup = api(13, encodeLeaveGroupRequest, decodeLeaveGroupResponse)
const SyncGroup = api(14, encodeSyncGroupRequest, decodeSyncGroupResponse)

class Client {
  private correlationId = 0
  private pending: Array<(frame: Buffer) => void> = []
  private buffered = Buffer.alloc(0)

  private constructor (private readonly socket: Socket) {
    socket.setNoDelay(true)
    socket.on('data', chunk => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk])
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0)
        const frame = this.buffered.subarray(4, 4 + size)
        this.buffered = this.buffered.subarray(4 + size)
        this.pending.shift()?.(frame)
      }
    })
  }

  static async open (port: number): Promise<Client> {
    const socket = connect({ host: '127.0.0.1', port })
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
    return new Client(socket)
  }

  call<Input, Res> (target: Api<Input, Res>, version: number, message: Input): Promise<Res> {
    const correlationId = ++this.correlationId
    const chunks = target.encode(message, version, { correlationId, clientId: 'bench' })
    this.socket.write(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))
    return new Promise(resolve => this.pending.push(frame => resolve(target.decode(decodeResponseHeader(frame, target.key, version).body, version))))
  }

  close (): void { this.socket.destroy() }
}

// ---- 2. rebalances over the wire ----

interface WireMember { client: Client, memberId: string, generationId: number }

async function wireRebalances (port: number): Promise<Row[]> {
  const groupId = 'bench-wire'
  const join = async (m: WireMember): Promise<JoinResult> => {
    let r = await m.client.call(JoinGroup, 5, { groupId, sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 60_000, memberId: m.memberId, protocolType: 'consumer', protocols: [{ name: 'range', metadata: SUBSCRIPTION }] })
    if (r.errorCode === 79) r = await m.client.call(JoinGroup, 5, { groupId, sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 60_000, memberId: r.memberId, protocolType: 'consumer', protocols: [{ name: 'range', metadata: SUBSCRIPTION }] })
    m.memberId = r.memberId
    m.generationId = r.generationId
    return { ...r, protocolType: r.protocolType, members: r.members.map(x => ({ memberId: x.memberId, groupInstanceId: x.groupInstanceId, metadata: x.metadata })) }
  }
  const sync = async (m: WireMember, joined: JoinResult): Promise<void> => {
    const assignments = joined.members.map(x => ({ memberId: x.memberId, assignment: SUBSCRIPTION }))
    const r = await m.client.call(SyncGroup, 3, { groupId, generationId: m.generationId, memberId: m.memberId, assignments })
    if (r.errorCode !== 0) throw new Error(`SyncGroup failed with ${r.errorCode}`)
  }
  /** Each member heartbeats back to back until told of the rebalance, then rejoins and syncs. */
  const rebalance = async (members: WireMember[], alsoJoining: WireMember[]): Promise<void> => {
    const rejoin = async (m: WireMember): Promise<void> => {
      for (let attempt = 0; ; attempt++) {
        const hb = await m.client.call(Heartbeat, 3, { groupId, generationId: m.generationId, memberId: m.memberId })
        if (hb.errorCode === 27) break
        if (hb.errorCode !== 0 || attempt > 10_000) throw new Error(`heartbeat answered ${hb.errorCode} after ${attempt} attempts`)
      }
      await sync(m, await join(m))
    }
    await Promise.all([...members.map(rejoin), ...alsoJoining.map(async m => { await sync(m, await join(m)) })])
  }
  const newMember = async (): Promise<WireMember> => ({ client: await Client.open(port), memberId: '', generationId: -1 })
  const members = await Promise.all(Array.from({ length: MEMBERS }, newMember))
  // The broker's initial rebalance delay lets all ten first joins land in one generation.
  await Promise.all(members.map(async m => { await sync(m, await join(m)) }))
  if (new Set(members.map(m => m.generationId)).size > 1) throw new Error('the first joins did not share a generation')
  const joins: number[] = []
  const leaves: number[] = []
  for (let i = 0; i < REBALANCES; i++) {
    const extra = await newMember()
    let t0 = performance.now()
    await rebalance(members, [extra])
    joins.push(performance.now() - t0)
    t0 = performance.now()
    await extra.client.call(LeaveGroup, 1, { groupId, memberId: extra.memberId })
    await rebalance(members, [])
    leaves.push(performance.now() - t0)
    extra.client.close()
  }
  for (const m of members) m.client.close()
  return [
    { path: 'wire', trigger: `join (${MEMBERS}+1 members)`, ...ms(percentiles(joins)) },
    { path: 'wire', trigger: `leave (${MEMBERS + 1}-1 members)`, ...ms(percentiles(leaves)) }
  ]
}

// ---- 3. offset commit throughput ----

async function commitThroughput (port: number, connections: number, inFlight: number, partitionsPerRequest: number): Promise<Row> {
  const topic = 'bench-commits'
  const clients = await Promise.all(Array.from({ length: connections }, async () => await Client.open(port)))
  await clients[0]!.call(Metadata, 1, { topics: [{ name: topic }] })
  const partitions = Array.from({ length: partitionsPerRequest }, (_, p) => p)
  const latencies: number[] = []
  let requests = 0
  let failures = 0
  const deadline = performance.now() + COMMIT_SECONDS * 1000
  const started = performance.now()
  await Promise.all(clients.map(async (client, i) => {
    let offset = 0
    const loop = async (): Promise<void> => {
      while (performance.now() < deadline) {
        const t0 = performance.now()
        const r = await client.call(OffsetCommit, 8, {
          groupId: `bench-commit-${i}`, generationIdOrMemberEpoch: -1, memberId: '',
          topics: [{ name: topic, partitions: partitions.map(p => ({ partitionIndex: p, committedOffset: ++offset, committedMetadata: null })) }]
        })
        latencies.push(performance.now() - t0)
        requests++
        if (r.topics[0]?.partitions.some(p => p.errorCode !== 0) ?? true) failures++
      }
    }
    await Promise.all(Array.from({ length: inFlight }, loop))
  }))
  const seconds = (performance.now() - started) / 1000
  for (const c of clients) c.close()
  const p = percentiles(latencies)
  return {
    connections, 'in flight/conn': inFlight, 'partitions/request': partitionsPerRequest,
    'requests/s': Math.round(requests / seconds), 'commits/s': Math.round(requests * partitionsPerRequest / seconds),
    'p50 ms': p.p50, 'p99 ms': p.p99, failed: failures
  }
}

const COMMIT_CASES = [[1, 16, 1], [16, 16, 1], [64, 8, 1], [64, 8, 10]] as const

/** The child process: the clients of parts 2 and 3, so they do not share the broker's thread. */
async function clientMain (port: number): Promise<void> {
  const rebalances = await wireRebalances(port)
  const commits: Row[] = []
  for (const [connections, inFlight, perRequest] of COMMIT_CASES) commits.push(await commitThroughput(port, connections, inFlight, perRequest))
  process.send?.({ rebalances, commits })
}

async function main (): Promise<void> {
  console.log(`# groups-rebalance: ${MEMBERS}-member group, ${REBALANCES} rebalances per case; commits for ${COMMIT_SECONDS} s per case`)
  console.log(`# ${os.availableParallelism()} x ${os.cpus()[0]?.model ?? 'unknown cpu'}, node ${process.version}, ${os.platform()} ${os.release()}`)
  const coordinator = await coordinatorRebalances()
  // The initial delay lets the ten first joins of part 2 land in one generation; later rebalances of
  // a non-empty group do not wait for it.
  const broker = await startBroker({ settings: { 'group.initial.rebalance.delay.ms': '300', 'num.partitions': '10' } })
  try {
    const child = fork(new URL(import.meta.url), ['--clients', String(broker.port)], { execArgv: ['--import', 'tsx'] })
    const result = await new Promise<{ rebalances: Row[], commits: Row[] }>((resolve, reject) => {
      child.once('message', message => resolve(message as { rebalances: Row[], commits: Row[] }))
      child.once('exit', code => reject(new Error(`the client process exited with ${String(code)}`)))
    })
    console.table([...coordinator, ...result.rebalances])
    console.table(result.commits)
  } finally {
    await broker.stop()
  }
}

if (process.argv[2] === '--clients') await clientMain(Number(process.argv[3]))
else await main()
