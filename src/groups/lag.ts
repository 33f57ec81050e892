// Consumer lag per partition a group has committed for: committed offset, log end offset (the high
// watermark: what a consumer can read) and the difference, as `kafka-consumer-groups --describe` shows
// them. Used by the CLI and the HTTP gateway.
import { StoreError } from '../storage/native.js'
import type { PartitionStore } from '../storage/partition-store.js'
import type { GroupOffsets } from './group-offsets.js'

export interface PartitionLag {
  topic: string
  partition: number
  committedOffset: number
  /** null when the partition no longer exists (topic deleted). */
  logEndOffset: number | null
  /** logEndOffset - committedOffset, never negative; null when either is unknown. */
  lag: number | null
  metadata: string
}

export function lagOf (offsets: GroupOffsets, store: PartitionStore): PartitionLag[] {
  const rows: PartitionLag[] = []
  for (const [{ topic, partition }, committed] of offsets.entries()) {
    const logEndOffset = endOffsetOf(store, topic, partition)
    const known = logEndOffset !== null && committed.offset >= 0
    rows.push({
      topic,
      partition,
      committedOffset: committed.offset,
      logEndOffset,
      lag: known ? Math.max(0, logEndOffset - committed.offset) : null,
      metadata: committed.metadata
    })
  }
  return rows.sort((a, b) => a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition)
}

function endOffsetOf (store: PartitionStore, topic: string, partition: number): number | null {
  try {
    return store.highWatermark(topic, partition)
  } catch (error) {
    if (error instanceof StoreError && error.code === 'UNKNOWN_PARTITION') return null
    throw error
  }
}
