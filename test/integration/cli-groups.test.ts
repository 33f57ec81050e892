// `sluice consume --group` and `sluice groups list|describe|delete|reset-offsets` end to end as child
// processes against a real broker, with kcat (librdkafka) as another group member (issue #7).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BROKER_ENTRY, startBroker, type RunningBroker } from '../helpers/broker.js'
import { has, kcat, run, type RunResult } from '../helpers/clients.js'

interface OffsetRow { topic: string, partition: number, currentOffset: number | null, logEndOffset: number | null, lag: number | null, memberId: string | null }
interface Described { groupId: string, state: string, members: Array<{ memberId: string, clientId: string }>, offsets: OffsetRow[] }

describe('sluice groups', () => {
  let broker: RunningBroker

  beforeAll(async () => {
    broker = await startBroker({ settings: { 'auto.create.topics.enable': false, 'group.initial.rebalance.delay.ms': 0 } })
  })

  afterAll(async () => {
    await broker?.stop()
  })

  const sluice = (args: string[], input?: string): Promise<RunResult> =>
    run(process.execPath, [BROKER_ENTRY, ...args, '-b', broker.bootstrap], { input })

  async function ok (args: string[], input?: string): Promise<string> {
    const result = await sluice(args, input)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    return result.stdout
  }

  /** A topic with `perPartition` records `p<P>-<i>` in each of its partitions. */
  async function topicWithRecords (name: string, partitions: number, perPartition: number): Promise<void> {
    await ok(['topics', 'create', name, '--partitions', String(partitions)])
    for (let p = 0; p < partitions; p++) {
      await ok(['produce', name, '--partition', String(p)], Array.from({ length: perPartition }, (_, i) => `p${p}-${i}\n`).join(''))
    }
  }

  const describeGroup = async (group: string): Promise<Described> => JSON.parse(await ok(['groups', 'describe', group, '--json'])) as Described
  const committed = async (group: string): Promise<Array<[number, number | null]>> =>
    (await describeGroup(group)).offsets.map(o => [o.partition, o.currentOffset])

  it('consume --group commits what it printed, and the next member goes on from there', async () => {
    await topicWithRecords('g-orders', 2, 5)
    const first = await ok(['consume', 'g-orders', '--group', 'billing', '--from-beginning', '--max-messages', '7'])
    expect(first.split('\n').filter(l => l !== '')).toHaveLength(7)
    const group = await describeGroup('billing')
    expect(group.state).toBe('Empty')
    expect(group.members).toEqual([])
    const totalCommitted = group.offsets.reduce((n, o) => n + (o.currentOffset ?? 0), 0)
    expect(totalCommitted).toBe(7)
    expect(group.offsets.every(o => o.logEndOffset === 5 && o.lag === 5 - (o.currentOffset ?? 0))).toBe(true)
    const rest = await ok(['consume', 'g-orders', '--group', 'billing', '--end'])
    expect([...first.split('\n'), ...rest.split('\n')].filter(l => l !== '').sort()).toEqual(
      [0, 1].flatMap(p => Array.from({ length: 5 }, (_, i) => `p${p}-${i}`)).sort())
    expect((await describeGroup('billing')).offsets.map(o => o.lag)).toEqual([0, 0])
  })

  it('list shows every group with its state and protocol type', async () => {
    await topicWithRecords('g-listed', 1, 1)
    await ok(['consume', 'g-listed', '--group', 'listed-group', '--from-beginning', '--max-messages', '1'])
    const text = await ok(['groups', 'list'])
    expect(text).toMatch(/^GROUP +STATE +PROTOCOL-TYPE$/m)
    expect(text).toMatch(/^listed-group +Empty +consumer$/m)
    const json = JSON.parse(await ok(['groups', 'list', '--json'])) as Array<{ groupId: string, state: string }>
    expect(json).toContainEqual({ groupId: 'listed-group', protocolType: 'consumer', state: 'Empty' })
  })

  it('describe prints the lag of each partition in a table', async () => {
    await topicWithRecords('g-lagging', 2, 4)
    await ok(['groups', 'reset-offsets', 'laggards', '--topic', 'g-lagging:0', '--to-offset', '1'])
    const text = await ok(['groups', 'describe', 'laggards'])
    expect(text).toMatch(/^Group: laggards {2}state: Empty/)
    expect(text).toMatch(/^TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID$/m)
    expect(text).toMatch(/^g-lagging +0 +1 +4 +3 +- +- +-$/m)
  })

  it('reset-offsets moves committed offsets to earliest, latest, an offset, a shift or a time, within the log', async () => {
    await topicWithRecords('g-reset', 2, 10)
    const reset = (...args: string[]): Promise<string> => ok(['groups', 'reset-offsets', 'resetting', '--topic', 'g-reset', ...args])
    await reset('--to-latest')
    expect(await committed('resetting')).toEqual([[0, 10], [1, 10]])
    await reset('--shift-by', '-3')
    expect(await committed('resetting')).toEqual([[0, 7], [1, 7]])
    await reset('--to-offset', '25')
    expect(await committed('resetting')).toEqual([[0, 10], [1, 10]])
    await reset('--to-earliest')
    expect(await committed('resetting')).toEqual([[0, 0], [1, 0]])
    await reset('--shift-by', '4')
    expect(await committed('resetting')).toEqual([[0, 4], [1, 4]])
    await reset('--to-datetime', new Date(Date.now() + 3_600_000).toISOString())
    expect(await committed('resetting')).toEqual([[0, 10], [1, 10]])
    await reset('--to-datetime', '2000-01-01T00:00:00Z')
    expect(await committed('resetting')).toEqual([[0, 0], [1, 0]])
  })

  it('reset-offsets --dry-run prints the plan and commits nothing', async () => {
    await topicWithRecords('g-dry', 1, 6)
    await ok(['groups', 'reset-offsets', 'dreamers', '--topic', 'g-dry', '--to-offset', '2'])
    const text = await ok(['groups', 'reset-offsets', 'dreamers', '--all-topics', '--to-latest', '--dry-run'])
    expect(text).toBe('TOPIC  PARTITION  CURRENT-OFFSET  NEW-OFFSET\ng-dry  0          2               6\n(dry run: nothing was committed)\n')
    expect(await committed('dreamers')).toEqual([[0, 2]])
  })

  it('reset-offsets refuses while the group has a member, and works once it has left', async () => {
    await topicWithRecords('g-active', 1, 3)
    const member = spawn(process.execPath, [BROKER_ENTRY, 'consume', 'g-active', '--group', 'busy', '--from-beginning', '-b', broker.bootstrap], { stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      // The first printed record means the member has joined, synced and fetched.
      const [chunk] = await once(member.stdout, 'data') as [Buffer]
      expect(chunk.toString()).toMatch(/^p0-0\n/)
      const refused = await sluice(['groups', 'reset-offsets', 'busy', '--topic', 'g-active', '--to-earliest'])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain('group "busy" is Stable with 1 member(s); offsets can only be reset while it has none: stop its consumers first')
      const group = await describeGroup('busy')
      expect(group.members).toHaveLength(1)
      expect(group.offsets[0]?.memberId).toBe(group.members[0]?.memberId)
    } finally {
      member.kill('SIGINT')
    }
    const [code] = await once(member, 'exit') as [number | null]
    expect(code).toBe(0)
    expect((await describeGroup('busy')).state).toBe('Empty')
    await ok(['groups', 'reset-offsets', 'busy', '--topic', 'g-active', '--to-earliest'])
    expect(await committed('busy')).toEqual([[0, 0]])
  })

  it('reset-offsets without a target or a scope is a usage error', async () => {
    const noTarget = await sluice(['groups', 'reset-offsets', 'any', '--topic', 'g-reset'])
    expect(noTarget.code).toBe(2)
    expect(noTarget.stderr).toContain('give exactly one of --to-earliest, --to-latest, --to-datetime, --to-offset, --shift-by')
    const noScope = await sluice(['groups', 'reset-offsets', 'any', '--to-earliest'])
    expect(noScope.code).toBe(2)
    expect(noScope.stderr).toContain('--topic TOPIC[:PARTITIONS] or --all-topics')
  })

  it('delete removes a group and its offsets; describing it then fails with exit code 1', async () => {
    await topicWithRecords('g-deleted', 1, 2)
    await ok(['consume', 'g-deleted', '--group', 'short-lived', '--from-beginning', '--max-messages', '2'])
    expect(await ok(['groups', 'delete', 'short-lived'])).toBe('Deleted group "short-lived".\n')
    const gone = await sluice(['groups', 'describe', 'short-lived'])
    expect(gone.code).toBe(1)
    expect(gone.stderr).toBe('sluice: group "short-lived" does not exist (sluice groups list shows the groups)\n')
  })

  it.skipIf(!has.kcat)('offsets a kcat group member committed show in describe, and sluice goes on from them', async () => {
    await topicWithRecords('g-kcat', 2, 3)
    const read = await kcat(['-b', broker.bootstrap, '-G', 'shared', '-e', '-q', '-f', '%s\\n', '-X', 'auto.offset.reset=earliest', 'g-kcat'], { timeoutMs: 30_000 })
    expect(read.split('\n').filter(l => l !== '')).toHaveLength(6)
    expect(await committed('shared')).toEqual([[0, 3], [1, 3]])
    await ok(['produce', 'g-kcat', '--partition', '1'], 'after-kcat\n')
    expect(await ok(['consume', 'g-kcat', '--group', 'shared', '--end'])).toBe('after-kcat\n')
  })
})
