// The e2e Kafka consumer's walk over fetched batches: where each record's value starts, without
// decoding records into objects. decodeBatches made ~3 KB of garbage per 1 KB record (a record
// object, key and value views, headers, BigInt timestamps), and the load generator's scavenges then
// paused its receipts for ~10 ms (median, loaded 2-core machine) 1.4 times a second: more than 1%
// of the records waited on the bench, not the broker. Compressed batches (the e2e run sends none) are
// decoded as before.
import { batchCompressionAt, batchSizeAt } from '../../src/protocol/codec/batch-peek.js'
import { decodeBatch } from '../../src/protocol/codec/record-batch.js'
import { BATCH_HEADER_SIZE, BatchField, RecordBatchError } from '../../src/protocol/codec/record-batch-types.js'
import { RecordCursor } from '../../src/protocol/codec/record-batch-varint.js'

/** A record's value: `buf[at, at + length)`. */
export type ValueVisitor = (buf: Buffer, at: number, length: number) => void

const corrupt = (message: string): Error => new RecordBatchError(message)

/** Visits the value of every record of the whole batches in `records` (a truncated last batch is left
 *  for the next fetch); returns the offset after the last whole batch, or -1 when there is none. */
export function eachValue (records: Buffer, visit: ValueVisitor): number {
  let next = -1
  for (let pos = 0; pos < records.length;) {
    const size = batchSizeAt(records, pos)
    if (size < BATCH_HEADER_SIZE || pos + size > records.length) break
    if (batchCompressionAt(records, pos) !== 0) {
      for (const r of decodeBatch(records.subarray(pos, pos + size)).records) if (r.value !== null) visit(r.value, 0, r.value.length)
    } else {
      visitRecords(records, pos, size, visit)
    }
    next = Number(records.readBigInt64BE(pos + BatchField.BASE_OFFSET)) + records.readInt32BE(pos + BatchField.LAST_OFFSET_DELTA) + 1
    pos += size
  }
  return next
}

/** Record: length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
 *  keyLength varint | key | valueLength varint | value | headers (record-batch-records.ts). */
function visitRecords (buf: Buffer, pos: number, size: number, visit: ValueVisitor): void {
  const cursor = new RecordCursor(buf, pos + BATCH_HEADER_SIZE, pos + size, corrupt)
  const count = buf.readInt32BE(pos + BatchField.RECORDS_COUNT)
  for (let i = 0; i < count; i++) {
    const length = cursor.varint()
    const end = cursor.pos + length
    cursor.int8()
    cursor.varlong()
    cursor.varint()
    const keyLength = cursor.varint()
    if (keyLength > 0) cursor.pos += keyLength
    const valueLength = cursor.varint()
    if (valueLength >= 0) visit(buf, cursor.pos, valueLength)
    cursor.pos = end
  }
}
