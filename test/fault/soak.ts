// `npm run soak`: the long form of the fault harness. 500 crash rounds, a million fuzzed frames, and a
// 10-minute produce/consume RSS soak, each bounded; prints what it found and exits non-zero on a problem.
// Environment: SOAK_CRASH_ROUNDS, SOAK_FUZZ_FRAMES, SOAK_RSS_MS override the sizes.
import { Admin, KafkaClient, Producer } from '../../src/client/index.js'
import { startBroker } from '../helpers/broker.js'
import { crashRounds } from './crash-harness.js'
import { fuzz } from './fuzz-harness.js'
import { rssSoak } from './load-harness.js'

const CRASH_ROUNDS = Number(process.env.SOAK_CRASH_ROUNDS ?? 500)
const FUZZ_FRAMES = Number(process.env.SOAK_FUZZ_FRAMES ?? 1_000_000)
const RSS_MS = Number(process.env.SOAK_RSS_MS ?? 600_000)

let failed = false

const crash = await crashRounds(CRASH_ROUNDS, { log: console.log })
console.log(`crash: ${crash.rounds} SIGKILLs, ${crash.acknowledged} acknowledged, ${crash.found} found, ${crash.batchesChecked} batches CRC-checked`)
for (const p of crash.problems) { console.log(`  PROBLEM ${p}`); failed = true }

const broker = await startBroker({
  settings: { 'auto.create.topics.enable': false, 'log.segment.bytes': 8 << 20, 'log.retention.bytes': 64 << 20, 'log.retention.check.interval.ms': 5_000 }
})
try {
  const client = new KafkaClient({ bootstrap: broker.bootstrap })
  await new Admin(client).createTopics([{ name: 'witness', partitions: 1, replicationFactor: 1 }, { name: 'soak', partitions: 1, replicationFactor: 1 }])
  const producer = new Producer(client, { acks: -1, lingerMs: 0 })
  let witnessed = 0
  const report = await fuzz(broker, FUZZ_FRAMES, Date.now() & 0xffff, async () => {
    await producer.send({ topic: 'witness', partition: 0, value: 'still here' })
    witnessed++
  })
  console.log(`fuzz: ${report.frames} frames over ${report.connections} connections, ${witnessed} witness sends; RSS ${report.rssStartKb} -> max ${report.rssMaxKb} -> ${report.rssEndKb} KiB`)
  await client.close()

  const samples = await rssSoak(broker, 'soak', RSS_MS, 10_000)
  console.log('rss soak (s, KiB, produced, consumed):')
  for (const s of samples) console.log(`  ${Math.round(s.atMs / 1000)}\t${s.rssKb}\t${s.produced}\t${s.consumed}`)
  const rss = samples.map((s) => s.rssKb).slice(Math.floor(samples.length / 3))
  if (Math.max(...rss) - Math.min(...rss) > 256 * 1024) { console.log('  PROBLEM RSS grew by more than 256 MiB after warm-up'); failed = true }
} finally {
  await broker.stop()
}
process.exit(failed ? 1 : 0)
