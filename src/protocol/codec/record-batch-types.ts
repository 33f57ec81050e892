// The shapes of RecordBatch v2 (record-batch-format.md): header fields, records, control records.
// int64 fields are bigint: offsets, timestamps and producer ids are int64 on the wire, and clients
// may send any int64 timestamp. Records are decoded only off the hot path (gateway, compaction,
// console), so exactness wins over the cost of bigint there.

/** Header layout: byte offsets of the fields, all big-endian. */
export const BatchField = {
  BASE_OFFSET: 0,
  BATCH_LENGTH: 8,
  PARTITION_LEADER_EPOCH: 12,
  MAGIC: 16,
  CRC: 17,
  ATTRIBUTES: 21,
  LAST_OFFSET_DELTA: 23,
  BASE_TIMESTAMP: 27,
  MAX_TIMESTAMP: 35,
  PRODUCER_ID: 43,
  PRODUCER_EPOCH: 51,
  BASE_SEQUENCE: 53,
  RECORDS_COUNT: 57
} as const

export const BATCH_HEADER_SIZE = 61
/** baseOffset + batchLength: the bytes that batchLength does not count. */
export const BATCH_LENGTH_OVERHEAD = 12
export const CURRENT_MAGIC = 2

/** Attribute bits (record-batch-format.md §2). */
export const Attr = {
  COMPRESSION_MASK: 0x07,
  LOG_APPEND_TIME: 0x08,
  TRANSACTIONAL: 0x10,
  CONTROL: 0x20,
  DELETE_HORIZON: 0x40
} as const

export const TimestampType = { CREATE_TIME: 0, LOG_APPEND_TIME: 1 } as const
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType]

/** Control record types (the `type` int16 of a control record's key). 2–6 are KRaft-internal. */
export const ControlRecordType = { ABORT: 0, COMMIT: 1 } as const

/** Kafka error CORRUPT_MESSAGE, the code a broker answers for a batch that fails these checks. */
export const CORRUPT_MESSAGE = 2

/** A batch whose bytes are not a valid RecordBatch v2: truncated, bad CRC, bad varint, bad counts. */
export class RecordBatchError extends Error {
  override readonly name = 'RecordBatchError'
  readonly errorCode = CORRUPT_MESSAGE
}

export interface BatchHeader {
  baseOffset: bigint
  /** Bytes after the batchLength field; the batch occupies `batchLength + 12` bytes. */
  batchLength: number
  /** Total bytes of the batch, header included. */
  size: number
  partitionLeaderEpoch: number
  magic: number
  /** The stored CRC-32C, unsigned. */
  crc: number
  attributes: number
  /** Codec id from attributes bits 0–2 (0 none … 4 zstd; 5–7 are invalid and fail on decode). */
  compression: number
  timestampType: TimestampType
  transactional: boolean
  control: boolean
  /** Attribute bit 6: baseTimestamp holds the compaction delete horizon (KIP-534). */
  hasDeleteHorizon: boolean
  lastOffsetDelta: number
  baseTimestamp: bigint
  maxTimestamp: bigint
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  recordsCount: number
}

export interface RecordHeader {
  key: string
  value: Buffer | null
}

/** The decoded key of a control record, with the marker value for ABORT/COMMIT. */
export interface ControlRecord {
  version: number
  type: number
  /** Transaction markers (ABORT/COMMIT) only; null for the KRaft-internal types. */
  coordinatorEpoch: number | null
}

/**
 * A decoded record. `key`, `value` and header values are views into the batch bytes (or into the
 * decompressed blob), not copies: copy them if the source buffer will be reused.
 */
export interface Record {
  offset: bigint
  offsetDelta: number
  timestamp: bigint
  attributes: number
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
  /** Present on the records of a control batch. */
  control?: ControlRecord
}

export interface RecordBatch extends BatchHeader {
  records: Record[]
}

/** One record to encode. */
export interface RecordInput {
  key?: Buffer | null
  value: Buffer | null
  headers?: readonly RecordHeader[]
  /** Milliseconds since the epoch; defaults to the time of encoding. */
  timestamp?: bigint | number
  /** Defaults to the record's index; compacted batches keep their original (gapped) deltas. */
  offsetDelta?: number
}
