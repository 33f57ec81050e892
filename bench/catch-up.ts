// Catch-up consume, pass by pass: the first pass over data the broker has not read yet (in the page
// cache, not yet mapped into the broker), passes right after it, and a pass after a pause. For each
// pass: MB/s, the broker's CPU time (user / system) and minor page faults from /proc, and the
// consumer's own CPU (if it is near 100% of a core, the consumer is the limit, not the broker).
// Each round starts a fresh broker per contender and fills a fresh topic (1 KB records, batches of
// 64, flush.ms=1000 as in compare.ts), so `--sluice DIR` (other builds' dist/, repeatable) runs
// interleaved with this checkout for before/after figures.
// Run: npx tsx bench/catch-up.ts [--rounds 2] [--records 1000000] [--partitions 8] [--connections 2]
//        [--warm-passes 1] [--pause-ms 3000] [--sluice DIR]...
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { basename, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { leanConsume, leanProduce, prepareTopic } from './drivers/kafka-lean.js'
import { machine, round, table } from './lib/report.js'
import { startSluice } from './systems/servers.js'

const { values: a } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' }, records: { type: 'string', default: '1000000' },
    partitions: { type: 'string', default: '8' }, connections: { type: 'string', default: '2' },
    'warm-passes': { type: 'string', default: '1' }, 'pause-ms': { type: 'string', default: '3000' },
    sluice: { type: 'string', multiple: true, default: [] }
  }
})
const RECORD = 1000
const TOPIC = 'catch-up'
const records = Number(a.records)
const partitions = Number(a.partitions)
const CLOCK_TICKS_MS = 10 // /proc/PID/stat counts CPU time in USER_HZ (100 per second on Linux)

interface ProcStat { minorFaults: number, userMs: number, systemMs: number }
function procStat (pid: number): ProcStat {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ') // fields from the 3rd (state) on
  return { minorFaults: Number(fields[7]), userMs: Number(fields[11]) * CLOCK_TICKS_MS, systemMs: Number(fields[12]) * CLOCK_TICKS_MS }
}

const load = (): string => loadavg().map(l => l.toFixed(1)).join(' ')
const label = (root: string | undefined): string => root === undefined ? 'this checkout' : `sluice@${basename(root)}`

async function main (): Promise<void> {
  const roots = [undefined, ...(a.sluice ?? []).map(r => resolve(r))]
  const passes = ['first', ...Array.from({ length: Number(a['warm-passes']) }, (_, i) => `warm ${i + 1}`), `after ${a['pause-ms'] as string} ms`]
  const rows: Array<Record<string, string | number>> = []
  console.log(`# catch-up · ${records.toLocaleString('en')} records of ${RECORD} B in ${partitions} partitions, ${a.connections as string} connections · ${machine()}`)
  for (let r = 1; r <= Number(a.rounds); r++) {
    for (const root of roots) {
      const server = await startSluice(undefined, {}, root)
      try {
        const target = { bootstrap: `${server.host}:${server.port}`, topic: TOPIC, partitions }
        await prepareTopic(target, { 'flush.ms': '1000' })
        await leanProduce({ ...target, recordBytes: RECORD, batchRecords: 64, connections: 2, acks: 1, compression: 'none', keys: 'none', maxRecords: records, maxSeconds: 120, inFlight: 8, quiet: true })
        execFileSync('sync')
        for (const pass of passes) {
          if (pass.startsWith('after')) await sleep(Number(a['pause-ms']))
          const before = { broker: procStat(server.pid), own: process.cpuUsage(), load: load() }
          const c = await leanConsume({ ...target, connections: Number(a.connections), maxRecords: records, maxSeconds: 120, quiet: true })
          const broker = procStat(server.pid)
          const own = process.cpuUsage(before.own)
          const gb = c.bytes / 1e9
          const row = {
            round: r,
            build: label(root),
            pass,
            'MB/s': round(c.bytes / 1e6 / c.seconds),
            'broker user ms/GB': Math.round((broker.userMs - before.broker.userMs) / gb),
            'broker sys ms/GB': Math.round((broker.systemMs - before.broker.systemMs) / gb),
            'broker faults/GB': Math.round((broker.minorFaults - before.broker.minorFaults) / gb),
            'consumer CPU %': Math.round((own.user + own.system) / 1e3 / (c.seconds * 1e3) * 100),
            load: `${before.load} → ${load()}`
          }
          rows.push(row)
          process.stderr.write(`  ${JSON.stringify(row)}\n`)
        }
      } finally {
        await server.stop()
      }
    }
  }
  console.log(table(Object.keys(rows[0] ?? {}), rows.map(row => Object.values(row))))
}

await main()
