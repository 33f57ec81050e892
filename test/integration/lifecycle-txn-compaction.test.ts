// Compaction of logs written by transactions (issue #9), with kafkajs transactional producers against a
// real broker whose shards run the cleaner every 200 ms: aborted records are removed, committed ones
// are compacted like any other at their offsets, ABORT markers go after delete.retention.ms, and
// __consumer_offsets keeps the right transactional offset commits through cleaning and a restart.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Producer } from 'kafkajs'
import { GroupAdmin, KafkaClient } from '../../src/client/index.js'
import { decodeBatch, iterateBatches, type RecordBatch } from '../../src/protocol/codec/record-batch.js'
import { closeKafkajs, connectKafkajs, type KafkajsClients } from '../helpers/kafkajs-fixture.js'
import { consumeUntil } from '../helpers/kafkajs-consume.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'

const TIMEOUT_MS = 60_000

let broker: RunningBroker
let clients: KafkajsClients

beforeAll(async () => {
  broker = await startBroker({
    settings: {
      'log.cleaner.backoff.ms': 200,
      'log.segment.bytes': 1024, // every topic rolls often, __consumer_offsets included
      'offsets.topic.num.partitions': 1,
      'group.initial.rebalance.delay.ms': 0
    }
  })
  clients = await connectKafkajs(broker, { clientId: 'sluice-txn-compaction' })
})

afterAll(async () => {
  await closeKafkajs({ ...clients, broker })
})

/** Every batch of the partition's sealed segments, decoded, read from the broker's files. */
function sealedBatches (topic: string): RecordBatch[] {
  const dir = join(broker.dataDir, `${topic}-0`)
  const files = readdirSync(dir).filter((f) => f.endsWith('.log')).sort()
  return files.slice(0, -1).flatMap((f) => [...iterateBatches(readFileSync(join(dir, f)))].map((b) => decodeBatch(b.bytes)))
}

/** The batches as `offset:flags:records` for failure messages (c control, t transactional, h delete horizon). */
function summary (batches: RecordBatch[]): string {
  return batches.map((b) => `${b.baseOffset}:${b.control ? 'c' : ''}${b.transactional ? 't' : ''}${b.hasDeleteHorizon ? 'h' : ''}:${b.producerId}:${b.records.length}`).join(' ')
}

function markers (batches: RecordBatch[], type: number): number {
  return batches.filter((b) => b.control && b.records[0]?.control?.type === type).length
}

