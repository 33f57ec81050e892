// Idempotence and transactions on the wire, with our own protocol encoders over raw sockets, for what
// clients hide (issue #5): the exact error codes of sequence and epoch checks, duplicate answers with
// the original offset, producer ids that survive a restart, pending transactional offsets
// (UNSTABLE_OFFSET_COMMIT under requireStable), the batched AddPartitionsToTxn v4 layout, and the
// operator APIs DescribeTransactions, ListTransactions and DescribeProducers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  decodeAddOffsetsToTxnResponse, decodeAddPartitionsToTxnResponse, decodeDescribeProducersResponse, decodeDescribeTransactionsResponse,
  decodeEndTxnResponse, decodeInitProducerIdResponse, decodeListTransactionsResponse, decodeMetadataResponse, decodeOffsetFetchResponse,
  decodeProduceResponse, decodeTxnOffsetCommitResponse, encodeAddOffsetsToTxnRequest, encodeAddPartitionsToTxnRequest,
  encodeDescribeProducersRequest, encodeDescribeTransactionsRequest, encodeEndTxnRequest, encodeInitProducerIdRequest,
  encodeListTransactionsRequest, encodeMetadataRequest, encodeOffsetFetchRequest, encodeProduceRequest, encodeTxnOffsetCommitRequest,
  ErrorCode
} from '../../src/protocol/index.js'
import { encodeBatch } from '../../src/protocol/codec/record-batch.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { api, WireClient as Client } from '../helpers/wire-client.js'

const Produce = api(0, encodeProduceRequest, decodeProduceResponse)
const Metadata = api(3, encodeMetadataRequest, decodeMetadataResponse)
const OffsetFetch = api(9, encodeOffsetFetchRequest, decodeOffsetFetchResponse)
const InitProducerId = api(22, encodeInitProducerIdRequest, decodeInitProducerIdResponse)
const AddPartitionsToTxn = api(24, encodeAddPartitionsToTxnRequest, decodeAddPartitionsToTxnResponse)
const AddOffsetsToTxn = api(25, encodeAddOffsetsToTxnRequest, decodeAddOffsetsToTxnResponse)
const EndTxn = api(26, encodeEndTxnRequest, decodeEndTxnResponse)
const TxnOffsetCommit = api(28, encodeTxnOffsetCommitRequest, decodeTxnOffsetCommitResponse)
const DescribeProducers = api(61, encodeDescribeProducersRequest, decodeDescribeProducersResponse)
const DescribeTransactions = api(65, encodeDescribeTransactionsRequest, decodeDescribeTransactionsResponse)
const ListTransactions = api(66, encodeListTransactionsRequest, decodeListTransactionsResponse)


let broker: RunningBroker
let c: Client

beforeAll(async () => {
  broker = await startBroker({ settings: { 'auto.create.topics.enable': true, 'num.partitions': 1 } })
  c = await Client.open(broker, 'sluice-txn-wire')
})

afterAll(async () => {
  c?.close()
  await broker?.stop()
})

async function topic (name: string): Promise<void> {
  await c.call(Metadata, 4, { topics: [{ name }], allowAutoTopicCreation: true })
}

function idempotentBatch (producerId: number, producerEpoch: number, baseSequence: number, records = 1, transactional = false): Buffer {
  return encodeBatch({
    records: Array.from({ length: records }, (_, i) => ({ key: null, value: Buffer.from(`r${baseSequence + i}`) })),
    producerId: BigInt(producerId), producerEpoch, baseSequence, transactional
  })
}

async function produce (name: string, records: Buffer, transactionalId: string | null = null): Promise<{ errorCode: number, baseOffset: number }> {
  const res = await c.call(Produce, 8, { transactionalId, acks: -1, timeoutMs: 5000, topicData: [{ name, partitionData: [{ index: 0, records }] }] })
  const p = res.responses[0]!.partitionResponses[0]!
  return { errorCode: p.errorCode, baseOffset: p.baseOffset }
}

