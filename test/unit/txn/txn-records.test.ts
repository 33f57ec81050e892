// __transaction_state records round-trip in Kafka's layout, tombstones included.
import { describe, expect, it } from 'vitest'
import { decodeTxnRecord, txnRecord, type TxnLogValue } from '../../../src/txn/txn-records.js'

describe('transaction log records', () => {
  it('decode what they encode, with the key version 0 and value version 0 prefixes Kafka writes', () => {
    const value: TxnLogValue = {
      producerId: 4242, producerEpoch: 3, transactionTimeoutMs: 60_000, transactionStatus: 1,
      transactionPartitions: [{ topic: 'out', partitionIds: [0, 2] }, { topic: '__consumer_offsets', partitionIds: [17] }],
      transactionLastUpdateTimestampMs: 1_700_000_000_123, transactionStartTimestampMs: 1_700_000_000_000
    }
    const record = txnRecord('my-txn', value)
    expect(record.key!.readInt16BE(0)).toBe(0)
    expect(record.value!.readInt16BE(0)).toBe(0)
    expect(decodeTxnRecord(record.key!, record.value!)).toEqual({ transactionalId: 'my-txn', value })
  })

  it('a tombstone decodes to a null value', () => {
    const record = txnRecord('gone', null)
    expect(decodeTxnRecord(record.key!, null)).toEqual({ transactionalId: 'gone', value: null })
  })
})
