// Rebuilds a partition's producer state and aborted-transaction list from its log when the shard opens
// it: every batch header from the log start to the high watermark, none of the records (only a
// control batch's first record key, for the marker type). This is what makes sequence checks, the last
// stable offset and read_committed survive a restart; a log of N batches costs N header reads.
import type { NativeLog } from './native.js'
import { producerBatchAt } from './producer-batch.js'
import { ProducerState, type AbortedTxn } from './producer-state.js'

const READ_BYTES = 4 << 20
const LENGTH_OVERHEAD = 12
const HEADER_BYTES = 61
const PRODUCER_ID_AT = 43

export interface ReplayedLog { producers: ProducerState; aborted: AbortedTxn[] }

export function replayProducers (log: NativeLog): ReplayedLog {
  const producers = new ProducerState()
  const aborted: AbortedTxn[] = []
  const end = log.highWatermark()
  let offset = log.logStartOffset()
  while (offset < end) {
    const views = log.read(offset, READ_BYTES)
    if (views.length === 0) break
    for (const view of views) {
      for (let pos = 0; pos + HEADER_BYTES <= view.length;) {
        const baseOffset = Number(view.readBigInt64BE(pos))
        const lastOffset = baseOffset + view.readInt32BE(pos + 23)
        if (view.readInt32BE(pos + PRODUCER_ID_AT) >= 0) {
          const batch = producerBatchAt(view, pos)
          const closed = producers.record(batch, { baseOffset, lastOffset, logAppendTimeMs: -1 }, batch.maxTimestamp)
          if (closed !== null) aborted.push(closed)
        }
        offset = lastOffset + 1
        pos += view.readInt32BE(pos + 8) + LENGTH_OVERHEAD
      }
    }
  }
  return { producers, aborted }
}
