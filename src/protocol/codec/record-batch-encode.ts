// RecordBatch v2 writing. The defaults are what a non-idempotent producer sends: baseOffset 0,
// partitionLeaderEpoch −1, producerId −1, producerEpoch −1, baseSequence −1, CreateTime.
// baseTimestamp is the first record's timestamp (as in Java: later records may have negative
// deltas), maxTimestamp the largest, lastOffsetDelta the largest offset delta.

import { compress, isCompressionCodec } from './compression.js'
import { crc32c } from './crc32c.js'
import { markerKeyValue, prepareRecords, writeRecords } from './record-batch-records.js'
import {
  Attr, BATCH_HEADER_SIZE, BATCH_LENGTH_OVERHEAD, BatchField as F, CURRENT_MAGIC, TimestampType,
  type RecordInput
} from './record-batch-types.js'

export interface EncodeBatchOptions {
  records: readonly RecordInput[]
  /** Codec id 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd (default 0). */
  compression?: number
  baseOffset?: bigint
  partitionLeaderEpoch?: number
  producerId?: bigint
  producerEpoch?: number
  baseSequence?: number
  transactional?: boolean
  control?: boolean
  timestampType?: TimestampType
  /** Overrides the computed maxTimestamp; with LogAppendTime it is the broker's append time. */
  maxTimestamp?: bigint
  /** Overrides the computed lastOffsetDelta (compaction keeps it when it empties a batch). */
  lastOffsetDelta?: number
  /** The time used for records without a timestamp (default Date.now()). */
  now?: bigint
  /** Compaction's delete horizon (KIP-534): becomes the baseTimestamp, with attribute bit 6 set;
   *  record timestamps keep their values through their deltas. */
  deleteHorizonMs?: bigint
}

/** Encodes one batch, CRC included. */
export function encodeBatch (options: EncodeBatchOptions): Buffer {
  const codec = options.compression ?? 0
  if (!isCompressionCodec(codec)) throw new RangeError(`compression codec ${codec} is not one of 0-4`)
  const prepared = prepareRecords(options.records, options.now ?? BigInt(Date.now()), options.deleteHorizonMs)
  let out: Buffer
  if (codec === 0) {
    out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + prepared.size)
    writeRecords(prepared, out, BATCH_HEADER_SIZE)
  } else {
    const plain = Buffer.allocUnsafe(prepared.size)
    writeRecords(prepared, plain, 0)
    const packed = compress(codec, plain)
    out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + packed.length)
    packed.copy(out, BATCH_HEADER_SIZE)
  }
  let attributes = codec
  if (options.timestampType === TimestampType.LOG_APPEND_TIME) attributes |= Attr.LOG_APPEND_TIME
  if (options.transactional === true) attributes |= Attr.TRANSACTIONAL
  if (options.control === true) attributes |= Attr.CONTROL
  if (options.deleteHorizonMs !== undefined) attributes |= Attr.DELETE_HORIZON
  out.writeBigInt64BE(options.baseOffset ?? 0n, F.BASE_OFFSET)
  out.writeInt32BE(out.length - BATCH_LENGTH_OVERHEAD, F.BATCH_LENGTH)
  out.writeInt32BE(options.partitionLeaderEpoch ?? -1, F.PARTITION_LEADER_EPOCH)
  out.writeInt8(CURRENT_MAGIC, F.MAGIC)
  out.writeInt16BE(attributes, F.ATTRIBUTES)
  out.writeInt32BE(options.lastOffsetDelta ?? Math.max(prepared.lastOffsetDelta, 0), F.LAST_OFFSET_DELTA)
  out.writeBigInt64BE(prepared.baseTimestamp, F.BASE_TIMESTAMP)
  out.writeBigInt64BE(options.maxTimestamp ?? prepared.maxTimestamp, F.MAX_TIMESTAMP)
  out.writeBigInt64BE(options.producerId ?? -1n, F.PRODUCER_ID)
  out.writeInt16BE(options.producerEpoch ?? -1, F.PRODUCER_EPOCH)
  out.writeInt32BE(options.baseSequence ?? -1, F.BASE_SEQUENCE)
  out.writeInt32BE(options.records.length, F.RECORDS_COUNT)
  out.writeUInt32BE(crc32c(out, F.ATTRIBUTES, out.length), F.CRC)
  return out
}

export interface TxnMarkerOptions {
  /** ControlRecordType.COMMIT (1) or ControlRecordType.ABORT (0). */
  type: number
  producerId: bigint
  producerEpoch: number
  coordinatorEpoch: number
  baseOffset?: bigint
  partitionLeaderEpoch?: number
  /** When the marker was written (default Date.now()). */
  timestamp?: bigint
}

/**
 * A transaction marker batch (record-batch-format.md §5): control + transactional, uncompressed,
 * CreateTime, baseSequence −1, one record whose key is (version 0, type) and value (version 0, epoch).
 */
export function encodeTxnMarker (options: TxnMarkerOptions): Buffer {
  const { key, value } = markerKeyValue(options.type, options.coordinatorEpoch)
  const timestamp = options.timestamp ?? BigInt(Date.now())
  return encodeBatch({
    records: [{ key, value, timestamp }],
    baseOffset: options.baseOffset,
    partitionLeaderEpoch: options.partitionLeaderEpoch,
    producerId: options.producerId,
    producerEpoch: options.producerEpoch,
    baseSequence: -1,
    transactional: true,
    control: true
  })
}
