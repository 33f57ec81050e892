// What do idempotence's checks cost the broker itself? Appends through PartitionStore (one partition,
// one shard) of 1 KiB batches (10 records of 100 B) with producerId -1 against the same batches from an
// idempotent producer (producer id 1, epoch 0, consecutive sequences), so the shard parses the producer
// fields, checks the sequence against the last five batches and records the new one. Batches are built
// before timing; rounds interleave the two cases so background load hits both. Target: within 5%.
// Run: npx tsx bench/txn-append.ts [--quick]
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { encodeBatch } from '../src/protocol/codec/record-batch.js'
import { PartitionStore } from '../src/storage/partition-store.js'
import { machine, nowNs, round, table } from './lib/report.js'

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false } } })
const PLAN = args.quick === true ? { rounds: 3, appends: 20_000 } : { rounds: 5, appends: 100_000 }
const IN_FLIGHT = 64
const RECORDS = 10
const VALUE = Buffer.alloc(100, 120)
const CONFIG = { segmentBytes: 256 * 2 ** 20, segmentMs: 7 * 24 * 3600_000, indexIntervalBytes: 4096, retentionMs: -1, retentionBytes: -1 }

function batches (idempotent: boolean, count: number): Buffer[] {
  const records = Array.from({ length: RECORDS }, () => ({ key: null, value: VALUE }))
  return Array.from({ length: count }, (_, i) => encodeBatch({
    records, now: 1_700_000_000_000n, ...(idempotent ? { producerId: 1n, producerEpoch: 0, baseSequence: (i * RECORDS) % 2 ** 31 } : {})
  }))
}

/** Appends every batch in order with IN_FLIGHT outstanding; returns appends per second. */
async function run (store: PartitionStore, topic: string, input: Buffer[]): Promise<number> {
  let next = 0
  const started = nowNs()
  const worker = async (): Promise<void> => {
    while (next < input.length) {
      const batch = input[next++]!
      await store.append(topic, 0, batch, { leaderEpoch: 0, logAppendTimeMs: -1, nowMs: Date.now() })
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  return input.length / (Number(nowNs() - started) / 1e9)
}

async function main (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-txn-append-'))
  const store = await PartitionStore.open({ dataDir: dir, shards: 1, defaults: CONFIG })
  try {
    const rates = { plain: [] as number[], idempotent: [] as number[] }
    for (let r = 0; r < PLAN.rounds; r++) {
      // Fresh partitions each round: the idempotent producer's sequences start at 0 again.
      await store.createPartition(`plain-${r}`, 0)
      await store.createPartition(`idem-${r}`, 0)
      rates.plain.push(await run(store, `plain-${r}`, batches(false, PLAN.appends)))
      rates.idempotent.push(await run(store, `idem-${r}`, batches(true, PLAN.appends)))
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    const plain = median(rates.plain)
    const idem = median(rates.idempotent)
    console.log(`machine: ${machine()}`)
    console.log(`\nappends of ${RECORDS} x ${VALUE.length} B records through PartitionStore, ${IN_FLIGHT} in flight, median of ${PLAN.rounds} interleaved rounds of ${PLAN.appends}`)
    console.log(table(['batches', 'appends/s', 'records/s', 'vs plain', 'rounds (appends/s)'], [
      ['producerId -1', round(plain, 0), round(plain * RECORDS, 0), '1.000', rates.plain.map(x => Math.round(x)).join(' ')],
      ['idempotent', round(idem, 0), round(idem * RECORDS, 0), (idem / plain).toFixed(3), rates.idempotent.map(x => Math.round(x)).join(' ')]
    ]))
  } finally {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
