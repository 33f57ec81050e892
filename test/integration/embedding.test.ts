// The embedding API as a user's own test suite would use it: a broker in this process on free ports
// with a temporary data directory, real clients against it, and stop() cleaning up after itself. The
// last test does the same with the built package (dist/, bundled by scripts/bundle.mjs) in a fresh process.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Kafka, logLevel } from 'kafkajs'
import { startBroker, type RunningBroker } from '../../src/index.js'
import { REPO_ROOT } from '../helpers/broker.js'
import { runOk } from '../helpers/clients.js'
import { SCHED_OTHER, threadPolicies } from '../helpers/threads.js'

let broker: RunningBroker

beforeAll(async () => { broker = await startBroker() })
afterAll(async () => { await broker?.stop() })

it('an embedded broker serves kafkajs on the bootstrap address it returns', async () => {
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic: 'embedded', messages: [{ key: 'k', value: 'v1' }, { key: 'k', value: 'v2' }] })
  await producer.disconnect()
  const admin = kafka.admin()
  await admin.connect()
  const offsets = await admin.fetchTopicOffsets('embedded')
  await admin.disconnect()
  expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(2)
})

it('an embedded broker leaves the scheduling policy of its host process\'s threads alone', () => {
  // threads.sched.batch is for `sluice start`, whose process is the broker's (sched-batch.test.ts).
  const policies = threadPolicies(process.pid)
  expect([...policies.values()].every(p => p === SCHED_OTHER), JSON.stringify([...policies])).toBe(true)
})

it('a broker that fails to start gives back its port and its shard threads', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-embedded-fail-'))
  try {
    writeFileSync(join(dataDir, 'producer-ids'), 'not a number\n') // read after the logs open and the port is bound
    const free = createServer()
    const port = await new Promise<number>(resolve => free.listen(0, '127.0.0.1', () => resolve((free.address() as { port: number }).port)))
    await new Promise<void>(resolve => free.close(() => resolve()))
    await expect(startBroker({ dataDir, port, httpPort: -1 })).rejects.toThrow(/producer id block/)
    const again = createServer()
    await new Promise<void>((resolve, reject) => { again.once('error', reject); again.listen(port, '127.0.0.1', () => resolve()) })
    await new Promise<void>(resolve => again.close(() => resolve()))
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
})

it('an embedded broker answers HTTP on the URL it returns', async () => {
  expect(broker.httpUrl).not.toBeNull()
  const response = await fetch(`${broker.httpUrl!}/healthz`)
  expect(response.status).toBe(200)
})

it('stop() removes the temporary data directory, and two brokers can run side by side', async () => {
  const other = await startBroker()
  expect(other.port).not.toBe(broker.port)
  expect(existsSync(other.dataDir)).toBe(true)
  await other.stop()
  expect(existsSync(other.dataDir)).toBe(false)
})

it('the built package, imported as \'sluice\' in a fresh process, starts a broker kafkajs can use', async () => {
  const script = `
    import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
    import { startBroker } from 'sluice'
    import { Kafka, logLevel } from 'kafkajs'
    const broker = await startBroker()
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({ topic: 'packaged', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] })
    await producer.disconnect()
    const admin = kafka.admin()
    await admin.connect()
    const offsets = await admin.fetchTopicOffsets('packaged')
    await admin.disconnect()
    await broker.stop()
    console.log(JSON.stringify({ records: offsets.reduce((sum, p) => sum + Number(p.high), 0), dataLeft: existsSync(broker.dataDir) }))`
  const out = await runOk(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, timeoutMs: 60_000 })
  expect(JSON.parse(out)).toEqual({ records: 3, dataLeft: false })
})
