// Rebuilds a partition's producer state and aborted-transaction list when the shard opens it, so
// sequence checks, the last stable offset and read_committed survive a restart.
//
// After a clean close the shard left a snapshot (`producer-state.snapshot`, JSON: the log end offset it
// was taken at, the ProducerState and the aborted transactions); open loads it and replays only the
// batches after it. Without one (first open, crash) every batch header from the log start is read: none
// of the records, only a control batch's first record key, for the marker type. The snapshot is deleted
// once loaded, so a later crash never pairs a stale snapshot with a log that changed below its offset
// (a truncation); one whose offset lies outside the log is ignored. It is not fsynced: a snapshot lost
// or torn by a machine crash only means a full replay, so a clean close pays no fsync per partition.
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { NativeLog } from './native.js'
import { producerBatchAt } from './producer-batch.js'
import { ProducerState, type AbortedTxn, type ProducerSnapshot } from './producer-state.js'

const READ_BYTES = 4 << 20
const LENGTH_OVERHEAD = 12
const HEADER_BYTES = 61
const LAST_OFFSET_DELTA_AT = 23
const PRODUCER_ID_AT = 43
const SNAPSHOT_FILE = 'producer-state.snapshot'
const SNAPSHOT_VERSION = 1

export interface ReplayedLog { producers: ProducerState; aborted: AbortedTxn[] }

interface SnapshotFile extends ProducerSnapshot { version: number; offset: number; aborted: AbortedTxn[] }

export function replayProducers (log: NativeLog, dir: string): ReplayedLog {
  const snapshot = takeSnapshot(dir, log)
  const producers = snapshot === null ? new ProducerState() : ProducerState.restore(snapshot)
  const aborted = snapshot?.aborted ?? []
  const end = log.highWatermark()
  let offset = snapshot?.offset ?? log.logStartOffset()
  while (offset < end) {
    const views = log.read(offset, READ_BYTES)
    if (views.length === 0) break
    for (const view of views) {
      for (let pos = 0; pos + HEADER_BYTES <= view.length;) {
        const baseOffset = Number(view.readBigInt64BE(pos))
        const lastOffset = baseOffset + view.readInt32BE(pos + LAST_OFFSET_DELTA_AT)
        if (view.readInt32BE(pos + PRODUCER_ID_AT) >= 0 && lastOffset >= offset) {
          const batch = producerBatchAt(view, pos)
          const closed = producers.record(batch, { baseOffset, lastOffset, logAppendTimeMs: -1 }, batch.maxTimestamp)
          if (closed !== null) aborted.push(closed)
        }
        offset = Math.max(offset, lastOffset + 1)
        pos += view.readInt32BE(pos + 8) + LENGTH_OVERHEAD
      }
    }
  }
  return { producers, aborted }
}

/** Written at a clean close, after the last append: the state as of the log end. */
export function writeSnapshot (dir: string, log: NativeLog, producers: ProducerState, aborted: readonly AbortedTxn[]): void {
  const logStart = log.logStartOffset()
  const file: SnapshotFile = { version: SNAPSHOT_VERSION, offset: log.highWatermark(), ...producers.snapshot(), aborted: aborted.filter(a => a.lastOffset >= logStart) }
  const path = join(dir, SNAPSHOT_FILE)
  writeFileSync(`${path}.tmp`, JSON.stringify(file))
  renameSync(`${path}.tmp`, path)
}

function takeSnapshot (dir: string, log: NativeLog): SnapshotFile | null {
  const path = join(dir, SNAPSHOT_FILE)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  unlinkSync(path) // just read; rmSync would load Node's rimraf into each shard thread at its first open
  let file: SnapshotFile
  try {
    file = JSON.parse(text) as SnapshotFile
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error
    return null // torn by a crash right after the close: replay the whole log instead
  }
  const usable = file.version === SNAPSHOT_VERSION && file.offset >= log.logStartOffset() && file.offset <= log.highWatermark()
  return usable ? file : null
}
