// Kafka's RangeAssignor ("range"): per topic, the members subscribed to it in member-id order share its
// partitions in consecutive ranges; the first (partitions % members) members get one extra. Every
// member runs the same code, so only the leader's result matters, but it must match what Java, kafkajs
// and librdkafka leaders compute for the same group, and it does: same sort, same split.
import type { TopicPartitions } from './consumer-protocol.js'

export const RANGE_ASSIGNOR = 'range'

export interface AssignorMember { memberId: string, topics: readonly string[] }

/** Assignments by member id; every member appears, possibly with nothing. */
export function rangeAssign (members: readonly AssignorMember[], partitionCounts: ReadonlyMap<string, number>): Map<string, TopicPartitions[]> {
  const out = new Map<string, TopicPartitions[]>(members.map(m => [m.memberId, []]))
  const topics = [...new Set(members.flatMap(m => m.topics))].sort()
  for (const topic of topics) {
    const count = partitionCounts.get(topic) ?? 0
    const subscribers = members.filter(m => m.topics.includes(topic)).map(m => m.memberId).sort()
    if (count === 0 || subscribers.length === 0) continue
    const each = Math.floor(count / subscribers.length)
    const extra = count % subscribers.length
    let next = 0
    for (const [i, memberId] of subscribers.entries()) {
      const take = each + (i < extra ? 1 : 0)
      if (take === 0) continue
      out.get(memberId)?.push({ topic, partitions: Array.from({ length: take }, (_, k) => next + k) })
      next += take
    }
  }
  return out
}
