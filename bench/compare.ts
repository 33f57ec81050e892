// The comparative runner: starts each system on loopback with durable storage and equivalent
// settings (systems/servers.ts), one at a time so none competes with another for the two cores, runs
// identical workloads against each, and prints one side-by-side table with ratios to Sluice, then the
// scaling curves. Everything lands in a results directory: results.json, one .hgrm per latency run,
// and SVG pictures of the latency distributions.
// Run: npx tsx bench/compare.ts [--quick] [--out DIR]   (npm run bench:compare, bench:compare:quick)
//      [--retained-gb N] the retained-data case's size (default 6, quick 0.3); [--scaling-only] skips
//      the side-by-side part and runs only Sluice's scaling curves
import { execFileSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { runE2e, type E2eResult } from './drivers/e2e.js'
import type { E2eTarget } from './drivers/e2e-targets.js'
import { leanConsume, leanProduce, prepareTopic, type ProduceOptions, type ThroughputResult } from './drivers/kafka-lean.js'
import { natsConsume, natsProduce } from './drivers/nats.js'
import { clientProduce, type NodeClient } from './drivers/node-clients.js'
import { redisBenchmark, redisConsume, redisProduce } from './drivers/redis.js'
import { hgrm, percentileSvg, summarize, type Series } from './lib/latency.js'
import { machine, ResultsDir, round, table, type Cell } from './lib/report.js'
import type { Server } from './systems/process.js'
import { startNats, startRedis, startSluice, startStub } from './systems/servers.js'
import { startSink, streamTo } from './systems/sink.js'
import { scalingCurves } from './scaling.js'

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results/compare' },
    'retained-gb': { type: 'string' },
    'scaling-only': { type: 'boolean', default: false }
  }
})
const RETAINED_BYTES = args['retained-gb'] === undefined ? undefined : Number(args['retained-gb']) * 1e9
if (RETAINED_BYTES !== undefined && !(RETAINED_BYTES > 0)) throw new Error(`--retained-gb must be a positive number of GB, not "${args['retained-gb']}"`)
const QUICK = args.quick === true
export const PLAN = QUICK
  ? { records: 200_000, seconds: 4, e2eSeconds: 4, warmup: 1, clientRecords: 40_000, sinkBytes: 0.5e9 }
  : { records: 2_000_000, seconds: 20, e2eSeconds: 20, warmup: 2, clientRecords: 400_000, sinkBytes: 4e9 }
const RECORD = 1000
const LEAN = 'lean (src/protocol)'
const PARTITIONS = 8
const E2E_RATE = 5000
/** Sluice topics fsync at least once a second, like Redis appendfsync everysec. */
const SLUICE_TOPIC = { 'flush.ms': '1000' }

const ACK = {
  sluice: 'leader wrote it to the page cache (acks=1); fsync within 1 s (flush.ms=1000)',
  redis: 'reply after the AOF write (page cache); fsync every second (appendfsync everysec)',
  nats: 'PubAck after the file store write (page cache); background fsync',
  stub: 'nothing stored (stub answers at once)',
  ceiling: 'bytes read (and written to a file for the null sink)'
}