/** Polls `check` until it holds, failing with `describe()` at the deadline. */
async function waitFor (check: () => boolean, describe: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${describe()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function transactionalProducer (transactionalId: string): Promise<Producer> {
  const producer = clients.kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  return producer
}

/** Keyed records from a plain producer, enough to seal the segments written before them. */
async function fill (topic: string, tag: string): Promise<void> {
  for (let i = 0; i < 8; i++) await clients.producer.send({ topic, messages: [{ key: 'filler', value: `${tag}-${i}-${'x'.repeat(200)}` }] })
}

describe('compaction of transactional data', () => {
  it('removes aborted records, keeps the committed ones at their offsets, and drops ABORT markers after delete.retention.ms', async () => {
    const topic = 'txn-table'
    await clients.admin.createTopics({
      topics: [{
        topic,
        numPartitions: 1,
        configEntries: [
          { name: 'cleanup.policy', value: 'compact' }, { name: 'delete.retention.ms', value: '1000' }, { name: 'min.cleanable.dirty.ratio', value: '0.01' }
        ]
      }]
    })
    const producer = await transactionalProducer('table-writer')
    const offsets = new Map<string, number>() // committed value -> its offset
    try {
      for (let round = 0; round < 6; round++) {
        const committed = await producer.transaction()
        const [sent] = await committed.send({ topic, messages: [{ key: `k${round % 3}`, value: `committed-${round}` }, { key: `keep-${round}`, value: `kept-${round}` }] })
        await committed.commit()
        offsets.set(`kept-${round}`, Number(sent!.baseOffset) + 1)
        const aborted = await producer.transaction()
        await aborted.send({ topic, messages: [{ key: `k${round % 3}`, value: `aborted-${round}` }, { key: `only-aborted-${round}`, value: `aborted-${round}` }] })
        await aborted.abort()
      }
      // The producer's newest batch keeps its header (its sequence state): make it a committed one.
      const last = await producer.transaction()
      await last.send({ topic, messages: [{ key: 'k0', value: 'committed-last' }] })
      await last.commit()
    } finally {
      await producer.disconnect()
    }
    await fill(topic, 'first')
    const values = (batches: RecordBatch[]): string[] => batches.flatMap((b) => b.control ? [] : b.records.map((r) => r.value?.toString() ?? ''))
    await waitFor(() => !values(sealedBatches(topic)).some((v) => v.startsWith('aborted-')), () => JSON.stringify(values(sealedBatches(topic))))

    // The markers of the emptied transactions get their delete horizon in the next pass (which new
    // data makes due) and go in the first pass after it.
    await fill(topic, 'second')
    await waitFor(() => markers(sealedBatches(topic), 0) === 0, () => `ABORT markers left in ${summary(sealedBatches(topic))}`)
    const batches = sealedBatches(topic)
    expect(markers(batches, 1)).toBe(7) // every committed transaction still has a record left
    for (const b of batches) {
      for (const r of b.records) {
        const value = r.value?.toString() ?? ''
        if (offsets.has(value)) expect(Number(r.offset)).toBe(offsets.get(value))
      }
    }

    const lastFiller = `second-7-${'x'.repeat(200)}`
    const uncommitted = await consumeUntil(clients.kafka, topic, true, (seen) => seen.includes(lastFiller), TIMEOUT_MS)
    const committed = await consumeUntil(clients.kafka, topic, false, (seen) => seen.includes(lastFiller), TIMEOUT_MS)
    expect(uncommitted.filter((v) => v.startsWith('aborted-'))).toEqual([])
    expect(committed).toEqual(uncommitted)
    for (let round = 0; round < 6; round++) expect(committed).toContain(`kept-${round}`)
    expect(committed).toContain('committed-4')
    expect(committed).toContain('committed-5')
    expect(committed).toContain('committed-last')
    expect(committed).not.toContain('committed-0') // superseded by committed-last, a committed transaction's record
  }, 120_000)

  it('keeps __consumer_offsets right: committed transactional offset commits survive cleaning and a restart, aborted ones never appear', async () => {
    await clients.admin.createTopics({ topics: [{ topic: 'txn-in', numPartitions: 1 }, { topic: 'txn-out', numPartitions: 1 }] })
    const producer = await transactionalProducer('offsets-writer')
    const rounds: Array<[number, boolean]> = [[10, true], [20, false], [30, true], [40, false], [50, true], [60, false], [70, true], [100, false]]
    try {
      for (const [offset, commit] of rounds) {
        const txn = await producer.transaction()
        await txn.send({ topic: 'txn-out', messages: [{ key: 'k', value: String(offset) }] })
        await txn.sendOffsets({ consumerGroupId: 'txn-group', topics: [{ topic: 'txn-in', partitions: [{ partition: 0, offset: String(offset) }] }] })
        if (commit) await txn.commit()
        else await txn.abort()
      }
    } finally {
      await producer.disconnect()
    }
    // Plain commits of another group seal the segments holding the transactional ones.
    const client = new KafkaClient({ bootstrap: broker.bootstrap })
    try {
      for (let i = 0; i < 20; i++) await new GroupAdmin(client).commitOffsets('filler', [{ topic: 'txn-in', partition: 0, offset: i }])
    } finally {
      await client.close()
    }
    // Cleaned: of the transactional commits only the newest committed one (70) is left.
    const txnData = (): number => sealedBatches('__consumer_offsets').filter((b) => b.transactional && !b.control && b.records.length > 0).length
    await waitFor(() => txnData() === 1, () => `${txnData()} transactional batches with records in ${summary(sealedBatches('__consumer_offsets'))}`)

    const committedOffset = async (): Promise<string | undefined> => {
      const [answer] = await clients.admin.fetchOffsets({ groupId: 'txn-group', topics: ['txn-in'] })
      return answer?.partitions[0]?.offset
    }
    expect(await committedOffset(), 'before the restart').toBe('70')
    await clients.admin.disconnect()
    await clients.producer.disconnect()
    await broker.restart()
    clients = await connectKafkajs(broker, { clientId: 'sluice-txn-compaction' })
    expect(await committedOffset()).toBe('70')
  }, 120_000)
})
