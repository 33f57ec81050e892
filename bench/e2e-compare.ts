// End-to-end latency, Sluice next to Redis Streams and NATS JetStream, in interleaved rounds: each
// round runs every system once (fresh server and directory, a `sync` first), so a burst of load from
// elsewhere on the shared machine hits all of them alike rather than one system's whole run. The
// workload is drivers/e2e.ts (fixed offered rate, corrected for coordinated omission) with the
// comparative runner's durable settings. `--sluice DIR` (repeatable) runs the dist/ of other
// checkouts too, for before/after comparisons of two builds in one session; `--sluice-flags=FLAGS`
// (repeatable) runs this Sluice once more with those node flags for the broker, and
// `--sluice-setting=key=value[,key=value]` (repeatable) once more with those broker settings (e.g.
// threads.sched.batch=false). Each run also reports the
// CPU its server and the load generator used per 1,000 records, and how long the server's threads
// waited, runnable, for a core (/proc schedstat): on a shared machine that wait is the tail's cause.
// Run: npx tsx bench/e2e-compare.ts [--rounds 3] [--seconds 10] [--rate 5000] [--systems sluice,redis,nats] [--sluice DIR]... [--sluice-flags=FLAGS]... [--sluice-setting=K=V]...
import { execFileSync } from 'node:child_process'
import { processCpuSeconds, processWaitingSeconds } from './gateway-common.js'
import { loadavg } from 'node:os'
import { basename, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { runE2e } from './drivers/e2e.js'
import type { E2eTarget } from './drivers/e2e-targets.js'
import { prepareTopic } from './drivers/kafka-lean.js'
import { hgrm, summarize, type LatencySummary } from './lib/latency.js'
import { machine, ResultsDir, round, table } from './lib/report.js'
import type { Server } from './systems/process.js'
import { observeStalls, STALL_MS, stallImpact, type StallImpact } from './systems/stall-observer.js'
import { startNats, startRedis, startSluice } from './systems/servers.js'

const { values: a } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '10' }, warmup: { type: 'string', default: '2' },
    rate: { type: 'string', default: '5000' }, 'record-size': { type: 'string', default: '1000' },
    systems: { type: 'string', default: 'sluice,redis,nats' }, sluice: { type: 'string', multiple: true, default: [] },
    'sluice-flags': { type: 'string', multiple: true, default: [] }, 'sluice-setting': { type: 'string', multiple: true, default: [] },
    out: { type: 'string', default: 'bench/results/e2e-compare' }
  }
})
const TOPIC = 'e2e'
/** As in compare.ts: Sluice fsyncs at least once a second, like Redis appendfsync everysec. */
const SLUICE_TOPIC = { 'flush.ms': '1000' }
const options = { rate: Number(a.rate), recordBytes: Number(a['record-size']), seconds: Number(a.seconds), warmupSeconds: Number(a.warmup) }

interface Contender { label: string, start: () => Promise<Server>, target: (s: Server) => Promise<E2eTarget> }

const sluiceAt = (root: string | undefined, label: string, nodeFlags?: string, settings: Record<string, string> = {}): Contender => ({
  label,
  start: async () => await startSluice(undefined, settings, root, nodeFlags),
  async target (s) {
    const t = { bootstrap: `${s.host}:${s.port}`, topic: TOPIC, partitions: 1 }
    await prepareTopic(t, SLUICE_TOPIC)
    return { kind: 'kafka', ...t, acks: 1 }
  }
})

function contenders (): Contender[] {
  const list: Contender[] = []
  for (const system of (a.systems as string).split(',')) {
    if (system === 'sluice') list.push(sluiceAt(undefined, 'sluice'))
    else if (system === 'redis') list.push({ label: 'redis', start: startRedis, target: async (s) => ({ kind: 'redis', host: s.host, port: s.port, stream: TOPIC }) })
    else if (system === 'nats') list.push({ label: 'nats', start: startNats, target: async (s) => ({ kind: 'nats', host: s.host, port: s.port, stream: TOPIC }) })
    else throw new Error(`unknown system ${system}`)
  }
  for (const root of a.sluice ?? []) list.push(sluiceAt(resolve(root), `sluice@${basename(resolve(root))}`))
  for (const flags of a['sluice-flags'] ?? []) list.push(sluiceAt(undefined, `sluice[${flags}]`, flags))
  for (const given of a['sluice-setting'] ?? []) {
    const settings = Object.fromEntries(given.split(',').map(kv => { const at = kv.indexOf('='); return [kv.slice(0, at), kv.slice(at + 1)] }))
    list.push(sluiceAt(undefined, `sluice{${given}}`, undefined, settings))
  }
  return list
}

interface Run { round: number, label: string, summary: LatencySummary, service: LatencySummary, achieved: number, load: string, cpu: Cpu, stalls: Stalls }

