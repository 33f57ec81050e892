// OffsetFetch: committed offsets, -1 (and metadata "") where none is committed; a null topic list
// (v2+) asks for every committed offset of the group. v1–v7 ask for one group: a group-level error is
// the top-level errorCode from v2, and on v1 (which has none) every requested partition carries it.
// v8+ ask for several groups, each answered with its own error. v5+ carry committedLeaderEpoch; v7+
// requireStable (UNSTABLE_OFFSET_COMMIT while a commit of that partition is in flight); the v9
// memberId/memberEpoch belong to KIP-848 groups and are ignored for classic groups.
import {
  decodeOffsetFetchRequest, encodeOffsetFetchResponse, ErrorCode, offsetFetchApi, type MessageInput, type OffsetFetchRequest,
  type OffsetFetchResponse, type OffsetFetchResponseOffsetFetchResponseTopic
} from '../../protocol/index.js'
import type { FetchedOffset } from '../../groups/offsets.js'
import type { TopicPartition } from '../../groups/group-offsets.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler, type RequestContext } from '../handler.js'

const FIRST_VERSION_WITH_ERROR_CODE = 2
const FIRST_VERSION_WITH_LEADER_EPOCH = 5
const FIRST_MULTI_GROUP_VERSION = 8

type TopicAnswer = MessageInput<OffsetFetchResponseOffsetFetchResponseTopic>
type WantedTopics = ReadonlyArray<{ name: string, partitionIndexes: number[] }> | null

export const offsetFetchHandler = defineHandler<OffsetFetchRequest, OffsetFetchResponse>({
  api: offsetFetchApi,
  decode: decodeOffsetFetchRequest,
  encode: encodeOffsetFetchResponse,
  handle (request, context) {
    const { apiVersion } = context
    if (apiVersion >= FIRST_MULTI_GROUP_VERSION) {
      return {
        groups: request.groups.map(g => {
          const { errorCode, topics } = fetchGroup(g.groupId, g.topics, request.requireStable, context)
          return { groupId: g.groupId, errorCode, topics }
        })
      }
    }
    const { errorCode, topics } = fetchGroup(request.groupId, request.topics, request.requireStable, context)
    if (apiVersion >= FIRST_VERSION_WITH_ERROR_CODE) return { errorCode, topics }
    if (errorCode === ErrorCode.NONE) return { topics }
    const failed = (request.topics ?? []).flatMap(t => t.partitionIndexes.map(partition => ({ topic: t.name, partition })))
    return { topics: byTopic(failed.map(tp => ({ ...tp, offset: -1, leaderEpoch: -1, metadata: '', errorCode })), apiVersion) }
  }
})

/** With an authorizer: DESCRIBE on the group, else GROUP_AUTHORIZATION_FAILED; then DESCRIBE on each
 *  topic: a named one the client may not is TOPIC_AUTHORIZATION_FAILED, and "all" leaves it out. */
function fetchGroup (groupId: string, topics: WantedTopics, requireStable: boolean, context: RequestContext): { errorCode: number, topics: TopicAnswer[] } {
  const { broker, apiVersion } = context
  if (!allowed(context, AclOperation.DESCRIBE, ResourceType.GROUP, groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] }
  const describable = (topic: string): boolean => allowed(context, AclOperation.DESCRIBE, ResourceType.TOPIC, topic)
  const wanted: TopicPartition[] | null = topics === null
    ? null
    : topics.filter(t => describable(t.name)).flatMap(t => t.partitionIndexes.map(partition => ({ topic: t.name, partition })))
  const { errorCode, offsets } = broker.groups.fetchOffsets(groupId, wanted, requireStable)
  if (errorCode !== ErrorCode.NONE) return { errorCode, topics: [] }
  const denied = (topics ?? []).filter(t => !describable(t.name))
    .flatMap(t => t.partitionIndexes.map(partition => ({ topic: t.name, partition, offset: -1, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })))
  return { errorCode, topics: byTopic([...(topics === null ? offsets.filter(o => describable(o.topic)) : offsets), ...denied], apiVersion) }
}

function byTopic (offsets: readonly FetchedOffset[], apiVersion: number): TopicAnswer[] {
  const topics = new Map<string, TopicAnswer & { partitions: unknown[] }>()
  for (const o of offsets) {
    let topic = topics.get(o.topic)
    if (topic === undefined) topics.set(o.topic, topic = { name: o.topic, partitions: [] })
    topic.partitions.push({
      partitionIndex: o.partition,
      committedOffset: o.offset,
      committedLeaderEpoch: apiVersion >= FIRST_VERSION_WITH_LEADER_EPOCH ? o.leaderEpoch : -1,
      metadata: o.metadata,
      errorCode: o.errorCode
    })
  }
  return [...topics.values()]
}
