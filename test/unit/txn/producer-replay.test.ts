// Producer state and the aborted-transaction list survive reopening a store: from the snapshot a clean
// close leaves, and from a full replay of the log when there is none (as after a crash).
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ControlRecordType, encodeBatch, encodeTxnMarker } from '../../../src/protocol/codec/record-batch.js'
import { PartitionStore } from '../../../src/storage/partition-store.js'

const DEFAULTS = { segmentBytes: 64 * 1024, segmentMs: 7 * 24 * 3600_000, indexIntervalBytes: 4096, retentionMs: -1, retentionBytes: -1 }
const opts = (): { leaderEpoch: number, logAppendTimeMs: number, nowMs: number } => ({ leaderEpoch: 0, logAppendTimeMs: -1, nowMs: Date.now() })

let dataDir: string
beforeEach(async () => { dataDir = await mkdtemp(join(tmpdir(), 'sluice-replay-')) })
afterEach(async () => { await rm(dataDir, { recursive: true, force: true }) })

const open = async (): Promise<PartitionStore> => await PartitionStore.open({ dataDir, shards: 1, defaults: DEFAULTS })

function batch (producerId: number, baseSequence: number, transactional = false): Buffer {
  return encodeBatch({ records: [{ key: null, value: Buffer.from(`s${baseSequence}`) }, { key: null, value: Buffer.from('x') }], producerId: BigInt(producerId), producerEpoch: 0, baseSequence, transactional })
}

/** Idempotent producer 1 wrote offsets 0-3; producer 2 aborted a transaction at 4-5 (marker 6); producer 3 has one open at 7-8. */
async function fill (store: PartitionStore): Promise<void> {
  await store.createPartition('t', 0)
  await store.append('t', 0, batch(1, 0), opts())
  await store.append('t', 0, batch(1, 2), opts())
  await store.append('t', 0, batch(2, 0, true), opts())
  await store.appendMarker('t', 0, encodeTxnMarker({ type: ControlRecordType.ABORT, producerId: 2n, producerEpoch: 0, coordinatorEpoch: 0 }), Date.now())
  await store.append('t', 0, batch(3, 0, true), opts())
}

async function expectStateKept (store: PartitionStore): Promise<void> {
  expect((await store.append('t', 0, batch(1, 2), opts())).baseOffset).toBe(2) // a retry: the original offset
  expect(store.highWatermark('t', 0)).toBe(9)
  expect(store.lastStableOffset('t', 0)).toBe(7)
  expect(store.abortedTransactions('t', 0, 0, 9)).toEqual([{ producerId: 2, firstOffset: 4, lastOffset: 6 }])
  await expect(store.append('t', 0, batch(1, 9), opts())).rejects.toMatchObject({ code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' })
}

describe('producer state across a reopen', () => {
  it('comes back from the snapshot a clean close writes, which is consumed on open', async () => {
    const first = await open()
    await fill(first)
    await first.close()
    expect(await readdir(join(dataDir, 't-0'))).toContain('producer-state.snapshot')
    const second = await open()
    try {
      expect(await readdir(join(dataDir, 't-0'))).not.toContain('producer-state.snapshot')
      await expectStateKept(second)
    } finally {
      await second.close()
    }
  })

  it('comes back from the log alone when there is no snapshot', async () => {
    const first = await open()
    await fill(first)
    await first.close()
    await rm(join(dataDir, 't-0', 'producer-state.snapshot'))
    const second = await open()
    try {
      await expectStateKept(second)
    } finally {
      await second.close()
    }
  })
})