describe('idempotent produce on the wire', () => {
  it('answers a retried batch with its original offset, a gap with OUT_OF_ORDER_SEQUENCE_NUMBER and an old epoch with INVALID_PRODUCER_EPOCH', async () => {
    await topic('wire-idem')
    const { producerId, producerEpoch, errorCode } = await c.call(InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: -1, producerId: -1, producerEpoch: -1 })
    expect(errorCode).toBe(ErrorCode.NONE)
    expect(producerEpoch).toBe(0)
    expect(await produce('wire-idem', idempotentBatch(producerId, 0, 0, 3))).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 0 })
    expect(await produce('wire-idem', idempotentBatch(producerId, 0, 3, 2))).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 3 })
    expect(await produce('wire-idem', idempotentBatch(producerId, 0, 0, 3))).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 0 })
    expect((await produce('wire-idem', idempotentBatch(producerId, 0, 9))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    expect((await produce('wire-idem', idempotentBatch(producerId, 1, 0))).baseOffset).toBe(5)
    expect((await produce('wire-idem', idempotentBatch(producerId, 0, 5))).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)

    const described = await c.call(DescribeProducers, 0, { topics: [{ name: 'wire-idem', partitionIndexes: [0] }] })
    const active = described.topics[0]!.partitions[0]!.activeProducers
    expect(active).toEqual([expect.objectContaining({ producerId, producerEpoch: 1, lastSequence: 0, currentTxnStartOffset: -1 })])
  })

  it('never hands out a producer id twice, also after a restart', async () => {
    const ids: number[] = []
    for (let i = 0; i < 3; i++) ids.push((await c.call(InitProducerId, 0, { transactionalId: null, transactionTimeoutMs: -1 })).producerId)
    expect(new Set(ids).size).toBe(3)
    c.close()
    await broker.restart()
    c = await Client.open(broker, 'sluice-txn-wire')
    const after = (await c.call(InitProducerId, 0, { transactionalId: null, transactionTimeoutMs: -1 })).producerId
    expect(after).toBeGreaterThan(Math.max(...ids))
  })
})

