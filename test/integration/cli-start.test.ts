// `sluice start` configuration end to end, as child processes (issue #7): Kafka's own
// server.properties starts a broker unchanged (settings that mean nothing on one node are accepted and
// named in a warning; log.retention.hours and friends take effect); precedence file < SLUICE_*
// environment < flags; each bad configuration stops start-up with exit code 2 and a message naming
// the key, the value and what is allowed; a data directory refuses another node.id.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs'
import { BROKER_ENTRY, startBroker, type RunningBroker, type StartBrokerOptions } from '../helpers/broker.js'
import { run } from '../helpers/clients.js'

const scratch = mkdtempSync(join(tmpdir(), 'sluice-cli-start-'))
afterAll(() => { rmSync(scratch, { recursive: true, force: true }) })

let files = 0
function propertiesFile (text: string): string {
  const path = join(scratch, `server-${++files}.properties`)
  writeFileSync(path, text)
  return path
}

/** The broker's settings as DescribeConfigs answers them, by name. */
async function brokerSettings (broker: RunningBroker): Promise<Map<string, string | null>> {
  const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  try {
    const { resources } = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: '0' }], includeSynonyms: false })
    return new Map(resources[0]!.configEntries.map(e => [e.configName, e.configValue]))
  } finally {
    await admin.disconnect()
  }
}

async function withBroker<T> (options: StartBrokerOptions, body: (broker: RunningBroker) => Promise<T>): Promise<T> {
  const broker = await startBroker(options)
  try {
    return await body(broker)
  } finally {
    await broker.stop()
  }
}

/** `sluice start` expected to refuse: its exit code and what it printed on stderr. */
async function refusedStart (args: string[], env: Record<string, string> = {}): Promise<{ code: number | null, stderr: string }> {
  const dataDir = mkdtempSync(join(scratch, 'refused-'))
  const result = await run(process.execPath, [BROKER_ENTRY, 'start', '--data-dir', dataDir, '--port', '0', '--set', 'http.enabled=false', ...args], {
    env: { ...process.env, ...env },
    timeoutMs: 20_000
  })
  return { code: result.code, stderr: result.stderr }
}

// Kafka 3.x/4.x's shipped config/server.properties (KRaft, combined mode) plus the ZooKeeper-era keys.
const KAFKA_SERVER_PROPERTIES = `# A Kafka user's file, unchanged but for the retention
process.roles=broker,controller
node.id=0
controller.quorum.bootstrap.servers=localhost:9093
listeners=PLAINTEXT://:9092,CONTROLLER://:9093
inter.broker.listener.name=PLAINTEXT
advertised.listeners=PLAINTEXT://localhost:9092
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
num.network.threads=3
num.io.threads=8
socket.send.buffer.bytes=102400
socket.receive.buffer.bytes=102400
socket.request.max.bytes=104857600
log.dirs=/tmp/kraft-combined-logs
num.partitions=1
num.recovery.threads.per.data.dir=1
offsets.topic.replication.factor=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
log.retention.hours=5
log.segment.bytes=1073741824
log.retention.check.interval.ms=300000
zookeeper.connection.timeout.ms=18000
group.initial.rebalance.delay.ms=0
`

describe('sluice start with Kafka\'s server.properties', () => {
  it('starts from Kafka\'s own file: settings without effect are named in a warning, log.retention.hours applies', async () => {
    // --data-dir and --port (flags) win over the file's log.dirs and listeners, as flags win over files;
    // the file advertises localhost:9092, which this test's free port is not, so a flag clears that too.
    await withBroker({ configFile: propertiesFile(KAFKA_SERVER_PROPERTIES), settings: { 'advertised.listeners': '' } }, async broker => {
      const settings = await brokerSettings(broker)
      expect(settings.get('log.retention.ms')).toBe(String(5 * 3_600_000))
      expect(settings.get('socket.request.max.bytes')).toBe('104857600')
      expect(broker.output()).toMatch(/Kafka setting\(s\) have no effect on a single Sluice node and were ignored/)
      expect(broker.output()).toContain('num.network.threads')
      expect(broker.output()).toContain('controller.quorum.bootstrap.servers')
    })
  })

  it('log.retention.ms wins over minutes, minutes over hours, whichever source gives them', async () => {
    const file = propertiesFile('log.retention.hours=2\nlog.roll.hours=3\n')
    await withBroker({ configFile: file, env: { SLUICE_LOG_RETENTION_MINUTES: '30' } }, async broker => {
      const settings = await brokerSettings(broker)
      expect(settings.get('log.retention.ms')).toBe(String(30 * 60_000))
      expect(settings.get('log.roll.ms')).toBe(String(3 * 3_600_000))
    })
    await withBroker({ configFile: file, env: { SLUICE_LOG_RETENTION_MINUTES: '30' }, settings: { 'log.retention.ms': 1234 } }, async broker => {
      expect((await brokerSettings(broker)).get('log.retention.ms')).toBe('1234')
    })
  })
})

