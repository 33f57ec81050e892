// The load generator: one workload against any Kafka-compatible broker (or a Sluice it starts).
//   produce  records/s and MB/s until every record is acknowledged
//   consume  catch-up read of the whole topic from the earliest offset (fills it first if empty)
//   e2e      latency produce -> consumer receipt at a fixed offered rate, corrected for coordinated
//            omission; saves the histogram (.hgrm) and its percentile picture (.svg)
// Run: npx tsx bench/load.ts --workload produce [--bootstrap HOST:PORT] [options]   (npm run bench:load)
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { leanConsume, leanProduce, prepareTopic, type ThroughputResult } from './drivers/kafka-lean.js'
import { runE2e } from './drivers/e2e.js'
import type { Compression, KeyDistribution } from './drivers/records.js'
import { hgrm, percentileSvg, summarize } from './lib/latency.js'
import { machine, ResultsDir, round, table } from './lib/report.js'
import { startSluice } from './systems/servers.js'

export const LOAD_HELP = `Usage: npx tsx bench/load.ts --workload produce|consume|e2e [options]
  --bootstrap HOST:PORT   broker to load (default: start a Sluice on a free port, stopped at the end)
  --tls-ca FILE           the bootstrap is an SSL listener whose certificate this CA (PEM) signed (produce, consume)
  --topic NAME            default bench-<workload>
  --record-size BYTES     value size (default 1000)
  --batch-records N       records per batch (default 64)
  --partitions N          (default 1)
  --producers N           produce connections (default 1)
  --consumers N           consume connections (default 1)
  --acks -1|0|1           (default 1)
  --compression CODEC     none|gzip|snappy|lz4|zstd (default none)
  --keys none|uniform:N   key distribution (default none)
  --records N             records to produce or read (default 1000000)
  --seconds S             time bound of the run (default 30)
  --in-flight N           Produce requests in flight per connection (default 8)
  --rate N                e2e offered records/s (default 5000)
  --warmup S              e2e seconds not measured (default 2)
  --topic-config K=V      topic config when the run creates the topic (repeatable), e.g. flush.ms=1000
  --out DIR               results directory (default bench/results/load)`

export function throughputRow (label: string, r: ThroughputResult, recordBytes: number): Record<string, string | number> {
  return {
    run: label,
    records: r.records,
    'records/s': Math.round(r.records / r.seconds),
    'MB/s': round(r.records * recordBytes / r.seconds / 1e6),
    seconds: round(r.seconds, 2),
    requests: r.requests
  }
}

async function main (): Promise<void> {
  const { values: a } = parseArgs({
    options: {
      workload: { type: 'string', default: 'produce' }, bootstrap: { type: 'string' }, topic: { type: 'string' },
      'record-size': { type: 'string', default: '1000' }, 'batch-records': { type: 'string', default: '64' },
      partitions: { type: 'string', default: '1' }, producers: { type: 'string', default: '1' }, consumers: { type: 'string', default: '1' },
      acks: { type: 'string', default: '1' }, compression: { type: 'string', default: 'none' }, keys: { type: 'string', default: 'none' },
      records: { type: 'string', default: '1000000' }, seconds: { type: 'string', default: '30' }, 'in-flight': { type: 'string', default: '8' },
      rate: { type: 'string', default: '5000' }, warmup: { type: 'string', default: '2' }, out: { type: 'string', default: 'bench/results/load' },
      'topic-config': { type: 'string', multiple: true, default: [] }, 'tls-ca': { type: 'string' }, help: { type: 'boolean', short: 'h' }
    }
  })
  if (a.help === true) { console.log(LOAD_HELP); return }
  const workload = a.workload as string
  if (!['produce', 'consume', 'e2e'].includes(workload)) throw new Error(`unknown workload ${workload}\n${LOAD_HELP}`)
  const server = a.bootstrap === undefined ? await startSluice() : null
  const bootstrap = a.bootstrap ?? `${server?.host ?? ''}:${server?.port ?? 0}`
  const recordBytes = Number(a['record-size'])
  const tls = a['tls-ca'] === undefined ? undefined : { ca: readFileSync(a['tls-ca']) }
  const target = { bootstrap, topic: a.topic ?? `bench-${workload}`, partitions: Number(a.partitions), tls }
  const produce = {
    ...target,
    recordBytes,
    batchRecords: Number(a['batch-records']),
    connections: Number(a.producers),
    acks: Number(a.acks) as -1 | 0 | 1,
    compression: a.compression as Compression,
    keys: a.keys as KeyDistribution,
    maxRecords: Number(a.records),
    maxSeconds: Number(a.seconds),
    inFlight: Number(a['in-flight'])
  }
  const topicConfigs = Object.fromEntries((a['topic-config'] ?? []).map(kv => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))
  await prepareTopic(target, topicConfigs)
  const out = new ResultsDir(a.out as string)
  console.log(`# load ${workload} · ${bootstrap} · ${machine()}`)
  console.log(`# ${JSON.stringify({ ...produce, bootstrap: undefined, tls: tls !== undefined })}`)
  try {
    if (workload === 'produce') {
      const row = throughputRow('produce', await leanProduce(produce), recordBytes)
      console.log(table(Object.keys(row), [Object.values(row)]))
      out.write('produce.json', { machine: machine(), options: { ...produce, tls: tls !== undefined }, result: row })
    } else if (workload === 'consume') {
      await leanProduce({ ...produce, quiet: false })
      const row = throughputRow('consume', await leanConsume({ ...target, connections: Number(a.consumers), maxRecords: produce.maxRecords, maxSeconds: produce.maxSeconds }), recordBytes)
      console.log(table(Object.keys(row), [Object.values(row)]))
      out.write('consume.json', { machine: machine(), options: { ...produce, tls: tls !== undefined }, result: row })
    } else {
      const e2e = { rate: Number(a.rate), recordBytes, seconds: produce.maxSeconds, warmupSeconds: Number(a.warmup) }
      const r = await runE2e({ kind: 'kafka', ...target, acks: produce.acks }, e2e)
      const rows = [{ measure: 'latency (CO-corrected)', ...summarize(r.latency) }, { measure: 'service time', ...summarize(r.service) }]
      console.log(`offered ${e2e.rate} records/s, achieved ${Math.round(r.achievedRate)}; sent ${r.sent}, received ${r.received} (ms below)`)
      console.log(table(Object.keys(rows[0] as object), rows.map(row => Object.values(row))))
      out.write('e2e.hgrm', hgrm(r.latency))
      out.write('e2e.svg', percentileSvg(`end-to-end latency at ${e2e.rate} records/s of ${recordBytes} B`, [{ label: 'corrected', histogram: r.latency }, { label: 'service time', histogram: r.service }]))
      out.write('e2e.json', { machine: machine(), options: { ...produce, ...e2e }, achievedRate: r.achievedRate, sent: r.sent, received: r.received, latency: rows })
    }
    console.log(`results in ${out.dir}`)
  } finally {
    await server?.stop()
  }
}

await main()
