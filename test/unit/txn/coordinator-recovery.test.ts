// The transaction coordinator over a real store and group coordinator: a transaction whose
// PrepareCommit reached __transaction_state but whose markers did not (a crash in between) is committed
// when the coordinator opens again: markers written, the last stable offset released, the transaction's
// offsets applied.
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { encodeBatch } from '../../../src/protocol/codec/record-batch.js'
import { ErrorCode } from '../../../src/protocol/index.js'
import { OFFSETS_TOPIC } from '../../../src/groups/offsets-topic.js'
import { TransactionCoordinator } from '../../../src/txn/coordinator.js'
import { ProducerIdAllocator } from '../../../src/txn/producer-ids.js'
import { TxnLog, TXN_TOPIC } from '../../../src/txn/txn-log.js'
import { TxnStatus } from '../../../src/txn/txn-state.js'
import { closeAllHarnesses, startHarness, type Harness } from '../groups/harness.js'

const log = pino({ level: 'silent' })
afterEach(async () => { await closeAllHarnesses() })

/** `load` false: the coordinator has not replayed __transaction_state yet. */
async function openTxn (h: Harness, load = true): Promise<TransactionCoordinator> {
  if (!h.store.partitions().some(p => p.topic === TXN_TOPIC)) await h.store.createPartition(TXN_TOPIC, 0)
  const txn = TransactionCoordinator.open({
    store: h.store,
    log,
    settings: { maxTimeoutMs: 900_000, abortCheckIntervalMs: 60_000, idExpirationMs: 604_800_000 },
    ids: ProducerIdAllocator.open(h.dir),
    txnPartitions: 1,
    createTxnTopic: async () => 1,
    groups: { offsetsTopic: OFFSETS_TOPIC, offsetsPartitionFor: id => h.coordinator.partitionFor(id), ensureOffsetsTopic: async () => {}, completeTxn: (pid, commit) => h.coordinator.completeTxn(pid, commit) },
    partitionExists: () => true
  })
  if (load) await txn.load()
  return txn
}

describe('transaction coordinator recovery', () => {
  it('commits a transaction left in PrepareCommit: markers written, offsets applied, last stable offset released', async () => {
    const h = await startHarness()
    const txn = await openTxn(h)
    const init = await txn.initProducerId('t1', 60_000, { producerId: -1, producerEpoch: -1 })
    const producer = { transactionalId: 't1', producerId: init.producerId, producerEpoch: init.producerEpoch }
    expect(await txn.addPartitions(producer, [{ topic: 't', partition: 0 }])).toEqual([0])
    expect(await txn.addOffsets(producer, 'g1')).toBe(0)
    const data = encodeBatch({ records: [{ key: null, value: Buffer.from('in-txn') }], producerId: BigInt(init.producerId), producerEpoch: init.producerEpoch, baseSequence: 0, transactional: true })
    await h.store.append('t', 0, data, { leaderEpoch: 0, logAppendTimeMs: -1, nowMs: Date.now() })
    const commit = { generationId: -1, memberId: '', groupInstanceId: null, offsets: [{ topic: 't', partition: 0, offset: 1, leaderEpoch: -1, metadata: null }] }
    expect(await h.coordinator.commitTxnOffsets('g1', producer, commit)).toEqual([0])
    expect(h.store.lastStableOffset('t', 0)).toBe(0)

    // The crash: PrepareCommit is in the log, no marker is.
    const meta = txn.describe('t1').meta!
    const txnLog = new TxnLog(h.store, 1, log)
    await txnLog.write({ ...meta, status: TxnStatus.PrepareCommit })
    await txnLog.drain()
    await txn.stop()
    await h.restart()

    const reopened = await openTxn(h)
    try {
      expect(reopened.describe('t1').meta?.status).toBe(TxnStatus.CompleteCommit)
      expect(h.store.highWatermark('t', 0)).toBe(2)
      expect(h.store.lastStableOffset('t', 0)).toBe(2)
      expect(h.store.abortedTransactions('t', 0, 0, 2)).toEqual([])
      expect(h.coordinator.fetchOffsets('g1', [{ topic: 't', partition: 0 }], true).offsets[0]).toMatchObject({ offset: 1, errorCode: 0 })
    } finally {
      await reopened.stop()
    }
  })

  it('until it has replayed __transaction_state answers COORDINATOR_LOAD_IN_PROGRESS to transactional ids, not to idempotent producers', async () => {
    const h = await startHarness()
    const txn = await openTxn(h)
    const init = await txn.initProducerId('t1', 60_000, { producerId: -1, producerEpoch: -1 })
    await txn.stop()
    await h.restart()

    const reopened = await openTxn(h, false)
    try {
      const producer = { transactionalId: 't1', producerId: init.producerId, producerEpoch: init.producerEpoch }
      expect(reopened.status).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
      expect((await reopened.initProducerId('t1', 60_000, { producerId: -1, producerEpoch: -1 })).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
      expect(await reopened.addPartitions(producer, [{ topic: 't', partition: 0 }])).toEqual([ErrorCode.COORDINATOR_LOAD_IN_PROGRESS])
      expect(await reopened.endTxn(producer, true)).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
      expect(reopened.describe('t1').errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
      expect(await reopened.initProducerId(null, 60_000, { producerId: -1, producerEpoch: -1 })).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: 0 })
      await reopened.load()
      expect(reopened.status).toBe(ErrorCode.NONE)
      expect(reopened.describe('t1')).toMatchObject({ errorCode: ErrorCode.NONE, meta: { producerId: init.producerId, producerEpoch: init.producerEpoch } })
      expect(await reopened.initProducerId('t1', 60_000, { producerId: -1, producerEpoch: -1 })).toMatchObject({ errorCode: ErrorCode.NONE, producerId: init.producerId, producerEpoch: init.producerEpoch + 1 })
    } finally {
      await reopened.stop()
    }
  })
})