describe('sluice start configuration precedence', () => {
  it('the file gives way to SLUICE_* variables, and those to --set flags', async () => {
    const file = propertiesFile('num.partitions=2\nmessage.max.bytes=500000\n')
    await withBroker({ configFile: file }, async broker => {
      expect((await brokerSettings(broker)).get('num.partitions')).toBe('2')
    })
    await withBroker({ configFile: file, env: { SLUICE_NUM_PARTITIONS: '3' } }, async broker => {
      const settings = await brokerSettings(broker)
      expect(settings.get('num.partitions')).toBe('3')
      expect(settings.get('message.max.bytes')).toBe('500000')
    })
    await withBroker({ configFile: file, env: { SLUICE_NUM_PARTITIONS: '3' }, settings: { 'num.partitions': 4 } }, async broker => {
      expect((await brokerSettings(broker)).get('num.partitions')).toBe('4')
    })
  })
})

describe('sluice start refuses a bad configuration with exit code 2 and says why', () => {
  it('an unknown key in the file (a typo), naming the key, the value and where it came from', async () => {
    const { code, stderr } = await refusedStart(['--config', propertiesFile('num.partitons=3\n')])
    expect(code).toBe(2)
    expect(stderr).toMatch(/^sluice: invalid setting num\.partitons="3": unknown setting \(from the config file\); known settings: .*num\.partitions/)
  })

  it('an out-of-range value from the environment, with the range allowed', async () => {
    const { code, stderr } = await refusedStart([], { SLUICE_NUM_PARTITIONS: '0' })
    expect(code).toBe(2)
    expect(stderr).toMatch(/^sluice: invalid setting num\.partitions="0": .*1/)
  })

  it('a value that is not a number, for a coarser time setting too', async () => {
    const { code, stderr } = await refusedStart(['--set', 'log.retention.hours=a week'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/^sluice: invalid setting log\.retention\.hours="a week": expected an integer/)
  })

  it('a config file that cannot be read', async () => {
    const { code, stderr } = await refusedStart(['--config', join(scratch, 'no-such.properties')])
    expect(code).toBe(2)
    expect(stderr).toMatch(/^sluice: invalid setting --config=".*no-such\.properties": cannot read the file \(ENOENT\)/)
  })

  it('a data directory keeps its cluster id across restarts and refuses another node.id', async () => {
    const dataDir = mkdtempSync(join(scratch, 'node-'))
    const clusterIds: string[] = []
    for (let i = 0; i < 2; i++) {
      const broker = await startBroker({ dataDir })
      const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin()
      await admin.connect()
      clusterIds.push((await admin.describeCluster()).clusterId)
      await admin.disconnect()
      expect(await broker.stop()).toBe(0)
    }
    expect(clusterIds[0]).toMatch(/^[\w-]{22}$/)
    expect(clusterIds[1]).toBe(clusterIds[0])
    const result = await run(process.execPath, [BROKER_ENTRY, 'start', '--data-dir', dataDir, '--port', '0', '--set', 'http.enabled=false', '--set', 'node.id=7'], { timeoutMs: 20_000 })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/invalid setting node\.id="7": the data directory .* belongs to node 0 \(its meta\.properties\); start with node\.id=0/)
  })
})