/** The machine's stalls during the run (systems/stall-observer.ts) and the tail without them. */
interface Stalls { count: number, longestMs: number, totalMs: number, touchedPct: number, untouchedP99: number }

function stallFigures (impact: StallImpact): Stalls {
  const untouched = summarize(impact.untouched)
  return { count: impact.count, longestMs: round(impact.longestMs), totalMs: Math.round(impact.totalMs), touchedPct: round(impact.touched * 100, 2), untouchedP99: untouched.p99 }
}

/** Milliseconds per 1,000 records sent: server and load generator CPU, and the server's threads'
 *  run-queue wait. */
interface Cpu { server: number, client: number, serverWaiting: number }

const load = (): string => loadavg().map(l => l.toFixed(1)).join(' ')
const median = (values: number[]): number => { const s = [...values].sort((x, y) => x - y); return s[Math.floor(s.length / 2)] ?? NaN }

async function main (): Promise<void> {
  const out = new ResultsDir(a.out as string)
  const list = contenders()
  const runs: Run[] = []
  console.log(`# e2e-compare · ${options.rate} records/s of ${options.recordBytes} B · ${options.seconds} s (+${options.warmupSeconds} s warm-up) per run · ${machine()}`)
  for (let r = 1; r <= Number(a.rounds); r++) {
    for (const c of list) {
      const server = await c.start()
      try {
        const target = await c.target(server)
        execFileSync('sync')
        const before = load()
        const [serverCpu, serverWaiting, clientCpu] = [processCpuSeconds(server.pid), processWaitingSeconds(server.pid), process.cpuUsage()]
        const observer = await observeStalls()
        const e = await runE2e(target, options).catch(async (error: unknown) => { await observer.stop(); throw error })
        const stalls = await observer.stop()
        const perThousand = (seconds: number): number => round(seconds * 1e6 / e.sent, 2)
        const clientUsed = process.cpuUsage(clientCpu)
        const cpu = {
          server: perThousand(processCpuSeconds(server.pid) - serverCpu),
          client: perThousand((clientUsed.user + clientUsed.system) / 1e6),
          serverWaiting: perThousand(processWaitingSeconds(server.pid) - serverWaiting)
        }
        const run = { round: r, label: c.label, summary: summarize(e.latency), service: summarize(e.service), achieved: Math.round(e.achievedRate), load: `${before} → ${load()}`, cpu, stalls: stallFigures(stallImpact(stalls, e.times)) }
        runs.push(run)
        out.write(`e2e-${c.label.replace(/[^\w.-]/g, '_')}-${r}.hgrm`, hgrm(e.latency))
        process.stderr.write(`  round ${r} ${c.label}: p50 ${run.summary.p50} p99 ${run.summary.p99} ms, ${run.stalls.count} machine stalls (load ${run.load})\n`)
      } finally {
        await server.stop()
      }
    }
  }
  const cols = ['round', 'system', 'achieved/s', 'p50', 'p90', 'p99', 'p99.9', 'max', 'service p50', 'service p99', 'CPU server', 'CPU client', 'server waited',
    'stalls', 'longest', 'stalled', 'touched %', 'p99 untouched', 'load average']
  console.log(table(cols, runs.map(x => [x.round, x.label, x.achieved, x.summary.p50, x.summary.p90, x.summary.p99, x.summary['p99.9'], x.summary.max, x.service.p50, x.service.p99,
    x.cpu.server, x.cpu.client, x.cpu.serverWaiting, x.stalls.count, x.stalls.longestMs, x.stalls.totalMs, x.stalls.touchedPct, x.stalls.untouchedP99, x.load])))
  console.log('(latency in ms; CPU and the server threads\' run-queue wait in ms per 1,000 records sent, warm-up included; ' +
    `stalls: ticks of an idle observer process more than ${STALL_MS} ms late while records were in flight, the longest and their sum in ms, ` +
    'the share of records in flight during one, and the p99 of the others)')
  const medians = list.map(c => {
    const mine = runs.filter(x => x.label === c.label)
    return [c.label, mine.length, round(median(mine.map(x => x.summary.p50)), 3), round(median(mine.map(x => x.summary.p99)), 3), round(median(mine.map(x => x.summary['p99.9'])), 3),
      round(median(mine.map(x => x.cpu.server)), 2), round(median(mine.map(x => x.cpu.client)), 2), round(median(mine.map(x => x.cpu.serverWaiting)), 2),
      round(median(mine.map(x => x.stalls.untouchedP99)), 3)]
  })
  console.log('\nmedian over rounds\n' + table(['system', 'runs', 'p50', 'p99', 'p99.9', 'CPU server', 'CPU client', 'server waited', 'p99 untouched'], medians))
  out.write('results.json', { machine: machine(), options, runs })
}

await main()
