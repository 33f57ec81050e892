// The embedding API as a user's own test suite would use it: a broker in this process on free ports
// with a temporary data directory, real clients against it, and stop() cleaning up after itself. The
// last test does the same with the built package (dist/, bundled by scripts/bundle.mjs) in a fresh process.
import { existsSync } from 'node:fs'
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
    import { existsSync } from 'node:fs'
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
