// Rebuilds the coordinator's state at startup by replaying __consumer_offsets: every partition, from
// its log start to its high watermark. It runs after the broker is ready (the coordinator answers
// COORDINATOR_LOAD_IN_PROGRESS meanwhile, as Kafka's does while it loads), one partition per
// event-loop turn, so that Produce and Fetch are served in between. The last record of a key wins and
// a tombstone deletes it, which is exactly what compaction preserves, so a compacted log replays to
// the same state.
//
// Transactional offset commits (TxnOffsetCommit) lie in transactional batches: they are held per
// producer until that producer's COMMIT marker (applied, except over a plain commit that lies after
// them in the log) or ABORT marker (dropped). Those still held at
// the end belong to transactions the transaction coordinator will end after the restart (openTxn).
import type { Logger } from 'pino'
import { ControlRecordType, decodeBatch, iterateBatches, RecordBatchError, type RecordBatch } from '../protocol/codec/record-batch.js'
import type { PartitionStore } from '../storage/partition-store.js'
import { nextLogOrder, type LogOrder, type TopicPartition } from './group-offsets.js'
import { decodeCoordinatorRecord, type CoordinatorRecord, type GroupMetadataValue, type OffsetCommitValue } from './records.js'

export interface LoadedGroup {
  metadata: GroupMetadataValue | null
  offsets: Map<string, TopicPartition & { value: OffsetCommitValue, order: LogOrder }>
}

export interface LoadReport { partitions: number, batches: number, records: number, skipped: number, groups: number, ms: number }

/** A transactional offset commit whose transaction has no marker yet: the transaction coordinator ends it. */
export interface OpenTxnOffset { producerId: number, group: string, topic: string, partition: number, value: OffsetCommitValue, order: LogOrder }

/** A record of the log with its place in it. */
type Placed = CoordinatorRecord & { order: LogOrder }

const READ_BYTES = 1 << 20

/** Null if `cancelled()` turned true between two partitions (the broker is stopping). */
export async function loadGroups (
  store: PartitionStore, topic: string, partitions: number, log: Logger, cancelled: () => boolean
): Promise<{ groups: Map<string, LoadedGroup>, openTxn: OpenTxnOffset[], report: LoadReport } | null> {
  const started = performance.now()
  const groups = new Map<string, LoadedGroup>()
  const openTxn: OpenTxnOffset[] = []
  const report: LoadReport = { partitions, batches: 0, records: 0, skipped: 0, groups: 0, ms: 0 }
  for (let p = 0; p < partitions; p++) {
    await new Promise(resolve => setImmediate(resolve))
    if (cancelled()) return null
    openTxn.push(...replayPartition({ store, topic, partition: p, log, report }, groups))
  }
  for (const [id, group] of groups) if (group.metadata === null && group.offsets.size === 0) groups.delete(id)
  report.groups = groups.size
  report.ms = Math.round(performance.now() - started)
  return { groups, openTxn, report }
}

interface Replay { store: PartitionStore, topic: string, partition: number, log: Logger, report: LoadReport }

function replayPartition (replay: Replay, groups: Map<string, LoadedGroup>): OpenTxnOffset[] {
  const { store, topic, partition } = replay
  const pendingTxn = new Map<bigint, Placed[]>()
  const end = store.highWatermark(topic, partition)
  let offset = store.logStartOffset(topic, partition)
  while (offset < end) {
    const views = store.read(topic, partition, offset, READ_BYTES)
    if (views.length === 0) break
    // A view holds every batch read from one segment, and a read may span segments.
    for (const { bytes, header } of views.flatMap((view) => [...iterateBatches(view)])) {
      offset = Number(header.baseOffset) + header.lastOffsetDelta + 1
      replay.report.batches++
      let batch: RecordBatch
      try {
        batch = decodeBatch(bytes)
      } catch (error) {
        // Recovery already cut torn tails; a bad batch inside the log loses its records, not the broker.
        if (!(error instanceof RecordBatchError)) throw error
        replay.log.error({ err: error, topic, partition, offset: Number(header.baseOffset) }, 'skipping a corrupt batch of the offsets topic')
        continue
      }
      applyBatch(batch, replay, { groups, pendingTxn })
    }
  }
  const open: OpenTxnOffset[] = []
  for (const [producerId, held] of pendingTxn) {
    for (const r of held) if (r.kind === 'offset' && r.value !== null) open.push({ producerId: Number(producerId), group: r.group, topic: r.topic, partition: r.partition, value: r.value, order: r.order })
  }
  return open
}

function applyBatch (batch: RecordBatch, replay: Replay, state: { groups: Map<string, LoadedGroup>, pendingTxn: Map<bigint, Placed[]> }): void {
  if (batch.control) {
    const marker = batch.records[0]?.control
    const held = state.pendingTxn.get(batch.producerId)
    state.pendingTxn.delete(batch.producerId)
    if (marker?.type === ControlRecordType.COMMIT) for (const record of held ?? []) apply(state.groups, record, true)
    return
  }
  for (const record of batch.records) {
    replay.report.records++
    if (record.key === null) { replay.report.skipped++; continue }
    let decoded: CoordinatorRecord
    try {
      decoded = decodeCoordinatorRecord(record.key, record.value)
    } catch (error) {
      replay.report.skipped++
      replay.log.warn({ err: error, topic: replay.topic, partition: replay.partition, offset: Number(record.offset) }, 'skipping an unreadable record of the offsets topic')
      continue
    }
    if (decoded.kind === 'other') { replay.report.skipped++; continue }
    const placed = { ...decoded, order: nextLogOrder() }
    if (batch.transactional) {
      let held = state.pendingTxn.get(batch.producerId)
      if (held === undefined) state.pendingTxn.set(batch.producerId, held = [])
      held.push(placed)
    } else {
      apply(state.groups, placed, false)
    }
  }
}

/** A transaction's offset (`committedTxn`) does not replace one that lies after it in the log. */
function apply (groups: Map<string, LoadedGroup>, record: Placed, committedTxn: boolean): void {
  if (record.kind === 'other') return
  let group = groups.get(record.group)
  if (group === undefined) groups.set(record.group, group = { metadata: null, offsets: new Map() })
  if (record.kind === 'group') {
    group.metadata = record.value === null ? null : detached(record.value)
    return
  }
  const key = `${record.topic}\u0000${record.partition}`
  if (record.value === null) {
    group.offsets.delete(key)
    return
  }
  const current = group.offsets.get(key)
  if (committedTxn && current !== undefined && current.order > record.order) return
  group.offsets.set(key, { topic: record.topic, partition: record.partition, value: record.value, order: record.order })
}

/** Member bytes decode as views into the mapped segment; copies let the segment go once replay ends. */
function detached (value: GroupMetadataValue): GroupMetadataValue {
  return {
    ...value,
    members: value.members.map(m => ({ ...m, subscription: Buffer.from(m.subscription), assignment: Buffer.from(m.assignment) }))
  }
}
