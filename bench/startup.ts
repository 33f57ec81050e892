// How fast does Sluice start, and how much memory does an idle broker hold? Issue #7's targets:
// `sluice start` to ready under 300 ms as a process, in-process startBroker() under 100 ms, idle RSS
// under 120 MB with 100 partitions. Measured:
//   process, fresh dir      spawn of `node dist/cli/main.js start --port 0 --http-port 0 --data-dir DIR`
//                           until its ready line on stdout (median of --runs), and SIGTERM until exit;
//                           also ready line → a topic of one partition created (a new connection and
//                           CreateTopics: the first request that needs the shard threads, which a broker
//                           with no partitions does not wait for before it is ready)
//   process, 100 partitions the same on a data dir that holds one topic of 100 partitions (a record each)
//   embedded                in a fresh Node process: import('sluice') and the first startBroker(); then
//                           later startBroker() calls in that process (median), each followed by stop()
//   idle RSS                VmRSS of the process 5 s after its ready line, fresh dir and 100 partitions
// Run: npm run bench:startup [-- --runs N] (builds first, bundles included; every broker runs from dist/).
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Admin, KafkaClient, Producer } from '../src/client/index.js'
import { BROKER_ENTRY, REPO_ROOT } from '../test/helpers/broker.js'
import { machine, round, table } from './lib/report.js'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } })
const RUNS = Number(values.runs)
const PARTITIONS = 100
const IDLE_MS = 5_000
const READY_TIMEOUT_MS = 30_000
const READY_LINE = /^Sluice ready: Kafka on \S+?:(\d+).*\((\d+) ms\)/m

interface Started { pid: number, readyMs: number, selfMs: number, port: number, stop: () => Promise<number> }

/** Spawns `sluice start` on `dataDir`; resolves at its ready line. stop() answers SIGTERM → exit in ms. */
async function spawnBroker (dataDir: string): Promise<Started> {
  const t0 = performance.now()
  const child = spawn(process.execPath, [BROKER_ENTRY, 'start', '--port', '0', '--http-port', '0', '--data-dir', dataDir],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
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

/** A data dir holding one topic of PARTITIONS partitions with a record in each, left by a clean stop. */
async function seededDir (): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-startup-'))
  const broker = await spawnBroker(dir)
  const client = new KafkaClient({ bootstrap: `127.0.0.1:${broker.port}` })
  try {
    await new Admin(client).createTopics([{ name: 'idle', partitions: PARTITIONS, replicationFactor: 1 }])
    const producer = new Producer(client, { acks: -1 })
    for (let p = 0; p < PARTITIONS; p++) producer.write({ topic: 'idle', partition: p, value: Buffer.from(`record ${p}`) })
    await producer.flush()
  } finally {
    await client.close()
    await broker.stop()
  }
  return dir
}

interface ProcessRow { label: string, ready: number[], self: number[], firstTopic: number[], stop: number[] }

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

/** `fresh`: each run's directory is new, so a topic may be created in it (firstTopicMs). */
async function processRuns (label: string, dir: () => string, done: (d: string) => void, fresh: boolean): Promise<ProcessRow> {
  const row: ProcessRow = { label, ready: [], self: [], firstTopic: [], stop: [] }
  for (let i = 0; i < RUNS; i++) {
    const d = dir()
    const b = await spawnBroker(d)
    row.ready.push(b.readyMs)
    row.self.push(b.selfMs)
    if (fresh) row.firstTopic.push(await firstTopicMs(b.port))
    row.stop.push(await b.stop())
    done(d)
  }
  return row
}

async function idleRss (dataDir: string): Promise<number> {
  const b = await spawnBroker(dataDir)
  await new Promise(resolve => setTimeout(resolve, IDLE_MS))
  const rss = rssMb(b.pid)
  await b.stop()
  return rss
}

/** A fresh Node process imports the package, starts and stops brokers, and prints its timings. */
async function embedded (): Promise<{ importMs: number, firstMs: number, laterMs: number[] }> {
  const script = `
    const t0 = performance.now()
    const { startBroker } = await import(${JSON.stringify(join(REPO_ROOT, 'dist', 'index.js'))})
    const t1 = performance.now()
    const times = []
    for (let i = 0; i < ${RUNS + 1}; i++) {
      const s = performance.now()
      const b = await startBroker()
      times.push(performance.now() - s)
      await b.stop()
    }
    process.stdout.write(JSON.stringify({ importMs: t1 - t0, times }))`
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  if (code !== 0) throw new Error(`embedded run exited ${String(code)}`)
  const { importMs, times } = JSON.parse(out) as { importMs: number, times: number[] }
  return { importMs, firstMs: times[0]!, laterMs: times.slice(1) }
}

console.log(`startup: ${RUNS} runs each; ${machine()}`)
const seeded = await seededDir()
try {
  const fresh = await processRuns('process, fresh dir', () => mkdtempSync(join(tmpdir(), 'sluice-bench-startup-')), d => rmSync(d, { recursive: true, force: true }), true)
  const existing = await processRuns(`process, ${PARTITIONS} partitions`, () => seeded, () => {}, false)
  const e = await embedded()
  const freshDir = mkdtempSync(join(tmpdir(), 'sluice-bench-startup-'))
  const rssFresh = await idleRss(freshDir)
  rmSync(freshDir, { recursive: true, force: true })
  const rss = await idleRss(seeded)
  console.log(table(['what', 'spawn → ready ms (median)', 'min', 'max', 'in-process ms (ready line)', 'ready → first topic ms', 'SIGTERM → exit ms'], [
    ...[fresh, existing].map(r => [r.label, median(r.ready), median([Math.min(...r.ready)]), median([Math.max(...r.ready)]), median(r.self),
      r.firstTopic.length > 0 ? median(r.firstTopic) : null, median(r.stop)]),
    ['embedded: import + first startBroker()', median([e.importMs + e.firstMs]), null, null, `import ${median([e.importMs])} + start ${median([e.firstMs])}`, null, null],
    ['embedded: later startBroker()', median(e.laterMs), median([Math.min(...e.laterMs)]), median([Math.max(...e.laterMs)]), null, null, null]
  ]))
  console.log(table(['idle process', `RSS MB ${IDLE_MS / 1000} s after ready`], [['fresh dir', rssFresh], [`${PARTITIONS} partitions`, rss]]))
  console.log(`load average after: ${machine().split('load average ')[1] ?? ''}`)
} finally {
  rmSync(seeded, { recursive: true, force: true })
}
