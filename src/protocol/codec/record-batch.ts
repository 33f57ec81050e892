// RecordBatch v2 reading (record-batch-format.md §1–§5). Header layout, 61 bytes, big-endian:
//   0 baseOffset i64 | 8 batchLength i32 (bytes after this field) | 12 partitionLeaderEpoch i32 |
//   16 magic i8 (= 2) | 17 crc u32 (CRC-32C of bytes 21..end) | 21 attributes i16 |
//   23 lastOffsetDelta i32 | 27 baseTimestamp i64 | 35 maxTimestamp i64 | 43 producerId i64 |
//   51 producerEpoch i16 | 53 baseSequence i32 | 57 recordsCount i32 | 61 records (maybe compressed)
//
// Three levels of cost, for three kinds of caller:
//   batchHeader     reads the fixed header only; the broker's produce/fetch paths stop here.
//   iterateBatches  walks a Records field batch by batch, yielding header + a view (no copy).
//   decodeBatch(es) verifies the CRC, decompresses and decodes every record.

import { crc32c } from './crc32c.js'
import { CompressionError, DEFAULT_MAX_DECOMPRESSED_BYTES, codecName, decompress, isCompressionCodec } from './compression.js'
import { decodeRecords } from './record-batch-records.js'
import {
  Attr, BATCH_HEADER_SIZE, BATCH_LENGTH_OVERHEAD, BatchField as F, CURRENT_MAGIC, RecordBatchError, TimestampType,
  type BatchHeader, type RecordBatch
} from './record-batch-types.js'

export * from './record-batch-types.js'
export { encodeBatch, encodeTxnMarker, type EncodeBatchOptions, type TxnMarkerOptions } from './record-batch-encode.js'

/**
 * Reads the fixed 61-byte header of the batch at `buf[pos]` without touching the records or the CRC.
 * Throws `RecordBatchError` if fewer than 61 bytes are present, the magic is not 2, or batchLength
 * is smaller than a header; it does not check that the whole batch is present (see iterateBatches).
 */
