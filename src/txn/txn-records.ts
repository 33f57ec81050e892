// The records of __transaction_state, in Kafka's layout (apache/kafka transaction-coordinator
// TransactionLogKey.json / TransactionLogValue.json), so Kafka's tools could read our topic:
//
//   key   = int16 version (0), then { transactionalId: string }
//   value = int16 version (0; 1 is flexible and adds tagged fields we do not write), then
//           { producerId: int64, producerEpoch: int16, transactionTimeoutMs: int32,
//             transactionStatus: int8, transactionPartitions: [{ topic, partitionIds: [int32] }] (nullable),
//             transactionLastUpdateTimestampMs: int64, transactionStartTimestampMs: int64 }
//   null value = tombstone (the transactional id expired)
// Status bytes are Kafka's TransactionState ids (txn-state.ts).
import { decoderFor, encoderFor } from '../protocol/codec/schema-codec.js'
import { Reader, Writer } from '../protocol/index.js'
import type { RecordInput } from '../protocol/codec/record-batch.js'
import type { MessageSpec } from '../protocol/schema/spec-types.js'

const ALL = [0, 0x7fff] as const
const NONE = [0, -1] as const
const VALUE_VERSION = 0

const txnKey: MessageSpec = {
  name: 'TransactionLogKey', apiKey: -1, valid: [0, 0], flexible: NONE, fields: [
    { name: 'transactionalId', type: 'string', versions: ALL }
  ]
}

const txnValue: MessageSpec = {
  name: 'TransactionLogValue', apiKey: -1, valid: [0, 1], flexible: [1, 0x7fff], fields: [
    { name: 'producerId', type: 'int64', versions: ALL },
    { name: 'producerEpoch', type: 'int16', versions: ALL },
    { name: 'transactionTimeoutMs', type: 'int32', versions: ALL },
    { name: 'transactionStatus', type: 'int8', versions: ALL },
    {
      name: 'transactionPartitions', type: 'struct', array: true, versions: ALL, nullable: ALL, fields: [
        { name: 'topic', type: 'string', versions: ALL },
        { name: 'partitionIds', type: 'int32', array: true, versions: ALL }
      ]
    },
    { name: 'transactionLastUpdateTimestampMs', type: 'int64', versions: ALL },
    { name: 'transactionStartTimestampMs', type: 'int64', versions: ALL }
  ]
}

export interface TxnLogValue {
  producerId: number
  producerEpoch: number
  transactionTimeoutMs: number
  transactionStatus: number
  transactionPartitions: Array<{ topic: string, partitionIds: number[] }> | null
  transactionLastUpdateTimestampMs: number
  transactionStartTimestampMs: number
}

function encode (spec: MessageSpec, version: number, message: object): Buffer {
  const w = new Writer({ initialSize: 64 })
  w.int16(version)
  encoderFor<object>(spec, version)(w, message)
  const chunks = w.finish()
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
}

export function txnRecord (transactionalId: string, value: TxnLogValue | null): RecordInput {
  return {
    key: encode(txnKey, 0, { transactionalId }),
    value: value === null ? null : encode(txnValue, VALUE_VERSION, value)
  }
}

/** Throws ProtocolError on bytes that do not fit the layout. */
export function decodeTxnRecord (key: Buffer, value: Buffer | null): { transactionalId: string, value: TxnLogValue | null } {
  const r = new Reader(key)
  const keyVersion = r.int16()
  const { transactionalId } = decoderFor<{ transactionalId: string }>(txnKey, Math.min(keyVersion, 0))(r)
  if (value === null) return { transactionalId, value: null }
  const v = new Reader(value)
  const version = v.int16()
  return { transactionalId, value: decoderFor<TxnLogValue>(txnValue, Math.min(version, txnValue.valid[1]))(v) }
}