describe('transactions on the wire', () => {
  it('refuses a transaction timeout above transaction.max.timeout.ms', async () => {
    const res = await c.call(InitProducerId, 4, { transactionalId: 'too-long', transactionTimeoutMs: 900_001, producerId: -1, producerEpoch: -1 })
    expect(res.errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT)
  })

  it('holds transactional offsets as unstable until EndTxn commits them, and shows the transaction to operators', async () => {
    await topic('wire-txn')
    const init = await c.call(InitProducerId, 4, { transactionalId: 'wire-t1', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 })
    const producer = { transactionalId: 'wire-t1', producerId: init.producerId, producerEpoch: init.producerEpoch }
    const added = await c.call(AddPartitionsToTxn, 3, {
      v3AndBelowTransactionalId: 'wire-t1', v3AndBelowProducerId: init.producerId, v3AndBelowProducerEpoch: init.producerEpoch,
      v3AndBelowTopics: [{ name: 'wire-txn', partitions: [0] }, { name: 'no-such-topic', partitions: [0] }]
    })
    expect(added.resultsByTopicV3AndBelow.map(t => t.resultsByPartition[0]!.partitionErrorCode)).toEqual([ErrorCode.OPERATION_NOT_ATTEMPTED, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION])
    const batched = await c.call(AddPartitionsToTxn, 4, {
      transactions: [{ ...producer, verifyOnly: false, topics: [{ name: 'wire-txn', partitions: [0] }] }]
    })
    expect(batched.resultsByTransaction[0]!.topicResults[0]!.resultsByPartition[0]!.partitionErrorCode).toBe(ErrorCode.NONE)
    expect((await produce('wire-txn', idempotentBatch(init.producerId, init.producerEpoch, 0, 2, true), 'wire-t1')).errorCode).toBe(ErrorCode.NONE)
    expect((await c.call(AddOffsetsToTxn, 3, { ...producer, groupId: 'wire-group' })).errorCode).toBe(ErrorCode.NONE)
    const committed = await c.call(TxnOffsetCommit, 3, {
      ...producer, groupId: 'wire-group', generationId: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: 'wire-txn', partitions: [{ partitionIndex: 0, committedOffset: 2, committedLeaderEpoch: -1, committedMetadata: null }] }]
    })
    expect(committed.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE)

    const fetchOffset = async (requireStable: boolean): Promise<{ errorCode: number, committedOffset: number }> => {
      const res = await c.call(OffsetFetch, 7, { groupId: 'wire-group', topics: [{ name: 'wire-txn', partitionIndexes: [0] }], requireStable })
      const p = res.topics[0]!.partitions[0]!
      return { errorCode: p.errorCode, committedOffset: p.committedOffset }
    }
    expect(await fetchOffset(true)).toEqual({ errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT, committedOffset: -1 })
    expect(await fetchOffset(false)).toEqual({ errorCode: ErrorCode.NONE, committedOffset: -1 })

    const described = await c.call(DescribeTransactions, 0, { transactionalIds: ['wire-t1', 'never-used'] })
    expect(described.transactionStates[0]).toMatchObject({ errorCode: 0, transactionState: 'Ongoing', producerId: init.producerId, transactionTimeoutMs: 60_000 })
    expect(described.transactionStates[0]!.topics.map(t => t.topic).sort()).toEqual(['__consumer_offsets', 'wire-txn'])
    expect(described.transactionStates[1]!.errorCode).toBe(105) // TRANSACTIONAL_ID_NOT_FOUND
    const listed = await c.call(ListTransactions, 1, { stateFilters: ['Ongoing', 'Bogus'], producerIdFilters: [], durationFilter: -1 })
    expect(listed.unknownStateFilters).toEqual(['Bogus'])
    expect(listed.transactionStates).toContainEqual({ transactionalId: 'wire-t1', producerId: init.producerId, transactionState: 'Ongoing' })

    expect((await c.call(EndTxn, 3, { ...producer, committed: true })).errorCode).toBe(ErrorCode.NONE)
    expect(await fetchOffset(true)).toEqual({ errorCode: ErrorCode.NONE, committedOffset: 2 })
    const verify = await c.call(AddPartitionsToTxn, 4, {
      transactions: [{ ...producer, verifyOnly: true, topics: [{ name: 'wire-txn', partitions: [0] }] }]
    })
    expect(verify.resultsByTransaction[0]!.topicResults[0]!.resultsByPartition[0]!.partitionErrorCode).toBe(ErrorCode.INVALID_TXN_STATE)
  })

  it('fences an older epoch: PRODUCER_FENCED from EndTxn v2, INVALID_PRODUCER_EPOCH before', async () => {
    const first = await c.call(InitProducerId, 4, { transactionalId: 'wire-fence', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 })
    const second = await c.call(InitProducerId, 4, { transactionalId: 'wire-fence', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 })
    expect(second.producerId).toBe(first.producerId)
    expect(second.producerEpoch).toBe(first.producerEpoch + 1)
    const stale = { transactionalId: 'wire-fence', producerId: first.producerId, producerEpoch: first.producerEpoch, committed: true }
    expect((await c.call(EndTxn, 3, stale)).errorCode).toBe(ErrorCode.PRODUCER_FENCED)
    expect((await c.call(EndTxn, 1, stale)).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)
    // KIP-360: the current holder may bump its own epoch; a retry of that bump (the previous epoch)
    // gets the same answer; an epoch older than both is fenced.
    const bumped = await c.call(InitProducerId, 4, { transactionalId: 'wire-fence', transactionTimeoutMs: 60_000, producerId: second.producerId, producerEpoch: second.producerEpoch })
    expect(bumped).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: second.producerEpoch + 1 })
    const retried = await c.call(InitProducerId, 4, { transactionalId: 'wire-fence', transactionTimeoutMs: 60_000, producerId: second.producerId, producerEpoch: second.producerEpoch })
    expect(retried).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: bumped.producerEpoch })
    const older = await c.call(InitProducerId, 4, { transactionalId: 'wire-fence', transactionTimeoutMs: 60_000, producerId: first.producerId, producerEpoch: first.producerEpoch })
    expect(older.errorCode).toBe(ErrorCode.PRODUCER_FENCED)
    const olderV3 = await c.call(InitProducerId, 3, { transactionalId: 'wire-fence', transactionTimeoutMs: 60_000, producerId: first.producerId, producerEpoch: first.producerEpoch })
    expect(olderV3.errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)
  })
})