export function batchHeader (buf: Buffer, pos = 0): BatchHeader {
  if (buf.length - pos < BATCH_HEADER_SIZE) {
    throw new RecordBatchError(`record batch at byte ${pos} is truncated: ${buf.length - pos} bytes, the header alone needs ${BATCH_HEADER_SIZE}`)
  }
  const magic = buf.readInt8(pos + F.MAGIC)
  if (magic !== CURRENT_MAGIC) {
    throw new RecordBatchError(`record batch at byte ${pos} has magic ${magic}; only magic 2 (RecordBatch v2) is supported`)
  }
  const batchLength = buf.readInt32BE(pos + F.BATCH_LENGTH)
  if (batchLength < BATCH_HEADER_SIZE - BATCH_LENGTH_OVERHEAD) {
    throw new RecordBatchError(`record batch at byte ${pos} has batchLength ${batchLength}, less than its own header`)
  }
  const attributes = buf.readInt16BE(pos + F.ATTRIBUTES)
  return {
    baseOffset: buf.readBigInt64BE(pos + F.BASE_OFFSET),
    batchLength,
    size: batchLength + BATCH_LENGTH_OVERHEAD,
    partitionLeaderEpoch: buf.readInt32BE(pos + F.PARTITION_LEADER_EPOCH),
    magic,
    crc: buf.readUInt32BE(pos + F.CRC),
    attributes,
    compression: attributes & Attr.COMPRESSION_MASK,
    timestampType: (attributes & Attr.LOG_APPEND_TIME) !== 0 ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME,
    transactional: (attributes & Attr.TRANSACTIONAL) !== 0,
    control: (attributes & Attr.CONTROL) !== 0,
    hasDeleteHorizon: (attributes & Attr.DELETE_HORIZON) !== 0,
    lastOffsetDelta: buf.readInt32BE(pos + F.LAST_OFFSET_DELTA),
    baseTimestamp: buf.readBigInt64BE(pos + F.BASE_TIMESTAMP),
    maxTimestamp: buf.readBigInt64BE(pos + F.MAX_TIMESTAMP),
    producerId: buf.readBigInt64BE(pos + F.PRODUCER_ID),
    producerEpoch: buf.readInt16BE(pos + F.PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(pos + F.BASE_SEQUENCE),
    recordsCount: buf.readInt32BE(pos + F.RECORDS_COUNT)
  }
}

/** One batch of a Records field: its header, where it starts, and a view of its bytes (not a copy). */
export interface BatchView {
  header: BatchHeader
  position: number
  bytes: Buffer
}

export interface IterateOptions {
  /**
   * Stop quietly at a batch that is cut off at the end of the buffer instead of throwing. Fetch
   * responses may end with a partial batch when max_bytes cuts it; produce requests never may.
   */
  allowTruncatedTail?: boolean
}

/** Walks the batches of a Records field. Throws `RecordBatchError` on a malformed or truncated batch. */
export function * iterateBatches (buf: Buffer, options: IterateOptions = {}): Generator<BatchView> {
  let pos = 0
  while (pos < buf.length) {
    const left = buf.length - pos
    // A partial tail may be too short to even hold the length field or the magic byte.
    if (options.allowTruncatedTail === true && left < BATCH_HEADER_SIZE) {
      if (left < BATCH_LENGTH_OVERHEAD || buf.readInt32BE(pos + F.BATCH_LENGTH) + BATCH_LENGTH_OVERHEAD > left) return
    }
    const header = batchHeader(buf, pos)
    if (header.size > left) {
      if (options.allowTruncatedTail === true) return
      throw new RecordBatchError(`record batch at byte ${pos} is truncated: batchLength says ${header.size} bytes, ${left} present`)
    }
    yield { header, position: pos, bytes: buf.subarray(pos, pos + header.size) }
    pos += header.size
  }
}

/** The CRC-32C the batch at `batch[0]` should carry (over attributes..end), for `batch` = exactly one batch. */
export function computeBatchCrc (batch: Buffer): number {
  return crc32c(batch, F.ATTRIBUTES, batch.length)
}

export function verifyBatchCrc (batch: Buffer, header: BatchHeader = batchHeader(batch)): void {
  const actual = computeBatchCrc(batch.subarray(0, header.size))
  if (actual !== header.crc) {
    throw new RecordBatchError(
      `record batch at offset ${header.baseOffset} failed its CRC check: stored 0x${hex32(header.crc)}, computed 0x${hex32(actual)} (corrupt data)`
    )
  }
}

function hex32 (n: number): string {
  return n.toString(16).padStart(8, '0')
}

export interface DecodeOptions extends IterateOptions {
  /** Check each batch's CRC-32C before decoding (default true). */
  verifyCrc?: boolean
  /** Limit for a compressed batch's records once decompressed (default 128 MiB). */
  maxDecompressedBytes?: number
}

/** Decodes the single batch that starts at `bytes[0]` (trailing bytes after it are ignored). */
export function decodeBatch (bytes: Buffer, options: DecodeOptions = {}): RecordBatch {
  const header = batchHeader(bytes)
  if (header.size > bytes.length) {
    throw new RecordBatchError(`record batch at offset ${header.baseOffset} is truncated: batchLength says ${header.size} bytes, ${bytes.length} present`)
  }
  if (options.verifyCrc !== false) verifyBatchCrc(bytes, header)
  if (header.recordsCount < 0) {
    throw new RecordBatchError(`record batch at offset ${header.baseOffset} has a negative record count ${header.recordsCount}`)
  }
  if (!isCompressionCodec(header.compression)) {
    throw new RecordBatchError(`record batch at offset ${header.baseOffset} uses ${codecName(header.compression)}; attribute bits 0-2 allow 0-4`)
  }
  const end = header.size
  if (header.compression === 0) return { ...header, records: decodeRecords(header, bytes, BATCH_HEADER_SIZE, end) }
  let plain: Buffer
  try {
    plain = decompress(header.compression, bytes.subarray(BATCH_HEADER_SIZE, end), options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES)
  } catch (err) {
    if (!(err instanceof CompressionError)) throw err
    throw new RecordBatchError(`record batch at offset ${header.baseOffset}: ${err.message}`, { cause: err })
  }
  return { ...header, records: decodeRecords(header, plain, 0, plain.length) }
}

/** Decodes every batch of a Records field (a produce request's or fetch response's `records`). */
export function decodeBatches (buf: Buffer, options: DecodeOptions = {}): RecordBatch[] {
  const batches: RecordBatch[] = []
  for (const view of iterateBatches(buf, options)) batches.push(decodeBatch(view.bytes, options))
  return batches
}
