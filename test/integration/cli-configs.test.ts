// `sluice configs` and `sluice cluster` end to end as child processes against a real broker (issue #7).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BROKER_ENTRY, startBroker, type RunningBroker } from '../helpers/broker.js'
import { run, type RunResult } from '../helpers/clients.js'

interface ConfigEntry { name: string, value: string | null, source: string, readOnly: boolean }

describe('sluice configs and cluster', () => {
  let broker: RunningBroker

  beforeAll(async () => {
    broker = await startBroker({ settings: { 'num.partitions': 2 } })
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

  const topicConfigs = async (topic: string, ...extra: string[]): Promise<ConfigEntry[]> =>
    (JSON.parse(await ok('configs', 'describe', '--topic', topic, '--json', ...extra)) as { configs: ConfigEntry[] }).configs

  it('describe lists a topic\'s configs with their sources; --overrides only the ones set on it', async () => {
    await ok('topics', 'create', 'configured', '--config', 'retention.ms=86400000')
    const all = await topicConfigs('configured')
    expect(all.find(c => c.name === 'retention.ms')).toMatchObject({ value: '86400000', source: 'topic' })
    expect(all.find(c => c.name === 'cleanup.policy')).toMatchObject({ value: 'delete', source: expect.stringMatching(/default|static-broker/) })
    expect((await topicConfigs('configured', '--overrides')).map(c => c.name)).toEqual(['retention.ms'])
    const text = await ok('configs', 'describe', '--topic', 'configured', '--overrides')
    expect(text).toBe('Topic: configured\nNAME          VALUE     SOURCE  READ-ONLY\nretention.ms  86400000  topic   no\n')
  })

  it('alter sets and deletes topic configs; --dry-run validates without applying', async () => {
    await ok('topics', 'create', 'reconfigured', '--config', 'retention.ms=1000')
    await ok('configs', 'alter', '--topic', 'reconfigured', '--set', 'max.message.bytes=2000000', '--delete', 'retention.ms')
    expect((await topicConfigs('reconfigured', '--overrides')).map(c => `${c.name}=${c.value ?? ''}`)).toEqual(['max.message.bytes=2000000'])
    expect(await ok('configs', 'alter', '--topic', 'reconfigured', '--set', 'cleanup.policy=compact', '--dry-run'))
      .toBe('Valid, not applied (dry run) topic "reconfigured":\n  cleanup.policy=compact\n')
    expect((await topicConfigs('reconfigured', '--overrides')).map(c => c.name)).toEqual(['max.message.bytes'])
    const invalid = await sluice('configs', 'alter', '--topic', 'reconfigured', '--set', 'retention.ms=soon')
    expect(invalid.code).toBe(2)
    expect(invalid.stderr).toContain('INVALID_CONFIG')
  })

  it('describe --broker shows the controller\'s settings, including the ones given at start', async () => {
    const { resource, configs } = JSON.parse(await ok('configs', 'describe', '--broker', '--json')) as { resource: { name: string }, configs: ConfigEntry[] }
    expect(resource.name).toBe('0')
    expect(configs.find(c => c.name === 'num.partitions')?.value).toBe('2')
    expect(await ok('configs', 'describe', '--broker', '0')).toMatch(/^Broker: 0\nNAME +VALUE +SOURCE +READ-ONLY\n/)
  })

  it('alter --broker and --broker-default set dynamic broker configs; a setting read only at start is refused', async () => {
    expect(await ok('configs', 'alter', '--broker-default', '--set', 'log.retention.ms=7200000')).toBe('Altered broker "":\n  log.retention.ms=7200000\n')
    await ok('configs', 'alter', '--broker', '0', '--set', 'log.retention.bytes=1048576')
    const { configs } = JSON.parse(await ok('configs', 'describe', '--broker', '0', '--overrides', '--json')) as { configs: ConfigEntry[] }
    expect(configs.map(c => [c.name, c.value, c.source])).toEqual([
      ['log.retention.bytes', '1048576', 'dynamic-broker'],
      ['log.retention.ms', '7200000', 'dynamic-default-broker']
    ])
    const defaults = JSON.parse(await ok('configs', 'describe', '--broker-default', '--json')) as { configs: ConfigEntry[] }
    expect(defaults.configs.map(c => [c.name, c.value])).toEqual([['log.retention.ms', '7200000']])
    await ok('configs', 'alter', '--broker-default', '--delete', 'log.retention.ms')
    await ok('configs', 'alter', '--broker', '0', '--delete', 'log.retention.bytes')
    expect(JSON.parse(await ok('configs', 'describe', '--broker', '0', '--overrides', '--json')).configs).toEqual([])
    const refused = await sluice('configs', 'alter', '--broker', '0', '--set', 'log.dirs=/tmp/elsewhere')
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain('Cannot update these configs dynamically: Set(log.dirs)')
  })

  it('a resource is named exactly once', async () => {
    const neither = await sluice('configs', 'describe')
    expect(neither.code).toBe(2)
    expect(neither.stderr).toContain('give either --topic NAME, --broker [ID] or --broker-default')
    const both = await sluice('configs', 'describe', '--topic', 'x', '--broker')
    expect(both.code).toBe(2)
  })

  it('alter and describe client quotas per client id, user and default entity, as kafka-configs does', async () => {
    expect(await ok('configs', 'alter', '--client-id', 'cli-app', '--set', 'producer_byte_rate=1048576', '--set', 'consumer_byte_rate=2048'))
      .toBe('Altered quotas of client-id=cli-app:\n  producer_byte_rate=1048576\n  consumer_byte_rate=2048\n')
    await ok('configs', 'alter', '--user-default', '--client-id', 'cli-app', '--set', 'request_percentage=12.5')
    await ok('configs', 'alter', '--client-id', 'cli-app', '--delete', 'consumer_byte_rate')
    expect(JSON.parse(await ok('configs', 'describe', '--client-id', 'cli-app', '--json'))).toEqual({
      quotas: [{ entity: { 'client-id': 'cli-app' }, values: { producer_byte_rate: 1048576 } }]
    })
    expect(await ok('configs', 'describe', '--quotas')).toMatch(/^ENTITY +QUOTA +VALUE\nclient-id=cli-app +producer_byte_rate +1048576\nuser=<default>, client-id=cli-app +request_percentage +12\.5\n$/)
    expect(await ok('configs', 'alter', '--ip', '127.0.0.1', '--set', 'connection_creation_rate=10', '--dry-run'))
      .toBe('Valid, not applied (dry run) quotas of ip=127.0.0.1:\n  connection_creation_rate=10\n')
    expect(await ok('configs', 'describe', '--ip-default')).toBe('No client quotas.\n')
  })

  it('a quota the broker refuses fails with its reason; a value that is not a number is a usage error', async () => {
    const refused = await sluice('configs', 'alter', '--client-id', 'cli-app', '--set', 'fetch_byte_rate=1')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('Invalid configuration key fetch_byte_rate')
    const notANumber = await sluice('configs', 'alter', '--client-id', 'cli-app', '--set', 'producer_byte_rate=fast')
    expect(notANumber.code).toBe(2)
    expect(notANumber.stderr).toContain('is not a number')
    const both = await sluice('configs', 'describe', '--client-id', 'x', '--client-id-default')
    expect(both.code).toBe(2)
  })

  it('cluster shows the cluster id, the controller, the brokers at their advertised address, and served APIs', async () => {
    const text = await ok('cluster')
    expect(text).toMatch(/^Cluster id: +\S{22}$/m)
    expect(text).toMatch(/^Controller: +0$/m)
    expect(text).toMatch(new RegExp(`^0 +${broker.host} +${broker.port} +-$`, 'm'))
    expect(text).toMatch(/^0 +Produce +\d+-\d+$/m)
    const json = JSON.parse(await ok('cluster', '--json')) as { controllerId: number, brokers: Array<{ nodeId: number, host: string, port: number }>, apiVersions: Array<{ name: string }> }
    expect(json.controllerId).toBe(0)
    expect(json.brokers).toEqual([{ nodeId: 0, host: broker.host, port: broker.port, rack: null }])
    expect(json.apiVersions.map(a => a.name)).toEqual(expect.arrayContaining(['Produce', 'Fetch', 'Metadata', 'ApiVersions', 'CreateTopics']))
  })
})
