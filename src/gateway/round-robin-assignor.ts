// The round-robin assignor, as Java's RoundRobinAssignor ("roundrobin") and kafkajs's
// RoundRobinAssigner ("RoundRobinAssigner") spread partitions: every partition of every subscribed
// topic, sorted by topic then partition, dealt in turn to the members (sorted by id) that subscribe to
// its topic. Only the leader's result counts, so any member may lead a group that chose either name.
import type { TopicPartitions } from '../client/consumer-protocol.js'
import type { AssignorMember } from '../client/range-assignor.js'

export function roundRobinAssign (members: readonly AssignorMember[], partitionCounts: ReadonlyMap<string, number>): Map<string, TopicPartitions[]> {
  const sorted = [...members].sort((a, b) => a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0)
  const owned = new Map<string, Map<string, number[]>>(sorted.map(m => [m.memberId, new Map()]))
  const topics = [...new Set(sorted.flatMap(m => m.topics))].sort()
  let turn = 0
  for (const topic of topics) {
    for (let partition = 0; partition < (partitionCounts.get(topic) ?? 0); partition++) {
      // The next member in the circle that subscribes to this topic.
      for (let tried = 0; tried < sorted.length; tried++) {
        const member = sorted[turn++ % sorted.length]!
        if (!member.topics.includes(topic)) continue
        const byTopic = owned.get(member.memberId)!
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition])
        break
      }
    }
  }
  return new Map([...owned.entries()].map(([memberId, byTopic]) => [memberId, [...byTopic.entries()].map(([topic, partitions]) => ({ topic, partitions }))]))
}