interface Row { system: string, workload: string, driver: string, r: ThroughputResult | null, latency?: E2eResult, ack: string, note?: string }
const rows: Row[] = []
const latencies: Series[] = []
const out = new ResultsDir(args.out as string)
const log = (line: string): void => { process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`) }
/**
 * Announces a measured phase after writing back the previous phase's dirty pages (`sync`): on ext4 an
 * fsync waits for earlier dirty data, so without it each phase would pay for the one before.
 */
const phase = (line: string): void => { execFileSync('sync'); log(line) }

async function withServer<T> (start: () => Promise<Server>, body: (s: Server) => Promise<T>): Promise<T> {
  const server = await start()
  try { return await body(server) } finally { await server.stop() }
}

function produceOptions (bootstrap: string, topic: string, partitions = PARTITIONS): ProduceOptions {
  return { bootstrap, topic, partitions, recordBytes: RECORD, batchRecords: 64, connections: 2, acks: 1, compression: 'none', keys: 'none', maxRecords: PLAN.records, maxSeconds: PLAN.seconds, inFlight: 8 }
}

async function e2e (system: string, target: E2eTarget, ack: string): Promise<void> {
  phase(`${system}: e2e latency at ${E2E_RATE} records/s`)
  const r = await runE2e(target, { rate: E2E_RATE, recordBytes: RECORD, seconds: PLAN.e2eSeconds, warmupSeconds: PLAN.warmup })
  rows.push({ system, workload: `e2e @ ${E2E_RATE}/s`, driver: target.kind === 'kafka' ? LEAN : target.kind === 'redis' ? 'ioredis' : 'nats.js', r: null, latency: r, ack })
  latencies.push({ label: system, histogram: r.latency })
  out.write(`e2e-${system}.hgrm`, hgrm(r.latency))
}

async function ceilings (): Promise<void> {
  for (const mode of ['discard', 'file'] as const) {
    phase(`ceiling: ${mode}`)
    const r = await withServer(async () => await startSink(mode), async (s) => await streamTo(s, { connections: 2, maxBytes: PLAN.sinkBytes, maxSeconds: PLAN.seconds }))
    rows.push({ system: mode === 'file' ? 'null sink' : 'loopback TCP', workload: 'bytes in', driver: 'node:net', r, ack: ACK.ceiling })
  }
}

async function sluice (): Promise<void> {
  await withServer(async () => await startSluice(), async (s) => {
    const bootstrap = `${s.host}:${s.port}`
    await leanProduceTopic(bootstrap)
    phase('sluice: produce')
    const produced = await leanProduce({ ...produceOptions(bootstrap, 'compare'), quiet: true })
    rows.push({ system: 'sluice', workload: 'produce 1 KB', driver: LEAN, r: produced, ack: ACK.sluice })
    phase('sluice: catch-up consume')
    const consumed = await leanConsume({ bootstrap, topic: 'compare', partitions: PARTITIONS, connections: 2, maxRecords: produced.records, maxSeconds: PLAN.seconds, quiet: true })
    rows.push({ system: 'sluice', workload: 'catch-up consume', driver: LEAN, r: consumed, ack: ACK.sluice })
    for (const client of ['kafkajs', 'platformatic'] as const) await nodeClient(client, bootstrap, 'sluice', ACK.sluice)
    await e2e('sluice', { kind: 'kafka', bootstrap, topic: 'compare-e2e', partitions: 1, acks: 1 }, ACK.sluice)
  })
}

/** Creates the comparison topics with the durability setting before any load. */
async function leanProduceTopic (bootstrap: string): Promise<void> {
  await prepareTopic({ bootstrap, topic: 'compare', partitions: PARTITIONS }, SLUICE_TOPIC)
  await prepareTopic({ bootstrap, topic: 'compare-e2e', partitions: 1 }, SLUICE_TOPIC)
  await prepareTopic({ bootstrap, topic: 'compare-clients', partitions: PARTITIONS }, SLUICE_TOPIC)
}

async function nodeClient (client: NodeClient, bootstrap: string, system: string, ack: string): Promise<void> {
  phase(`${system}: ${client} produce`)
  const r = await clientProduce(client, { bootstrap, topic: 'compare-clients', recordBytes: RECORD, batchRecords: 64, acks: 1, maxRecords: PLAN.clientRecords, maxSeconds: PLAN.seconds, inFlight: 8 })
  rows.push({ system, workload: 'produce 1 KB', driver: client === 'kafkajs' ? 'kafkajs 2.2' : '@platformatic/kafka 1.35', r, ack })
}

async function stub (): Promise<void> {
  await withServer(async () => await startStub(PARTITIONS), async (s) => {
    for (const client of ['kafkajs', 'platformatic'] as const) await nodeClient(client, `${s.host}:${s.port}`, 'do-nothing stub', ACK.stub)
  })
}

async function redis (): Promise<void> {
  await withServer(async () => await startRedis(), async (s) => {
    const load = { host: s.host, port: s.port, stream: 'compare', recordBytes: RECORD, maxRecords: PLAN.records, maxSeconds: PLAN.seconds, batch: 64, inFlight: 8 }
    phase('redis: redis-benchmark XADD')
    rows.push({ system: 'redis', workload: 'produce 1 KB', driver: 'redis-benchmark -P 64 -c 50', r: await redisBenchmark({ ...load, maxRecords: Math.min(PLAN.records, 1_000_000) }), ack: ACK.redis })
    phase('redis: ioredis XADD')
    const produced = await redisProduce({ ...load, maxRecords: PLAN.clientRecords })
    rows.push({ system: 'redis', workload: 'produce 1 KB', driver: 'ioredis pipeline', r: produced, ack: ACK.redis })
    phase('redis: catch-up XREAD')
    rows.push({ system: 'redis', workload: 'catch-up consume', driver: 'ioredis XREAD COUNT 1000', r: await redisConsume({ ...load, maxRecords: produced.records }), ack: ACK.redis })
    await e2e('redis', { kind: 'redis', host: s.host, port: s.port, stream: 'compare-e2e' }, ACK.redis)
  })
}

async function nats (): Promise<void> {
  await withServer(async () => await startNats(), async (s) => {
    const load = { host: s.host, port: s.port, stream: 'compare', recordBytes: RECORD, maxRecords: PLAN.clientRecords, maxSeconds: PLAN.seconds, inFlight: 256 }
    phase('nats: JetStream publish')
    const produced = await natsProduce(load)
    rows.push({ system: 'nats', workload: 'produce 1 KB', driver: 'nats.js (256 acks in flight)', r: produced, ack: ACK.nats })
    phase('nats: catch-up consume')
    rows.push({ system: 'nats', workload: 'catch-up consume', driver: 'nats.js ordered consumer', r: await natsConsume({ ...load, maxRecords: produced.records }), ack: ACK.nats })
    await e2e('nats', { kind: 'nats', host: s.host, port: s.port, stream: 'compare-e2e' }, ACK.nats)
  })
}

function mbs (r: ThroughputResult): number { return r.bytes / r.seconds / 1e6 }

/**
 * The comparison column: Sluice (lean driver) ÷ each other system on the same workload; Sluice's
 * produce as a share of the null-sink ceiling; each Node client against Sluice as a share of that
 * client's own ceiling (its rate against the do-nothing stub).
 */
function ratioFor (row: Row): Cell {
  const find = (system: string, workload: string, driver?: string): Row | undefined =>
    rows.find(r => r.system === system && r.workload === workload && (driver === undefined || r.driver === driver))
  const lean = find('sluice', row.workload, LEAN)
  if (row.latency !== undefined) {
    if (row.system === 'sluice' || lean?.latency === undefined) return ''
    return `Sluice p99 ${round(lean.latency.latency.getValueAtPercentile(99) / row.latency.latency.getValueAtPercentile(99), 2)}x this`
  }
  if (row.r === null) return ''
  if (row.system === 'sluice' && row.driver === LEAN && row.workload === 'produce 1 KB') {
    const sink = find('null sink', 'bytes in')
    return sink?.r == null ? '' : `${round(mbs(row.r) / mbs(sink.r) * 100)}% of null sink`
  }
  if (row.system === 'sluice' && row.driver !== LEAN) {
    const ceiling = find('do-nothing stub', row.workload, row.driver)
    return ceiling?.r == null ? '' : `${round(mbs(row.r) / mbs(ceiling.r) * 100)}% of its ceiling`
  }
  if (row.system === 'do-nothing stub') return 'client ceiling'
  if (lean?.r == null || row.system === 'sluice') return ''
  return `Sluice ${round(mbs(lean.r) / mbs(row.r), 2)}x`
}

function printComparison (): string {
  const cells = rows.map((row): Cell[] => {
    if (row.r === null && row.latency !== undefined) {
      const s = summarize(row.latency.latency)
      return [row.system, row.workload, row.driver, `${Math.round(row.latency.achievedRate)} (offered ${E2E_RATE})`, '', `${s.p50} / ${s.p99} / ${s['p99.9']} / ${s.max}`, ratioFor(row), row.ack]
    }
    const r = row.r as ThroughputResult
    return [row.system, row.workload, row.driver, row.workload === 'bytes in' ? '' : Math.round(r.records / r.seconds).toLocaleString('en'), round(mbs(r)), '', ratioFor(row), row.ack]
  })
  return table(['SYSTEM', 'WORKLOAD', 'DRIVER', 'RECORDS/S', 'MB/S', 'LATENCY MS p50/p99/p99.9/max', 'COMPARED', 'AN ACK MEANS'], cells)
}

async function main (): Promise<void> {
  const started = performance.now()
  log(`compare${QUICK ? ' --quick' : ''}: ${machine()}`)
  if (args['scaling-only'] !== true) {
    await ceilings()
    await sluice()
    await stub()
    await redis()
    await nats()
  }
  const comparison = args['scaling-only'] === true ? '(side-by-side part skipped: --scaling-only)\n' : printComparison()
  const header = `# Sluice comparative run · ${new Date().toISOString()} · ${machine()}\n` +
    `# 1 KB records, ${PARTITIONS} partitions, acks=1, ${QUICK ? 'quick' : 'full'} mode; Redis AOF everysec; nats-server 2.9 file store\n`
  console.log(header + '\n' + comparison)
  const scaling = await scalingCurves({ quick: QUICK, retainedBytes: RETAINED_BYTES, recordBytes: RECORD, topicConfigs: SLUICE_TOPIC, out, phase })
  const text = header + '\n' + comparison + '\n' + scaling.text
  console.log(scaling.text)
  out.write('results.txt', text)
  out.write('e2e.svg', percentileSvg(`end-to-end latency at ${E2E_RATE} records/s of 1 KB (CO-corrected)`, latencies))
  out.write('results.json', {
    machine: machine(), date: new Date().toISOString(), quick: QUICK, plan: PLAN,
    rows: rows.map(r => ({ system: r.system, workload: r.workload, driver: r.driver, ack: r.ack, throughput: r.r === null ? null : { ...r.r, recordsPerSecond: r.r.records / r.r.seconds, mbPerSecond: mbs(r.r) }, latency: r.latency === undefined ? null : { corrected: summarize(r.latency.latency), service: summarize(r.latency.service), achievedRate: r.latency.achievedRate, sent: r.latency.sent, received: r.latency.received } })),
    scaling: scaling.json
  })
  log(`done in ${round((performance.now() - started) / 1000)} s; results in ${out.dir}`)
}

await main()
