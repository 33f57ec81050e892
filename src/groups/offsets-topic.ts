// The internal topic that holds committed offsets and group metadata, and which of its partitions a
// group lives in. Kafka maps a group to `Utils.abs(groupId.hashCode()) % partitions`, where hashCode is
// Java's String.hashCode over UTF-16 code units and Utils.abs maps Integer.MIN_VALUE to 0; we must
// agree with it so that Kafka's tools reading the topic find each group where Kafka would put it.

export const OFFSETS_TOPIC = '__consumer_offsets'

/** Kafka's topic configs for it: compacted, so the latest record per key survives. */
export const OFFSETS_TOPIC_CONFIGS: Readonly<Record<string, string>> = Object.freeze({ 'cleanup.policy': 'compact' })

/** Java's String.hashCode: s[0]*31^(n-1) + ... + s[n-1], in int32 arithmetic. */
export function javaStringHashCode (s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0
  return h
}

/** The __consumer_offsets partition that stores `groupId`. */
export function offsetsPartitionFor (groupId: string, partitions: number): number {
  const h = javaStringHashCode(groupId)
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions
}
