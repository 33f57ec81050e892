// The broker settings the coordinator reads, under its own names (Kafka's are in config/settings.ts).
import type { BrokerConfig } from '../config/broker-config.js'

export interface GroupSettings {
  minSessionTimeoutMs: number
  maxSessionTimeoutMs: number
  /** group.initial.rebalance.delay.ms: the first rebalance of an empty group waits this long for more joiners. */
  initialRebalanceDelayMs: number
  maxSize: number
  offsetsRetentionMs: number
  retentionCheckIntervalMs: number
  offsetMetadataMaxBytes: number
}

export function groupSettingsFrom (config: BrokerConfig): GroupSettings {
  return {
    minSessionTimeoutMs: config['group.min.session.timeout.ms'],
    maxSessionTimeoutMs: config['group.max.session.timeout.ms'],
    initialRebalanceDelayMs: config['group.initial.rebalance.delay.ms'],
    maxSize: config['group.max.size'],
    offsetsRetentionMs: config['offsets.retention.minutes'] * 60_000,
    retentionCheckIntervalMs: config['offsets.retention.check.interval.ms'],
    offsetMetadataMaxBytes: config['offset.metadata.max.bytes']
  }
}

/** A JoinGroup that creates a member waits at most this long (Kafka's NewMemberJoinTimeoutMs). */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000
