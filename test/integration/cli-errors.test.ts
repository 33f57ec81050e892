// What `sluice` says and which exit code it returns when something is wrong, and its help (issue #7).
// Exit codes are a contract for scripts: 0 ok, 1 Kafka or runtime error, 2 usage or config error.
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BROKER_ENTRY, startBroker, type RunningBroker } from '../helpers/broker.js'
import { run, type RunResult } from '../helpers/clients.js'

// The caller's own SLUICE_BOOTSTRAP must not leak into these runs.
const { SLUICE_BOOTSTRAP: _callers, ...baseEnv } = process.env

const sluice = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> =>
  run(process.execPath, [BROKER_ENTRY, ...args], { env: { ...baseEnv, ...env } })

/** A loopback port that nothing listens on (bound once, then released). */
async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise(resolve => server.close(resolve))
  return typeof address === 'object' && address !== null ? address.port : 0
}

describe('sluice without a broker', () => {
  it('says there is no broker at the address and how to start one, with exit code 1', async () => {
    const port = await closedPort()
    for (const args of [['topics', 'list'], ['produce', 'anything'], ['consume', 'anything'], ['groups', 'list'], ['cluster']]) {
      const result = await sluice([...args, '--bootstrap', `127.0.0.1:${port}`])
      expect(result.stderr).toBe(`sluice: no broker at 127.0.0.1:${port} — start one with \`sluice start\`\n`)
      expect(result.code).toBe(1)
      expect(result.stdout).toBe('')
    }
  })

  it('takes the address from SLUICE_BOOTSTRAP when there is no --bootstrap', async () => {
    const port = await closedPort()
    const result = await sluice(['topics', 'list'], { SLUICE_BOOTSTRAP: `127.0.0.1:${port}` })
    expect(result.stderr).toBe(`sluice: no broker at 127.0.0.1:${port} — start one with \`sluice start\`\n`)
    expect(result.code).toBe(1)
  })

  it('rejects an address that is not HOST:PORT as a usage error', async () => {
    const result = await sluice(['topics', 'list', '-b', 'localhost'])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe('sluice: --bootstrap: "localhost" is not HOST:PORT (for example localhost:9092)\n')
  })
})

describe('sluice usage', () => {
  it('--help lists every tool and every tool\'s commands and options', async () => {
    const result = await sluice(['--help'])
    expect(result.code).toBe(0)
    for (const tool of ['start', 'topics', 'produce', 'consume', 'groups', 'configs', 'cluster']) expect(result.stdout).toMatch(new RegExp(`^  ${tool} +\\S`, 'm'))
    for (const text of ['add-partitions NAME', 'reset-offsets GROUP', '--key-separator', '--max-messages', '--to-datetime', 'Exit codes: 0 ok, 1 Kafka or runtime error, 2 usage or config error']) {
      expect(result.stdout).toContain(text)
    }
  })

  it.each([
    ['topics', 'create NAME'], ['produce', '--header key=value'], ['consume', '--format FORMAT'], ['groups', 'reset-offsets GROUP'],
    ['configs', '--broker [ID]'], ['cluster', 'Usage: sluice cluster'], ['start', '--data-dir DIR']
  ])('sluice %s --help shows its own usage', async (tool, text) => {
    const result = await sluice([tool, '--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(text)
  })

  it('an unknown tool, command or option is a usage error with exit code 2', async () => {
    const tool = await sluice(['frobnicate'])
    expect(tool.code).toBe(2)
    expect(tool.stderr).toMatch(/^sluice: unknown tool "frobnicate"/)
    const command = await sluice(['topics', 'rename', 'a'])
    expect(command.code).toBe(2)
    expect(command.stderr).toBe('sluice: unknown topics command "rename"\n(sluice topics --help lists the options)\n')
    const option = await sluice(['topics', 'list', '--colour'])
    expect(option.code).toBe(2)
    expect(option.stderr).toContain('Unknown option \'--colour\'')
    const value = await sluice(['topics', 'create', 'x', '--partitions', 'many'])
    expect(value.code).toBe(2)
    expect(value.stderr).toContain('--partitions must be an integer >= 1, got "many"')
  })
})

describe('sluice with a broker', () => {
  let broker: RunningBroker

  beforeAll(async () => {
    broker = await startBroker({ settings: { 'auto.create.topics.enable': false } })
  })

  afterAll(async () => {
    await broker?.stop()
  })

  it('an invalid topic name gives exit code 2 in every tool, before asking the broker', async () => {
    for (const args of [['topics', 'create', 'a/b'], ['produce', 'a/b'], ['consume', 'a/b'], ['topics', 'delete', '..']]) {
      const result = await sluice([...args, '-b', broker.bootstrap])
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(/^sluice: Topic name "(a\/b|\.\.)" is illegal, /)
    }
  })

  it('an unknown topic gives exit code 1 and points at topics list', async () => {
    const result = await sluice(['consume', 'nowhere', '--end', '-b', broker.bootstrap])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe('sluice: topic "nowhere": UNKNOWN_TOPIC_OR_PARTITION: unknown topic or partition ' +
      '(sluice topics list shows the topics; sluice topics create makes one)\n')
  })
})
