// The Node clients' share of their own ceiling, alone and quickly (issue #8: kafkajs and
// @platformatic/kafka reach at least 90% of their rate against a do-nothing stub): the comparative
// runner's client rows (same workload: 1 KB records, sends of 64, 8 in flight, 8 partitions, acks=1,
// flush.ms=1000) in interleaved rounds, each round the stub then Sluice (then any other build given
// with --sluice DIR), so a burst of load from elsewhere hits ceiling and broker alike. Each run starts
// with a second of the same load, not measured (in compare.ts the broker is warm from the runs before
// the clients'). Each run also prints its send() latency (what the client waits per request: the
// client keeps at most 5 requests in flight per connection, so its rate follows that latency) and the
// server's CPU time per record, all threads and its main thread alone.
// Run: npx tsx bench/clients.ts [--client platformatic|kafkajs|both] [--rounds 3] [--records 600000]
//      [--seconds 5] [--sluice DIR]... [--set KEY=VALUE]... (Sluice settings)
//      [--stub-delay MS]... (adds a stub that holds each answer MS ms: how the client's rate follows latency)
//      (npm run bench:clients)
import { execFileSync } from 'node:child_process'
import { loadavg } from 'node:os'
import { basename, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { prepareTopic } from './drivers/kafka-lean.js'
import { clientProduce, type NodeClient } from './drivers/node-clients.js'
import { processCpuSeconds, schedSeconds } from './gateway-common.js'
import { latencyHistogram, summarize } from './lib/latency.js'
import { machine, round, table } from './lib/report.js'
import type { Server } from './systems/process.js'
import { startSluice, startStub } from './systems/servers.js'

const { values: a } = parseArgs({
  options: {
    client: { type: 'string', default: 'platformatic' }, rounds: { type: 'string', default: '3' },
    records: { type: 'string', default: '600000' }, seconds: { type: 'string', default: '5' },
    sluice: { type: 'string', multiple: true, default: [] }, set: { type: 'string', multiple: true, default: [] },
    'stub-delay': { type: 'string', multiple: true, default: [] }
  }
})
const settings = Object.fromEntries((a.set ?? []).map(kv => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))
const PARTITIONS = 8
const WARMUP_SECONDS = 1
const TOPIC = 'compare-clients'
const STUB = 'do-nothing stub'
const clients: NodeClient[] = a.client === 'both' ? ['kafkajs', 'platformatic'] : [a.client as NodeClient]
if (!clients.every(c => c === 'kafkajs' || c === 'platformatic')) throw new Error(`--client must be platformatic, kafkajs or both, not ${a.client}`)

interface Target { label: string, start: () => Promise<Server> }
const targets: Target[] = [
  { label: STUB, start: async () => await startStub(PARTITIONS) },
  ...(a['stub-delay'] ?? []).map(ms => ({ label: `stub +${ms} ms`, start: async () => await startStub(PARTITIONS, Number(ms)) })),
  { label: 'sluice', start: async () => await startSluice(undefined, settings) },
  ...(a.sluice ?? []).map(root => ({ label: `sluice@${basename(resolve(root))}`, start: async () => await startSluice(undefined, settings, resolve(root)) }))
]

interface Run { round: number, target: string, client: NodeClient, rate: number, mbs: number, mean: number, p50: number, p99: number, serverCpu: number, mainCpu: number, load: string }

const load = (): string => loadavg().map(l => l.toFixed(1)).join(' ')
const median = (values: number[]): number => { const s = [...values].sort((x, y) => x - y); return s[Math.floor(s.length / 2)] ?? NaN }

async function measure (target: Target, client: NodeClient, roundNo: number): Promise<Run> {
  const server = await target.start()
  try {
    const bootstrap = `${server.host}:${server.port}`
    if (target.label.startsWith('sluice')) await prepareTopic({ bootstrap, topic: TOPIC, partitions: PARTITIONS }, { 'flush.ms': '1000' })
    const workload = { bootstrap, topic: TOPIC, recordBytes: 1000, batchRecords: 64, acks: 1 as const, maxRecords: Number(a.records), maxSeconds: Number(a.seconds), inFlight: 8 }
    await clientProduce(client, { ...workload, maxSeconds: WARMUP_SECONDS })
    execFileSync('sync')
    const before = load()
    const cpuBefore = processCpuSeconds(server.pid)
    const mainBefore = schedSeconds(server.pid).running
    const latency = latencyHistogram()
    const r = await clientProduce(client, { ...workload, latency })
    const s = summarize(latency)
    const run = {
      round: roundNo, target: target.label, client, rate: r.records / r.seconds, mbs: r.bytes / r.seconds / 1e6, mean: round(latency.mean / 1000, 3), p50: s.p50, p99: s.p99,
      serverCpu: (processCpuSeconds(server.pid) - cpuBefore) / r.records * 1e6, mainCpu: (schedSeconds(server.pid).running - mainBefore) / r.records * 1e6, load: `${before} → ${load()}`
    }
    process.stderr.write(`  round ${roundNo} ${client} → ${target.label}: ${Math.round(run.rate).toLocaleString('en')} records/s, send p50 ${s.p50} ms (load ${run.load})\n`)
    return run
  } finally {
    await server.stop()
  }
}

async function main (): Promise<void> {
  console.log(`# clients · 1 KB records, sends of 64, 8 in flight, ${PARTITIONS} partitions, acks=1 · ≤ ${a.records} records or ${a.seconds} s per run · ${machine()}`)
  const runs: Run[] = []
  for (let r = 1; r <= Number(a.rounds); r++) {
    for (const client of clients) for (const target of targets) runs.push(await measure(target, client, r))
  }
  const share = (run: Run): number => {
    const ceiling = runs.find(c => c.round === run.round && c.client === run.client && c.target === STUB)
    return ceiling === undefined ? NaN : run.rate / ceiling.rate * 100
  }
  console.log(table(['ROUND', 'CLIENT', 'TARGET', 'RECORDS/S', 'MB/S', '% OF CEILING', 'SEND MEAN/p50/p99 MS', 'SERVER CPU µs/RECORD (MAIN)', 'LOAD BEFORE → AFTER'],
    runs.map(run => [run.round, run.client, run.target, Math.round(run.rate).toLocaleString('en'), round(run.mbs), run.target === STUB ? 'ceiling' : round(share(run)),
      `${run.mean} / ${run.p50} / ${run.p99}`, `${round(run.serverCpu, 2)} (${round(run.mainCpu, 2)})`, run.load])))
  console.log(table(['CLIENT', 'TARGET', 'MEDIAN RECORDS/S', 'MEDIAN % OF CEILING'], clients.flatMap(client => targets.map(target => {
    const mine = runs.filter(run => run.client === client && run.target === target.label)
    return [client, target.label, Math.round(median(mine.map(run => run.rate))).toLocaleString('en'), target.label === STUB ? 'ceiling' : round(median(mine.map(share)))]
  }))))
}

await main()
