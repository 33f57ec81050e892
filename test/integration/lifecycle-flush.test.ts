// The flush policy through the store's shards. The native core's fault-test mode records how far each
// flush reached (SLUICE_FAULT_RECORD_SYNC -> <partition>/.synced), which is what these tests read.
import { existsSync, mkdtempSync, readFileSync, rmSync, watch } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LifecycleConfig } from '../../src/storage/native.js'
import type { PartitionStore } from '../../src/storage/partition-store.js'
import { FlushPolicy } from '../../src/storage/flush-policy.js'

process.env.SLUICE_FAULT_RECORD_SYNC = '1' // read when the addon loads: every import that loads it comes after
const { DEFAULT_LOG_CONFIG } = await import('../../src/storage/native.js')
const { PartitionStore: Store } = await import('../../src/storage/partition-store.js')
const { valuesBatch } = await import('../helpers/batch.js') // loads the addon too: only after the variable is set

const NEVER = Number.MAX_SAFE_INTEGER
const policy = (flushMessages: number, flushMs = NEVER): LifecycleConfig => ({
  cleanupPolicy: 'delete', deleteRetentionMs: 0, minCompactionLagMs: 0, maxCompactionLagMs: NEVER, minCleanableDirtyRatio: 0.5, flushMessages, flushMs
})

let dir: string
let store: PartitionStore
const opts = { leaderEpoch: 0, logAppendTimeMs: -1, nowMs: Date.now() }
const synced = (topic: string): number => {
  const path = join(dir, `${topic}-0`, '.synced')
  return existsSync(path) ? Number(readFileSync(path, 'utf8').split(' ')[1]) : -1
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-flush-'))
  store = await Store.open({ dataDir: dir, shards: 1, defaults: DEFAULT_LOG_CONFIG })
})
afterAll(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('flush policy', () => {
  it('fsyncs before acknowledging every append under flush.messages=1', async () => {
    await store.createPartition('strict', 0, { lifecycle: policy(1) })
    for (let i = 0; i < 5; i++) {
      await store.append('strict', 0, valuesBatch(`s${i}`, 3), opts)
      expect(synced('strict')).toBe(store.sizeBytes('strict', 0))
    }
  })

  it('fsyncs once the unsynced records reach flush.messages, not before', async () => {
    await store.createPartition('counted', 0, { lifecycle: policy(10) })
    await store.append('counted', 0, valuesBatch('a', 4), opts)
    await store.append('counted', 0, valuesBatch('b', 4), opts)
    expect(synced('counted')).toBe(-1)
    await store.append('counted', 0, valuesBatch('c', 4), opts)
    expect(synced('counted')).toBe(store.sizeBytes('counted', 0))
  })

  it('fsyncs an idle log once its oldest unsynced record is flush.ms old', async () => {
    await store.createPartition('timed', 0, { lifecycle: policy(NEVER, 500) })
    const partitionDir = join(dir, 'timed-0')
    const appeared = new Promise<void>((resolve) => {
      const watcher = watch(partitionDir, (_, name) => { if (name === '.synced') { watcher.close(); resolve() } })
    })
    await store.append('timed', 0, valuesBatch('t', 2), opts)
    expect(synced('timed')).toBe(-1)
    await appeared
    expect(synced('timed')).toBe(store.sizeBytes('timed', 0))
  })

  it('answers appends to other partitions of the shard without waiting for a strict partition\'s fsync', async () => {
    await store.createPartition('waits', 0, { lifecycle: policy(1) })
    await store.createPartition('free', 0)
    const order: string[] = []
    // Issued in one turn, so both reach the (single) shard in one message, the strict one first.
    const strict = store.append('waits', 0, valuesBatch('w', 2), opts).then(() => { order.push('waits') })
    const free = store.append('free', 0, valuesBatch('f', 2), opts).then(() => { order.push('free') })
    await Promise.all([strict, free])
    expect(order).toEqual(['free', 'waits'])
    expect(synced('waits')).toBe(store.sizeBytes('waits', 0))
  })

  it('acknowledges each append of a strict partition only once an fsync covers it, with many in flight', async () => {
    await store.createPartition('pipelined', 0, { lifecycle: policy(1) })
    const acks: Array<{ synced: number, lastOffset: number }> = []
    await Promise.all(Array.from({ length: 40 }, async (_, i) => {
      const r = await store.append('pipelined', 0, valuesBatch(`p${i}`, 2), opts)
      acks.push({ synced: synced('pipelined'), lastOffset: r.lastOffset })
    }))
    // Where each batch ends in the file: its ack must have come after a sync that reached there.
    const endOf = new Map<number, number>()
    let pos = 0
    for (const view of store.read('pipelined', 0, 0, 2 ** 30)) {
      for (let at = 0; at < view.length;) {
        const size = view.readInt32BE(at + 8) + 12
        pos += size
        endOf.set(Number(view.readBigInt64BE(at)) + view.readInt32BE(at + 23), pos)
        at += size
      }
    }
    expect(acks).toHaveLength(40)
    for (const ack of acks) expect(ack.synced).toBeGreaterThanOrEqual(endOf.get(ack.lastOffset)!)
  })

  it('groups the appends of one turn into one fsync per log', () => {
    const limits = { flushMessages: 2, flushMs: NEVER }
    const p = new FlushPolicy(() => {})
    p.appended(1, 1, 0, limits)
    p.appended(1, 1, 0, limits)
    p.appended(1, 1, 0, limits)
    p.appended(2, 1, 0, limits)
    expect(p.due(0)).toEqual([1])
    expect(p.due(0)).toEqual([])
    p.stop()
  })
})
