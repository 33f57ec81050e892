// How fast does Sluice start, and how much memory does an idle broker hold? Issue #7's targets:
// `sluice start` to ready under 300 ms as a process, in-process startBroker() under 100 ms, idle RSS
// under 120 MB with 100 partitions. Measured:
//   process, fresh dir      spawn of `node dist/cli/main.js start --port 0 --http-port 0 --data-dir DIR`
//                           until its ready line on stdout (median of --runs rounds), and SIGTERM until exit;
//                           also ready line → a topic of one partition created (a new connection and
//                           CreateTopics: the first request that needs the shard threads, which a broker
//                           with no partitions does not wait for before it is ready)
//   process, 100 partitions the same on a data dir that holds one topic of 100 partitions (a record each)
//   process, + groups       the same with consumer groups and a transactional id besides (GROUPS groups
//                           that committed every partition COMMIT_ROUNDS times, one committed
//                           transaction): __consumer_offsets and __transaction_state, 50 partitions
//                           each, which the broker opens before it is ready and whose coordinators
//                           load them after it (COORDINATOR_LOAD_IN_PROGRESS meanwhile, as in Kafka)
//   embedded                in a fresh Node process per round: import('sluice') and the first
//                           startBroker(); then two later startBroker() calls in that process, each
//                           start followed by stop()
//   idle RSS                VmRSS of the process 5 s after its ready line, fresh dir and 100 partitions
// Run: npm run bench:startup [-- --runs N] [-- --build DIR ...] (builds first, bundles included; every
// broker runs from dist/). `--build DIR` (repeatable) adds another checkout's build (its dist/ and
// build/Release/, e.g. a copy of main's): the builds run in interleaved rounds, each on data directories
// of its own, after one unmeasured start each (it writes the build's V8 code cache, as a user's first
// start does), so a burst of load from elsewhere hits every build alike.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Kafka, logLevel } from 'kafkajs'
import { Admin, KafkaClient, Producer } from '../src/client/index.js'
import { REPO_ROOT } from '../test/helpers/broker.js'
import { machine, round, table, type Cell } from './lib/report.js'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, build: { type: 'string', multiple: true, default: [] } } })
const RUNS = Number(values.runs)
const BUILDS = [REPO_ROOT, ...values.build.map(dir => resolve(dir))]
const PARTITIONS = 100
const GROUPS = 20
const COMMIT_ROUNDS = 5
const IDLE_MS = 5_000
const READY_TIMEOUT_MS = 30_000
const READY_LINE = /^Sluice ready: Kafka on \S+?:(\d+).*\((\d+) ms\)/m

interface Started { pid: number, readyMs: number, selfMs: number, port: number, stop: () => Promise<number> }

/** Spawns `sluice start` of the build at `root` on `dataDir`; resolves at its ready line. stop()
 *  answers SIGTERM → exit in ms. */
