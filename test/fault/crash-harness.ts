// Crash rounds: a producer with acks=all against a broker under the strict flush policy
// (log.flush.interval.messages=1), SIGKILL of the broker at a random moment, restart, again. At the end
// every acknowledged record must be in the log exactly once and in acknowledgement order, every
// batch's CRC must be valid, and the committed group offset must be the last acknowledged commit or a
// later one that was sent but whose answer the kill cut off.
//
// The producer never retries (retries: 0) and every value is unique, so a record found twice could
// only come from the broker. Unacknowledged records may or may not be there: both are correct.
// Used by test/integration/lifecycle-crash.test.ts (20 rounds) and `npm run soak` (500 rounds).
import { join } from 'node:path'
import { Admin, GroupAdmin, KafkaClient, Producer } from '../../src/client/index.js'
import { decodeBatch, iterateBatches } from '../../src/protocol/codec/record-batch.js'
import { NativeLog } from '../../src/storage/native.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'

export interface CrashReport {
  rounds: number
  acknowledged: number
  found: number
  batchesChecked: number
  problems: string[]
}

export const CRASH_TOPIC = 'crash'
const GROUP = 'crash-group'
const IN_FLIGHT = 8

export const STRICT_SETTINGS = {
  'log.flush.interval.messages': 1,
  'log.segment.bytes': 64 * 1024,
  'offsets.topic.num.partitions': 1,
  'transaction.state.log.num.partitions': 1
}

export interface CrashOptions {
  /** How long a round produces after its first acknowledgement before the kill (a random share of it); default 300 ms. */
  maxRoundMs?: number
  /** Broker settings; default STRICT_SETTINGS. */
  settings?: Record<string, number | string>
  /** Runs on the data directory while the broker is down, e.g. to simulate a power loss. */
  afterKill?: (dataDir: string, round: number) => void
  log?: (line: string) => void
}

/** Runs `rounds` produce-then-SIGKILL rounds, restarting the broker after each. */
export async function crashRounds (rounds: number, options: CrashOptions = {}): Promise<CrashReport> {
  const { maxRoundMs = 300, settings = STRICT_SETTINGS, afterKill, log = () => {} } = options
  const broker = await startBroker({ settings })
  const acked: string[] = []
  let committed = -1
  let attempted = -1
  try {
    await withClient(broker, async (client) => {
      await new Admin(client).createTopics([{ name: CRASH_TOPIC, partitions: 1, replicationFactor: 1 }])
    })
    for (let round = 0; round < rounds; round++) {
      const outcome = await produceUntilKilled(broker, round, maxRoundMs * Math.random(), acked)
      if (outcome.committed >= 0) committed = outcome.committed
      attempted = Math.max(attempted, outcome.attempted)
      afterKill?.(broker.dataDir, round)
      await broker.restart()
      if (round % 50 === 49) log(`crash: ${round + 1}/${rounds} rounds, ${acked.length} acknowledged`)
    }
    const report: CrashReport = { rounds, acknowledged: acked.length, found: 0, batchesChecked: 0, problems: [] }
    await withClient(broker, async (client) => {
      const offsets = await new GroupAdmin(client).fetchOffsets(GROUP)
      const got = offsets.find((o) => o.topic === CRASH_TOPIC)?.offset ?? -1
      if (got < committed || got > attempted) report.problems.push(`committed offset ${got}, last acknowledged commit ${committed}, last sent ${attempted}`)
    })
    await broker.stop({ keepData: true })
    checkLog(join(broker.dataDir, `${CRASH_TOPIC}-0`), acked, report)
    return report
  } finally {
    await broker.stop()
  }
}

async function withClient<T> (broker: RunningBroker, body: (client: KafkaClient) => Promise<T>): Promise<T> {
  const client = new KafkaClient({ bootstrap: broker.bootstrap, requestTimeoutMs: 5_000, connectTimeoutMs: 2_000 })
  try {
    return await body(client)
  } finally {
    await client.close().catch(() => {})
  }
}

// A round whose first acknowledgement takes longer than this (a broker that cannot take records) is killed anyway.
const FIRST_ACK_WAIT_MS = 10_000

/**
 * Produces (and now and then commits the acknowledged count) until the broker is SIGKILLed
 * `killAfterMs` after the round's first acknowledgement: timed from the first answer rather than from
 * the start, so a round on a slow, loaded machine still has acknowledged records at stake.
 */
async function produceUntilKilled (broker: RunningBroker, round: number, killAfterMs: number, acked: string[]): Promise<{ committed: number, attempted: number }> {
  const client = new KafkaClient({ bootstrap: broker.bootstrap, requestTimeoutMs: 2_000, connectTimeoutMs: 2_000 })
  const producer = new Producer(client, { acks: -1, retries: 0, lingerMs: 0 })
  const groups = new GroupAdmin(client)
  let killed = false
  let committed = -1
  let attempted = -1
  let sent = 0
  let firstAck = (): void => {}
  const firstAcked = new Promise<void>((resolve) => { firstAck = resolve })
  const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }
  const killing = Promise.race([firstAcked, sleep(FIRST_ACK_WAIT_MS)]).then(async () => {
    await sleep(killAfterMs)
    killed = true
    await broker.kill()
  })
  const lane = async (): Promise<void> => {
    while (!killed && sent < 100_000) {
      const value = `r${round}-${sent++}`
      try {
        await producer.send({ topic: CRASH_TOPIC, partition: 0, key: value, value })
        acked.push(value)
        firstAck()
      } catch {
        return
      }
      if (acked.length % 25 === 0) {
        const offset = acked.length
        attempted = Math.max(attempted, offset)
        try {
          await groups.commitOffsets(GROUP, [{ topic: CRASH_TOPIC, partition: 0, offset }])
          committed = offset
        } catch {
          return
        }
      }
    }
  }
  await Promise.all([killing, ...Array.from({ length: IN_FLIGHT }, lane)])
  await client.close().catch(() => {})
  return { committed, attempted }
}

/** Reads the partition's files directly: CRCs, and the acknowledged values once each, in order. */
function checkLog (dir: string, acked: string[], report: CrashReport): void {
  const log = NativeLog.open(dir)
  const position = new Map<string, number>()
  try {
    let offset = log.logStartOffset()
    const end = log.highWatermark()
    while (offset < end) {
      const views = log.read(offset, 1 << 20)
      if (views.length === 0) break
      for (const view of views) {
        for (const b of iterateBatches(view)) {
          report.batchesChecked++
          const batch = decodeBatch(b.bytes) // verifies the CRC
          for (const r of batch.records) {
            const value = r.value?.toString() ?? ''
            if (position.has(value)) report.problems.push(`${value} appears twice (offsets ${position.get(value)} and ${r.offset})`)
            position.set(value, Number(r.offset))
          }
          offset = Number(b.header.baseOffset) + b.header.lastOffsetDelta + 1
        }
      }
    }
  } catch (err) {
    report.problems.push(`reading the log: ${(err as Error).message}`)
  } finally {
    log.close()
  }
  report.found = position.size
  let last = -1
  for (const value of acked) {
    const at = position.get(value)
    if (at === undefined) {
      report.problems.push(`acknowledged ${value} is missing`)
    } else if (at < last) {
      report.problems.push(`acknowledged ${value} at offset ${at} comes before the previous acknowledgement at ${last}`)
    } else {
      last = at
    }
    if (report.problems.length > 20) return
  }
}
