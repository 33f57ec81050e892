// `sluice produce` and `sluice consume` end to end as child processes against a real broker, in every
// output format, and crossed with kcat (librdkafka) both ways (issue #7).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BROKER_ENTRY, startBroker, type RunningBroker } from '../helpers/broker.js'
import { has, kcat, run, type RunResult } from '../helpers/clients.js'

const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0

interface JsonRecord {
  topic: string
  partition: number
  offset: number
  timestamp: number
  key: string | null
  value: string | null
  headers: Array<{ key: string, value: string | null }>
}

describe('sluice produce and consume', () => {
  let broker: RunningBroker
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-'))

  beforeAll(async () => {
    broker = await startBroker({ settings: { 'auto.create.topics.enable': false } })
  })

  afterAll(async () => {
    await broker?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const sluice = (args: string[], input?: string): Promise<RunResult> =>
    run(process.execPath, [BROKER_ENTRY, ...args, '-b', broker.bootstrap], { input })

  async function ok (args: string[], input?: string): Promise<string> {
    const result = await sluice(args, input)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    return result.stdout
  }

  const createTopic = (name: string, partitions = 1): Promise<string> => ok(['topics', 'create', name, '--partitions', String(partitions)])
  const consumeJson = async (topic: string, ...extra: string[]): Promise<JsonRecord[]> =>
    (await ok(['consume', topic, '--from-beginning', '--end', '--format', 'json', ...extra])).split('\n').filter(l => l !== '').map(l => JSON.parse(l) as JsonRecord)

  it('produces stdin lines with keys and headers, and consume --format json shows all of them', async () => {
    await createTopic('from-stdin', 1)
    const before = Date.now()
    await ok(['produce', 'from-stdin', '--key-separator', ':', '--header', 'source=test', '--header', 'trace=a=b'], 'k1:first\nk2:second: with colon\nno separator\n\nk5:\n')
    const records = await consumeJson('from-stdin')
    expect(records.map(r => [r.offset, r.key, r.value])).toEqual([
      [0, 'k1', 'first'], [1, 'k2', 'second: with colon'], [2, null, 'no separator'], [3, null, ''], [4, 'k5', '']
    ])
    expect(records.every(r => r.topic === 'from-stdin' && r.partition === 0)).toBe(true)
    expect(records[0]?.headers).toEqual([{ key: 'source', value: 'test' }, { key: 'trace', value: 'a=b' }])
    expect(records[0]?.timestamp).toBeGreaterThanOrEqual(before - 1000)
  })

  it('produces a file, with "\\r\\n" line ends and no final newline, as one record per line', async () => {
    await createTopic('from-file', 3)
    const lines = Array.from({ length: 500 }, (_, i) => `key-${i % 7}|value ${i}`)
    const file = join(dir, 'records.txt')
    writeFileSync(file, lines.join('\r\n'))
    await ok(['produce', 'from-file', '--file', file, '--key-separator', '|', '--compression', 'lz4'])
    const records = await consumeJson('from-file')
    expect(records).toHaveLength(500)
    expect(records.map(r => `${r.key ?? ''}|${r.value ?? ''}`).sort()).toEqual([...lines].sort())
    // Equal keys share a partition, and within a partition the file order holds.
    for (let k = 0; k < 7; k++) {
      const same = records.filter(r => r.key === `key-${k}`)
      expect(new Set(same.map(r => r.partition)).size).toBe(1)
      expect(same.map(r => Number(r.value?.split(' ')[1]))).toEqual([...same.map(r => Number(r.value?.split(' ')[1]))].sort((a, b) => a - b))
    }
  })

  // script(1) gives the command a terminal; through a pipe (every other test) stderr stays empty.
  it.skipIf(!hasScript)('draws a progress bar with the record rate on a terminal while it reads a file, then erases it', async () => {
    await createTopic('with-progress', 1)
    const file = join(dir, 'progress.txt')
    writeFileSync(file, Array.from({ length: 50_000 }, (_, i) => `line ${i}`).join('\n'))
    const command = [process.execPath, BROKER_ENTRY, 'produce', 'with-progress', '--file', file, '-b', broker.bootstrap].map(a => `'${a}'`).join(' ')
    const result = await run('script', ['-qec', command, '/dev/null'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/\r\[#*\.*\] +\d+% +\d+\.\d\/\d+\.\d MiB +[\d,]+ records\/s/)
    expect(result.stdout).toContain('\r\x1b[2KProduced 50000 records to "with-progress".')
    expect((await consumeJson('with-progress')).length).toBe(50_000)
  })

  it('--partition, --acks and --compression choose where and how records go', async () => {
    await createTopic('placed', 3)
    await ok(['produce', 'placed', '--partition', '2', '--acks', '1', '--compression', 'zstd'], 'a\nb\n')
    await ok(['produce', 'placed', '--partition', '0', '--acks', '0', '--compression', 'gzip'], 'c\n')
    const records = await consumeJson('placed')
    expect(records.map(r => [r.partition, r.value]).sort()).toEqual([[0, 'c'], [2, 'a'], [2, 'b']])
    const wrong = await sluice(['produce', 'placed', '--partition', '9'], 'x\n')
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toContain('--partition 9: topic "placed" has 3 partitions (0-2)')
  })

  it('consume prints plain values, and kcat-style templates with every token', async () => {
    await createTopic('formats', 1)
    await ok(['produce', 'formats', '-K', '=', '-H', 'h1=v1', '-H', 'h2=v2'], 'alpha=one\nbeta=two\n')
    expect(await ok(['consume', 'formats', '--from-beginning', '--end'])).toBe('one\ntwo\n')
    const templated = await ok(['consume', 'formats', '--from-beginning', '--end', '--format', '%t|%p|%o|%k|%K|%s|%S|%h|%%\\n'])
    expect(templated).toBe('formats|0|0|alpha|5|one|3|h1=v1,h2=v2|%\nformats|0|1|beta|4|two|3|h1=v1,h2=v2|%\n')
    const [first] = (await ok(['consume', 'formats', '--from-beginning', '--max-messages', '1', '--format', '%T\\t%s\\n'])).split('\n')
    expect(first).toMatch(/^\d{13}\tone$/)
    const bad = await sluice(['consume', 'formats', '--format', '%q'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('unknown token "%q"')
  })

  it('--offset, --partition and --max-messages choose which records are printed', async () => {
    await createTopic('offsets', 2)
    await ok(['produce', 'offsets', '-p', '0'], Array.from({ length: 10 }, (_, i) => `p0-${i}`).join('\n'))
    await ok(['produce', 'offsets', '-p', '1'], 'p1-0\n')
    expect(await ok(['consume', 'offsets', '-p', '0', '--offset', '7', '--end'])).toBe('p0-7\np0-8\np0-9\n')
    expect(await ok(['consume', 'offsets', '-p', '0', '--offset', '-2', '--end'])).toBe('p0-8\np0-9\n')
    expect(await ok(['consume', 'offsets', '-p', '1', '--from-beginning', '--end'])).toBe('p1-0\n')
    expect(await ok(['consume', 'offsets', '-p', '0', '--from-beginning', '--max-messages', '3'])).toBe('p0-0\np0-1\np0-2\n')
    expect(await ok(['consume', 'offsets', '--offset', 'latest', '--end'])).toBe('')
    expect(await ok(['consume', 'offsets', '-p', '1', '--offset', `@${Date.now() + 3_600_000}`, '--end'])).toBe('')
    expect(await ok(['consume', 'offsets', '-p', '1', '--offset', '@2000-01-01T00:00:00Z', '--end'])).toBe('p1-0\n')
  })

  it('consume of an unknown topic fails with exit code 1 and says so', async () => {
    const result = await sluice(['consume', 'missing-topic', '--end'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('topic "missing-topic": UNKNOWN_TOPIC_OR_PARTITION')
  })

  it('produce to an unknown topic with auto-creation off fails with exit code 1 before reading input', async () => {
    const result = await sluice(['produce', 'missing-topic'], 'x\n')
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('topic "missing-topic": UNKNOWN_TOPIC_OR_PARTITION')
  })

  describe.skipIf(!has.kcat)('with kcat', () => {
    it('kcat reads what sluice produce wrote, keys, values and headers included', async () => {
      await createTopic('to-kcat', 1)
      await ok(['produce', 'to-kcat', '-K', ':', '-H', 'origin=sluice', '-z', 'snappy'], 'k1:v1\nk2:ünïcødé ✓\n')
      const out = await kcat(['-b', broker.bootstrap, '-C', '-t', 'to-kcat', '-o', 'beginning', '-e', '-q', '-f', '%k=%s [%h]\\n'])
      expect(out).toBe('k1=v1 [origin=sluice]\nk2=ünïcødé ✓ [origin=sluice]\n')
    })

    it('sluice consume reads what kcat wrote, in order, with every kcat codec', async () => {
      await createTopic('from-kcat', 1)
      for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
        await kcat(['-b', broker.bootstrap, '-P', '-t', 'from-kcat', '-p', '0', '-K:', '-z', codec], { input: `${codec}-a:1\n${codec}-b:2\n` })
      }
      const records = await consumeJson('from-kcat')
      expect(records.map(r => `${r.key ?? ''}=${r.value ?? ''}`)).toEqual(
        ['none', 'gzip', 'snappy', 'lz4', 'zstd'].flatMap(codec => [`${codec}-a=1`, `${codec}-b=2`]))
      expect(records.map(r => r.offset)).toEqual(records.map((_, i) => i))
    })
  })
})