async function spawnBroker (root: string, dataDir: string): Promise<Started> {
  const t0 = performance.now()
  const child = spawn(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'start', '--port', '0', '--http-port', '0', '--data-dir', dataDir],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
  let out = ''
  let err = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { err += chunk })
  const ready = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no ready line in ${READY_TIMEOUT_MS} ms\n${err}`)) }, READY_TIMEOUT_MS)
    void exited.then(code => { clearTimeout(timer); reject(new Error(`exited ${String(code)} before ready\n${err}`)) })
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      const m = READY_LINE.exec(out)
      if (m !== null) { clearTimeout(timer); resolve(m) }
    })
  })
  const readyMs = performance.now() - t0
  return {
    pid: child.pid ?? -1,
    readyMs,
    selfMs: Number(ready[2]),
    port: Number(ready[1]),
    async stop () {
      const s = performance.now()
      child.kill('SIGTERM')
      const code = await exited
      if (code !== 0) throw new Error(`broker exited ${String(code)} on SIGTERM\n${err}`)
      return performance.now() - s
    }
  }
}

function rssMb (pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  return round(Number(kb) / 1024)
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return round(s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2, 0)
}

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'sluice-bench-startup-'))

/** A data dir holding one topic of PARTITIONS partitions with a record in each, left by a clean stop;
 *  `groups`: also GROUPS consumer groups' commits and a committed transaction. */
async function seededDir (root: string, groups: boolean): Promise<string> {
  const dir = tempDir()
  const broker = await spawnBroker(root, dir)
  const bootstrap = `127.0.0.1:${broker.port}`
  const client = new KafkaClient({ bootstrap })
  try {
    await new Admin(client).createTopics([{ name: 'idle', partitions: PARTITIONS, replicationFactor: 1 }])
    const producer = new Producer(client, { acks: -1 })
    for (let p = 0; p < PARTITIONS; p++) producer.write({ topic: 'idle', partition: p, value: Buffer.from(`record ${p}`) })
    await producer.flush()
    if (groups) {
      const every = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: 'idle', partition, offset: 1 }))
      for (let round = 0; round < COMMIT_ROUNDS; round++) {
        await Promise.all(Array.from({ length: GROUPS }, async (_, g) => { await client.groups.commitOffsets(`group-${g}`, every) }))
      }
      const txn = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).producer({ transactionalId: 'startup', idempotent: true, maxInFlightRequests: 1 })
      await txn.connect()
      const t = await txn.transaction()
      await t.send({ topic: 'idle', messages: [{ partition: 0, value: 'in a transaction' }] })
      await t.commit()
      await txn.disconnect()
    }
  } finally {
    await client.close()
    await broker.stop()
  }
  return dir
}

/** Ms from now until a new client has created a topic of one partition on the broker at `port`. */
async function firstTopicMs (port: number): Promise<number> {
  const s = performance.now()
  const client = new KafkaClient({ bootstrap: `127.0.0.1:${port}` })
  try {
    await new Admin(client).createTopics([{ name: 'first', partitions: 1, replicationFactor: 1 }])
  } finally {
    await client.close()
  }
  return performance.now() - s
}

interface ProcessRow { ready: number[], self: number[], firstTopic: number[], stop: number[] }
const processRow = (): ProcessRow => ({ ready: [], self: [], firstTopic: [], stop: [] })

/** One start to ready and stop of the build at `root` on `dir`; `fresh`: the directory is new, so a
 *  topic may be created in it (firstTopicMs). */
async function processRun (root: string, dir: string, row: ProcessRow, fresh: boolean): Promise<void> {
  const b = await spawnBroker(root, dir)
  row.ready.push(b.readyMs)
  row.self.push(b.selfMs)
  if (fresh) row.firstTopic.push(await firstTopicMs(b.port))
  row.stop.push(await b.stop())
}

interface EmbeddedRow { importMs: number[], firstMs: number[], laterMs: number[] }

/** A fresh Node process imports the build's package, starts and stops three brokers, and prints its timings. */
async function embeddedRun (root: string, row: EmbeddedRow): Promise<void> {
  const script = `
    const t0 = performance.now()
    const { startBroker } = await import(${JSON.stringify(join(root, 'dist', 'index.js'))})
    const t1 = performance.now()
    const times = []
    for (let i = 0; i < 3; i++) {
      const s = performance.now()
      const b = await startBroker()
      times.push(performance.now() - s)
      await b.stop()
    }
    process.stdout.write(JSON.stringify({ importMs: t1 - t0, times }))`
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  if (code !== 0) throw new Error(`embedded run exited ${String(code)}`)
  const { importMs, times } = JSON.parse(out) as { importMs: number, times: number[] }
  row.importMs.push(importMs)
  row.firstMs.push(times[0]!)
  row.laterMs.push(...times.slice(1))
}

async function idleRss (root: string, dataDir: string): Promise<number> {
  const b = await spawnBroker(root, dataDir)
  await new Promise(resolve => setTimeout(resolve, IDLE_MS))
  const rss = rssMb(b.pid)
  await b.stop()
  return rss
}

interface BuildRows { root: string, seeded: string, seededGroups: string, fresh: ProcessRow, existing: ProcessRow, withGroups: ProcessRow, embedded: EmbeddedRow, rssFresh: number, rss: number }

console.log(`startup: ${RUNS} rounds; ${machine()}`)
const builds: BuildRows[] = []
try {
  for (const root of BUILDS) {
    const [seeded, seededGroups] = [await seededDir(root, false), await seededDir(root, true)]
    builds.push({ root, seeded, seededGroups, fresh: processRow(), existing: processRow(), withGroups: processRow(), embedded: { importMs: [], firstMs: [], laterMs: [] }, rssFresh: 0, rss: 0 })
  }
  for (const b of builds) await processRun(b.root, b.seeded, processRow(), false) // warm-up, unmeasured
  for (let i = 0; i < RUNS; i++) {
    for (const b of builds) {
      const dir = tempDir()
      await processRun(b.root, dir, b.fresh, true)
      rmSync(dir, { recursive: true, force: true })
      await processRun(b.root, b.seeded, b.existing, false)
      await processRun(b.root, b.seededGroups, b.withGroups, false)
      await embeddedRun(b.root, b.embedded)
    }
  }
  for (const b of builds) {
    const dir = tempDir()
    b.rssFresh = await idleRss(b.root, dir)
    rmSync(dir, { recursive: true, force: true })
    b.rss = await idleRss(b.root, b.seeded)
  }
  const label = (b: BuildRows, what: string): string => BUILDS.length === 1 ? what : `${b.root}: ${what}`
  const processCells = (b: BuildRows, r: ProcessRow, what: string): Cell[] => [label(b, what), median(r.ready), Math.round(Math.min(...r.ready)),
    Math.round(Math.max(...r.ready)), median(r.self), r.firstTopic.length > 0 ? median(r.firstTopic) : null, median(r.stop)]
  console.log(table(['what', 'spawn → ready ms (median)', 'min', 'max', 'in-process ms (ready line)', 'ready → first topic ms', 'SIGTERM → exit ms'],
    builds.flatMap(b => {
      const e = b.embedded
      const sums = e.importMs.map((ms, i) => ms + e.firstMs[i]!)
      return [
        processCells(b, b.fresh, 'process, fresh dir'),
        processCells(b, b.existing, `process, ${PARTITIONS} partitions`),
        processCells(b, b.withGroups, `process, ${PARTITIONS} partitions + groups`),
        [label(b, 'embedded: import + first startBroker()'), median(sums), Math.round(Math.min(...sums)), Math.round(Math.max(...sums)),
          `import ${median(e.importMs)} + start ${median(e.firstMs)}`, null, null],
        [label(b, 'embedded: later startBroker()'), median(e.laterMs), Math.round(Math.min(...e.laterMs)), Math.round(Math.max(...e.laterMs)), null, null, null]
      ]
    })))
  console.log(table(['idle process', `RSS MB ${IDLE_MS / 1000} s after ready`], builds.flatMap(b =>
    [[label(b, 'fresh dir'), b.rssFresh], [label(b, `${PARTITIONS} partitions`), b.rss]])))
  console.log(`load average after: ${machine().split('load average ')[1] ?? ''}`)
} finally {
  for (const b of builds) for (const dir of [b.seeded, b.seededGroups]) rmSync(dir, { recursive: true, force: true })
}
