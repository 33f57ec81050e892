// The disk-full part of the fault harness: the data directory on a 16 MiB tmpfs. Producing until it is
// full must give KAFKA_STORAGE_ERROR while the broker stays up and serves reads; nothing already
// written may be damaged; and once a topic is deleted to free space, writes resume without a restart
// (a reservation refused for lack of space writes nothing, so it is not sticky: native/log/segment.cc).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Admin, Consumer, KafkaClient, Producer } from '../../src/client/index.js'
import { ErrorCode, KafkaError } from '../../src/protocol/index.js'
import { decodeBatch, iterateBatches } from '../../src/protocol/codec/record-batch.js'
import { NativeLog } from '../../src/storage/native.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'

const VALUE = Buffer.alloc(16 * 1024, 'x')
const MAX_SENDS = 4_000 // 64 MiB: four times the filesystem

let mountPoint = ''
let mounted = false
let broker: RunningBroker | undefined
let client: KafkaClient

beforeAll(async () => {
  mountPoint = mkdtempSync(join(tmpdir(), 'sluice-full-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mountPoint], { stdio: 'pipe' })
    mounted = true
  } catch (err) {
    console.error(`\n!!!!!!!! DISK-FULL TEST SKIPPED: mount -t tmpfs was refused (${(err as Error).message.trim()}) !!!!!!!!\n`)
    return
  }
  broker = await startBroker({
    dataDir: join(mountPoint, 'data'),
    settings: { 'log.segment.bytes': 1024 * 1024, 'offsets.topic.num.partitions': 1, 'transaction.state.log.num.partitions': 1 }
  })
  client = new KafkaClient({ bootstrap: broker.bootstrap })
  await new Admin(client).createTopics([
    { name: 'ballast', partitions: 1, replicationFactor: 1 },
    { name: 'fill', partitions: 1, replicationFactor: 1 }
  ])
})

afterAll(async () => {
  await client?.close()
  await broker?.stop()
  if (mounted) execFileSync('umount', ['-l', mountPoint]) // lazy: read views may still map its files until GC
  rmSync(mountPoint, { recursive: true, force: true })
})

/** Sends until the broker refuses; returns the offsets acknowledged and the refusal. */
async function produceUntilFull (producer: Producer, topic: string, limit: number): Promise<{ acked: number, error: unknown }> {
  let acked = 0
  for (let i = 0; i < limit; i++) {
    try {
      await producer.send({ topic, partition: 0, value: VALUE })
      acked++
    } catch (error) {
      return { acked, error }
    }
  }
  return { acked, error: null }
}

describe.runIf(process.platform === 'linux')('a full disk', () => {
  it('refuses produce with KAFKA_STORAGE_ERROR, keeps serving reads, and accepts writes again once space is freed', async (ctx) => {
    if (!mounted || broker === undefined) return ctx.skip()
    const producer = new Producer(client, { acks: -1, retries: 0, lingerMs: 0 })
    const ballast = await produceUntilFull(producer, 'ballast', 256) // 4 MiB to free later
    expect(ballast.error).toBeNull()
    const fill = await produceUntilFull(producer, 'fill', MAX_SENDS)
    expect(fill.error).toBeInstanceOf(KafkaError)
    expect((fill.error as KafkaError).code).toBe(ErrorCode.KAFKA_STORAGE_ERROR)
    expect(fill.acked).toBeGreaterThan(100)

    // Still up and serving reads of everything acknowledged, CRCs checked by the decoder.
    const consumer = new Consumer(client, { maxWaitMs: 10 })
    await consumer.assign([{ topic: 'fill', partition: 0, offset: 'earliest' }])
    let read = 0
    for (let polls = 0; polls < 1_000 && read < fill.acked; polls++) {
      for (const r of await consumer.poll()) {
        expect(r.offset).toBe(read)
        expect(r.value?.equals(VALUE)).toBe(true)
        read++
      }
    }
    expect(read).toBe(fill.acked)

    await new Admin(client).deleteTopics(['ballast'])
    const after = await producer.send({ topic: 'fill', partition: 0, value: VALUE })
    expect(after.offset).toBe(fill.acked)

    // No segment was damaged: after a stop, the files hold every record, each batch's CRC valid.
    await client.close()
    await broker.stop()
    broker = undefined
    const log = NativeLog.open(join(mountPoint, 'data', 'fill-0'))
    try {
      expect(log.recovery.truncatedBytes).toBe(0)
      let offset = 0
      while (offset < log.highWatermark()) {
        for (const view of log.read(offset, 1 << 20)) {
          for (const b of iterateBatches(view)) {
            for (const r of decodeBatch(b.bytes).records) expect(r.value?.equals(VALUE)).toBe(true)
            offset = Number(b.header.baseOffset) + b.header.lastOffsetDelta + 1
          }
        }
      }
      expect(offset).toBe(fill.acked + 1)
    } finally {
      log.close()
    }
  }, 60_000)
})
