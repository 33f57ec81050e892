// A partition's directory under the data dir is `<topic>-<partition>`, as in Kafka. Topic names may
// contain '-', so the partition is the suffix after the LAST '-'.
import { readdirSync } from 'node:fs'

export interface PartitionId { topic: string; partition: number }

export function partitionDirName (topic: string, partition: number): string {
  return `${topic}-${partition}`
}

/** null for names that are not a partition directory (the data dir may hold other things). */
export function parsePartitionDir (name: string): PartitionId | null {
  const dash = name.lastIndexOf('-')
  if (dash <= 0) return null
  const suffix = name.slice(dash + 1)
  if (!/^(0|[1-9][0-9]{0,9})$/.test(suffix)) return null
  const partition = Number(suffix)
  if (partition > 0x7fffffff) return null
  return { topic: name.slice(0, dash), partition }
}

/** Partition directories present in `dataDir`. Synchronous: at start the opens go to the shards
 *  before the main thread turns to loading the rest of the broker (PartitionStore.open). */
export function discoverPartitions (dataDir: string): PartitionId[] {
  const entries = readdirSync(dataDir, { withFileTypes: true })
  const found: PartitionId[] = []
  for (const entry of entries) {
    const id = entry.isDirectory() ? parsePartitionDir(entry.name) : null
    if (id !== null) found.push(id)
  }
  return found
}
