// What the coordinator persists, as records of the group's __consumer_offsets partition: group
// metadata after each completed rebalance (and when a group empties or a static member is replaced),
// committed offsets, and tombstones for deleted or expired ones. Every answer that depends on a write
// is sent only after the append resolved.
import type { Logger } from 'pino'
import { ErrorCode } from '../protocol/index.js'
import type { RecordInput } from '../protocol/codec/record-batch.js'
import { StoreError } from '../storage/native.js'
import type { Group } from './group.js'
import type { CommittedOffset, TopicPartition } from './group-offsets.js'
import type { OffsetLog } from './offset-log.js'
import { offsetsPartitionFor } from './offsets-topic.js'
import { groupMetadataRecord, offsetCommitRecord, type GroupMetadataValue } from './records.js'

export interface OffsetWrite extends TopicPartition { value: CommittedOffset }

export class GroupStore {
  constructor (private readonly offsetLog: OffsetLog, readonly partitions: number, private readonly log: Logger) {}

  partitionFor (groupId: string): number {
    return offsetsPartitionFor(groupId, this.partitions)
  }

  /**
   * Stores the group's current generation with `assignment` (member id -> bytes; members not in it keep
   * their current assignment). Resolves with the error code for the waiting clients, NONE on success.
   */
  async storeGroup (group: Group, assignment?: ReadonlyMap<string, Buffer>): Promise<number> {
    try {
      await this.write(group.groupId, [groupMetadataRecord(group.groupId, groupValue(group, assignment))])
      return ErrorCode.NONE
    } catch (error) {
      return this.errorCode(error, { group: group.groupId, what: 'group metadata' }, ErrorCode.UNKNOWN_SERVER_ERROR)
    }
  }

  /** Throws the store's error; see `commitErrorCode` for what the client gets. */
  async writeOffsets (groupId: string, offsets: readonly OffsetWrite[]): Promise<void> {
    await this.write(groupId, offsets.map(o => offsetCommitRecord(groupId, o.topic, o.partition, o.value)))
  }

  /** Tombstones for `offsets`, and for the group itself when `group` is true. */
  async writeTombstones (groupId: string, offsets: readonly TopicPartition[], group: boolean): Promise<void> {
    const records: RecordInput[] = offsets.map(o => offsetCommitRecord(groupId, o.topic, o.partition, null))
    if (group) records.push(groupMetadataRecord(groupId, null))
    if (records.length > 0) await this.write(groupId, records)
  }

  /** Kafka's mapping of a failed offset append to the code an OffsetCommit answers. */
  commitErrorCode (error: unknown, context: Record<string, unknown>): number {
    return this.errorCode(error, { ...context, what: 'offset commit' }, ErrorCode.INVALID_COMMIT_OFFSET_SIZE)
  }

  private async write (groupId: string, records: RecordInput[]): Promise<void> {
    await this.offsetLog.write(this.partitionFor(groupId), records)
  }

  /**
   * A missing offsets partition is "coordinator not available" (retriable); a closed or failing store
   * means this broker cannot coordinate right now (the client looks the coordinator up again); a record
   * the log refuses is `tooLarge`'s code. Anything else is a bug, logged and answered as such.
   */
  private errorCode (error: unknown, context: Record<string, unknown>, tooLarge: number): number {
    if (error instanceof StoreError) {
      switch (error.code) {
        case 'UNKNOWN_PARTITION': return ErrorCode.COORDINATOR_NOT_AVAILABLE
        case 'CLOSED': return ErrorCode.NOT_COORDINATOR
        case 'IO':
        case 'NO_SPACE':
          this.log.error({ ...context, err: error }, 'storage failure writing to the offsets topic')
          return ErrorCode.NOT_COORDINATOR
        case 'INVALID_RECORD': return tooLarge
      }
    }
    this.log.error({ ...context, err: error }, 'unexpected error writing to the offsets topic')
    return ErrorCode.UNKNOWN_SERVER_ERROR
  }
}

function groupValue (group: Group, assignment: ReadonlyMap<string, Buffer> | undefined): GroupMetadataValue {
  return {
    protocolType: group.protocolType ?? '',
    generation: group.generationId,
    protocol: group.protocolName,
    leader: group.leaderId,
    currentStateTimestamp: group.stateTimestamp,
    members: [...group.members.values()].map(m => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeout: m.rebalanceTimeoutMs,
      sessionTimeout: m.sessionTimeoutMs,
      subscription: m.metadataFor(group.protocolName),
      assignment: assignment?.get(m.memberId) ?? m.assignment
    }))
  }
}
