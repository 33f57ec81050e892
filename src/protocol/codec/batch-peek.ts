// Allocation-free peeks at RecordBatch headers for the produce and fetch paths, which must not decode
// records (record-batch.ts decodes; these read three fixed fields). Layout: record-batch.ts header.
const BATCH_LENGTH_AT = 8
const ATTRIBUTES_AT = 21
const LENGTH_OVERHEAD = 12
const HEADER_BYTES = 61
const COMPRESSION_MASK = 0x07
const RECORDS_COUNT_AT = 57

/** Total size of the batch at `pos` (batchLength + 12), or -1 when its header is not all there. */
export function batchSizeAt (buf: Buffer, pos: number): number {
  if (buf.length - pos < HEADER_BYTES) return -1
  return buf.readInt32BE(pos + BATCH_LENGTH_AT) + LENGTH_OVERHEAD
}

export function batchCompressionAt (buf: Buffer, pos: number): number {
  return buf.readInt16BE(pos + ATTRIBUTES_AT) & COMPRESSION_MASK
}

/** The records in the batches of `buf` whose headers are present (traffic metrics, per request). */
export function recordsIn (buf: Buffer): number {
  let count = 0
  for (let pos = 0; pos < buf.length;) {
    const size = batchSizeAt(buf, pos)
    if (size < HEADER_BYTES) break
    count += buf.readInt32BE(pos + RECORDS_COUNT_AT)
    pos += size
  }
  return count
}

/** Calls `visit(pos, size)` for each batch whose header is present; stops at the first that is not. */
export function forEachBatch (buf: Buffer, visit: (pos: number, size: number) => void): void {
  for (let pos = 0; pos < buf.length;) {
    const size = batchSizeAt(buf, pos)
    if (size < HEADER_BYTES) return
    visit(pos, size)
    pos += size
  }
}

/** The bytes in `chunks` together (a read's views, an answer's chunks). */
export function byteLength (chunks: readonly Buffer[]): number {
  let bytes = 0
  for (const chunk of chunks) bytes += chunk.length
  return bytes
}

/** The longest prefix of `views` (whole batches, back to back) that fits in `maxBytes`. */
export function wholeBatchesWithin (views: readonly Buffer[], maxBytes: number): Buffer[] {
  const out: Buffer[] = []
  let room = maxBytes
  for (const view of views) {
    let end = 0
    while (end < view.length) {
      const size = batchSizeAt(view, end)
      if (size < HEADER_BYTES || size > room) break
      room -= size
      end += size
    }
    if (end > 0) out.push(end === view.length ? view : view.subarray(0, end))
    if (end < view.length) break
  }
  return out
}
