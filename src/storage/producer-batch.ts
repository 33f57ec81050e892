// The producer fields of a RecordBatch v2 header, read in place by the shard (storage does not depend
// on src/protocol; the layout is record-batch-format.md §2):
//   attributes int16 @21 (bit 4 transactional, bit 5 control) · lastOffsetDelta int32 @23
//   maxTimestamp int64 @35 · producerId int64 @43 · producerEpoch int16 @51 · baseSequence int32 @53
// A control batch's first record starts @61: length, attributes, timestampDelta, offsetDelta and
// keyLength (zigzag varints but attributes, an int8), then the key: version int16, type int16.
import { StoreError } from './native.js'

const BATCH_LENGTH_AT = 8
const ATTRIBUTES_AT = 21
const LAST_OFFSET_DELTA_AT = 23
const MAX_TIMESTAMP_AT = 35
const PRODUCER_ID_AT = 43
const PRODUCER_EPOCH_AT = 51
const BASE_SEQUENCE_AT = 53
const HEADER_BYTES = 61
const TRANSACTIONAL = 0x10
const CONTROL = 0x20

export interface ProducerBatch {
  producerId: number
  producerEpoch: number
  baseSequence: number
  lastOffsetDelta: number
  maxTimestamp: number
  transactional: boolean
  /** -1 for a data batch; else the control record type (0 ABORT, 1 COMMIT). */
  controlType: number
}

/** True when some batch of `batches` carries a producer id: the only case that needs producer state.
 *  Reads one int32 per batch (the high word of producerId is negative only for -1). */
export function hasProducer (batches: Buffer): boolean {
  for (let pos = 0; pos + HEADER_BYTES <= batches.length;) {
    if (batches.readInt32BE(pos + PRODUCER_ID_AT) >= 0) return true
    const size = batches.readInt32BE(pos + BATCH_LENGTH_AT) + 12
    if (size < HEADER_BYTES) return false // malformed: the native validation refuses it
    pos += size
  }
  return false
}

/** The only batch of `batches`, or null when there are several (or a partial header; native refuses those). */
export function singleBatch (batches: Buffer): ProducerBatch | null {
  if (batches.length < HEADER_BYTES || batches.readInt32BE(BATCH_LENGTH_AT) + 12 !== batches.length) return null
  return producerBatchAt(batches, 0)
}

export function producerBatchAt (buf: Buffer, pos: number): ProducerBatch {
  const attributes = buf.readInt16BE(pos + ATTRIBUTES_AT)
  return {
    producerId: int64At(buf, pos + PRODUCER_ID_AT),
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH_AT),
    baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE_AT),
    lastOffsetDelta: buf.readInt32BE(pos + LAST_OFFSET_DELTA_AT),
    maxTimestamp: int64At(buf, pos + MAX_TIMESTAMP_AT),
    transactional: (attributes & TRANSACTIONAL) !== 0,
    controlType: (attributes & CONTROL) !== 0 ? controlTypeAt(buf, pos + HEADER_BYTES) : -1
  }
}

/** An int64 as a number (exact below 2^53: producer ids and timestamps), without a BigInt per call. */
function int64At (buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * 4294967296 + buf.readUInt32BE(pos + 4)
}

function controlTypeAt (buf: Buffer, pos: number): number {
  const at = { pos }
  varint(buf, at) // record length
  at.pos += 1 // attributes
  varint(buf, at) // timestampDelta
  varint(buf, at) // offsetDelta
  if (varint(buf, at) < 4) throw new StoreError('CORRUPT_MESSAGE', 'control record key is shorter than 4 bytes')
  return buf.readInt16BE(at.pos + 2)
}

function varint (buf: Buffer, at: { pos: number }): number {
  let value = 0
  for (let shift = 0; shift < 35; shift += 7) {
    if (at.pos >= buf.length) throw new StoreError('CORRUPT_MESSAGE', 'control record is truncated')
    const byte = buf[at.pos++]!
    value |= (byte & 0x7f) << shift
    if ((byte & 0x80) === 0) return (value >>> 1) ^ -(value & 1)
  }
  throw new StoreError('CORRUPT_MESSAGE', 'control record varint is too long')
}
