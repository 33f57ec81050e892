// `sluice topics` end to end: the compiled CLI as a child process against a real broker (issue #7).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BROKER_ENTRY, startBroker, type RunningBroker } from '../helpers/broker.js'
import { run, type RunResult } from '../helpers/clients.js'

describe('sluice topics', () => {
  let broker: RunningBroker

  beforeAll(async () => {
    broker = await startBroker({ settings: { 'auto.create.topics.enable': false } })
  })

  afterAll(async () => {
    await broker?.stop()
  })

  const sluice = (...args: string[]): Promise<RunResult> => run(process.execPath, [BROKER_ENTRY, ...args, '-b', broker.bootstrap])

  async function ok (...args: string[]): Promise<string> {
    const result = await sluice(...args)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    return result.stdout
  }

  it('create makes a topic with the partitions and configs asked for, and list shows it', async () => {
    expect(await ok('topics', 'create', 'orders', '--partitions', '3', '--config', 'retention.ms=3600000', '--config', 'cleanup.policy=delete'))
      .toBe('Created topic "orders" with 3 partitions.\n')
    expect((await ok('topics', 'list')).split('\n')).toContain('orders')
    const listed = JSON.parse(await ok('topics', 'list', '--json')) as Array<{ name: string, partitions: number, id: string }>
    expect(listed.find(t => t.name === 'orders')).toMatchObject({ partitions: 3, id: expect.stringMatching(/^[0-9a-f-]{36}$/) })
  })

  it('create of an existing topic fails with exit code 1, unless --if-not-exists', async () => {
    await ok('topics', 'create', 'twice', '--partitions', '1')
    const again = await sluice('topics', 'create', 'twice', '--partitions', '1')
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('TOPIC_ALREADY_EXISTS')
    expect(await ok('topics', 'create', 'twice', '--if-not-exists')).toBe('Topic "twice" already exists.\n')
  })

  it('describe shows every partition with its offsets, and the topic\'s config overrides', async () => {
    await ok('topics', 'create', 'described', '--partitions', '2', '--config', 'retention.ms=7200000')
    await run(process.execPath, [BROKER_ENTRY, 'produce', 'described', '--partition', '1', '-b', broker.bootstrap], { input: 'a\nb\nc\n' })
    const text = await ok('topics', 'describe', 'described')
    expect(text).toMatch(/^Topic: described {2}id: [0-9a-f-]{36} {2}partitions: 2\n/)
    expect(text).toMatch(/^PARTITION +LEADER +REPLICAS +ISR +EARLIEST +LATEST/m)
    expect(text).toMatch(/^0 +0 +0 +0 +0 +0/m)
    expect(text).toMatch(/^1 +0 +0 +0 +0 +3/m)
    expect(text).toMatch(/^retention\.ms +7200000 +topic$/m)
    const [json] = JSON.parse(await ok('topics', 'describe', 'described', '--json')) as Array<{ partitions: Array<{ latest: number, sizeBytes: number | null }>, configs: Array<{ name: string, value: string }> }>
    expect(json?.partitions.map(p => p.latest)).toEqual([0, 3])
    expect(json?.configs).toEqual([expect.objectContaining({ name: 'retention.ms', value: '7200000', source: 'topic' })])
    // Sizes come from DescribeLogDirs, which Sluice serves (against a broker that does not, the column is left out with a note).
    expect(text).toMatch(/LATEST +SIZE/)
    expect(json?.partitions.map(p => p.sizeBytes)).toEqual([0, expect.any(Number)])
    expect(json?.partitions[1]?.sizeBytes).toBeGreaterThan(0)
  })

  it('alter sets and removes configs and leaves the others alone', async () => {
    await ok('topics', 'create', 'altered', '--partitions', '1', '--config', 'retention.ms=1000000', '--config', 'segment.ms=600000')
    expect(await ok('topics', 'alter', 'altered', '--config', 'cleanup.policy=compact', '--delete-config', 'retention.ms'))
      .toBe('Altered topic "altered":\n  cleanup.policy=compact\n  retention.ms (removed, default applies)\n')
    const [json] = JSON.parse(await ok('topics', 'describe', 'altered', '--json')) as Array<{ configs: Array<{ name: string, value: string }> }>
    expect(json?.configs.map(c => `${c.name}=${c.value}`)).toEqual(['cleanup.policy=compact', 'segment.ms=600000'])
  })

  it('add-partitions grows a topic to the new total and refuses to shrink it', async () => {
    await ok('topics', 'create', 'growing', '--partitions', '2')
    expect(await ok('topics', 'add-partitions', 'growing', '--partitions', '5')).toBe('Topic "growing" now has 5 partitions.\n')
    const [json] = JSON.parse(await ok('topics', 'describe', 'growing', '--json')) as Array<{ partitions: unknown[] }>
    expect(json?.partitions).toHaveLength(5)
    const shrink = await sluice('topics', 'add-partitions', 'growing', '--partitions', '3')
    expect(shrink.code).toBe(2)
    expect(shrink.stderr).toContain('INVALID_PARTITIONS')
  })

  it('delete removes topics, and --if-exists makes a missing one no error', async () => {
    await ok('topics', 'create', 'doomed', '--partitions', '1')
    expect(await ok('topics', 'delete', 'doomed')).toBe('Deleted topic "doomed".\n')
    expect((await ok('topics', 'list')).split('\n')).not.toContain('doomed')
    const missing = await sluice('topics', 'delete', 'doomed')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('UNKNOWN_TOPIC_OR_PARTITION')
    expect(await ok('topics', 'delete', 'doomed', '--if-exists')).toBe('Nothing to delete.\n')
  })

  it('an invalid topic name is a usage error (exit code 2) that says what is wrong with it', async () => {
    const result = await sluice('topics', 'create', 'no spaces!', '--partitions', '1')
    expect(result.code).toBe(2)
    expect(result.stderr).toBe('sluice: Topic name "no spaces!" is illegal, it contains characters other than ASCII alphanumerics, \'.\', \'_\' and \'-\'\n' +
      '(sluice topics --help lists the options)\n')
    const long = await sluice('topics', 'describe', 'x'.repeat(250))
    expect(long.code).toBe(2)
    expect(long.stderr).toContain('is longer than 249 characters')
  })

  it('describing an unknown topic fails with exit code 1 and points at topics list', async () => {
    const result = await sluice('topics', 'describe', 'never-created')
    expect(result.code).toBe(1)
    expect(result.stderr).toBe('sluice: topic "never-created": UNKNOWN_TOPIC_OR_PARTITION: unknown topic or partition ' +
      '(sluice topics list shows the topics; sluice topics create makes one)\n')
  })
})
