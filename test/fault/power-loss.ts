// What a power loss would leave of a data directory whose broker ran with SLUICE_FAULT_RECORD_SYNC
// (native/log/log.cc): each partition's `.synced` names the active segment and how much of it the last
// fsync covered. Everything after that point is unsynced and is cut:
//   'lost': the unsynced tail is gone (segments created after the sync too);
//   'torn': the same, but the first unsynced batch survives half written, as a write the power cut
//           short, which recovery must detect by its length and CRC and cut.
// A partition never flushed loses all its data. Call only while the broker is down (after SIGKILL).
import { existsSync, openSync, closeSync, readdirSync, readFileSync, readSync, rmSync, statSync, truncateSync } from 'node:fs'
import { join } from 'node:path'

export type PowerLoss = 'lost' | 'torn'

export interface PowerLossReport { partitions: number, cutBytes: number, tornBatches: number }

const SEGMENT = /^(\d{20})\.log$/

export function simulatePowerLoss (dataDir: string, mode: PowerLoss): PowerLossReport {
  const report: PowerLossReport = { partitions: 0, cutBytes: 0, tornBatches: 0 }
  for (const entry of readdirSync(dataDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !/-\d+$/.test(entry.name)) continue
    const dir = join(dataDir, entry.name)
    const synced = existsSync(join(dir, '.synced')) ? readFileSync(join(dir, '.synced'), 'utf8').trim().split(' ').map(Number) : [0, 0]
    const [syncedBase = 0, syncedSize = 0] = synced
    report.partitions++
    for (const name of readdirSync(dir)) {
      const m = SEGMENT.exec(name)
      if (m === null) continue
      const base = Number(m[1])
      const path = join(dir, name)
      const size = statSync(path).size
      if (base > syncedBase) {
        report.cutBytes += size
        for (const ext of ['.log', '.index', '.timeindex']) rmSync(join(dir, `${m[1]}${ext}`), { force: true })
      } else if (base === syncedBase && size > syncedSize) {
        let keep = syncedSize
        if (mode === 'torn') {
          const half = Math.floor(batchSizeAt(path, syncedSize) / 2)
          if (half > 0) report.tornBatches++
          keep += half
        }
        report.cutBytes += size - keep
        truncateSync(path, keep)
      }
    }
  }
  return report
}

/** The size of the batch at `pos` from its header (0 when none is there: preallocated zeros). */
function batchSizeAt (path: string, pos: number): number {
  const fd = openSync(path, 'r')
  try {
    const head = Buffer.alloc(12)
    if (readSync(fd, head, 0, 12, pos) < 12) return 0
    const length = head.readInt32BE(8)
    return length > 0 ? length + 12 : 0
  } finally {
    closeSync(fd)
  }
}
