// The "consumer" embedded protocol (kafka-message-specs/ConsumerProtocol{Subscription,Assignment}.json):
// the opaque bytes a consumer puts in JoinGroup's protocol metadata and a leader in SyncGroup's
// assignments. Always non-flexible, prefixed by an int16 version. Readers of a newer version parse the
// fields they know and ignore the rest, as the spec asks (new versions only append fields).
import { Reader, Writer } from '../protocol/index.js'

export interface TopicPartitions { topic: string, partitions: number[] }

export interface Subscription {
  topics: string[]
  userData: Buffer | null
  /** v1+: what the member held before this rebalance. */
  ownedPartitions: TopicPartitions[]
}

export interface Assignment {
  partitions: TopicPartitions[]
  userData: Buffer | null
}

/** We write v1: v0's fields plus owned partitions, which every current assignor reads. */
const SUBSCRIPTION_VERSION = 1
const ASSIGNMENT_VERSION = 0

export function encodeSubscription (topics: readonly string[], owned: readonly TopicPartitions[] = []): Buffer {
  const w = new Writer()
  w.int16(SUBSCRIPTION_VERSION)
  w.arrayLength(topics.length)
  for (const topic of topics) w.string(topic)
  w.nullableBytes(null)
  writeTopicPartitions(w, owned)
  return Buffer.concat(w.finish())
}

export function decodeSubscription (bytes: Buffer): Subscription {
  const r = new Reader(bytes)
  const version = r.int16()
  const topics = readArray(r, () => r.string())
  const userData = r.nullableBytes()
  const ownedPartitions = version >= 1 && r.remaining > 0 ? readTopicPartitions(r) : []
  return { topics, userData, ownedPartitions }
}

export function encodeAssignment (partitions: readonly TopicPartitions[]): Buffer {
  const w = new Writer()
  w.int16(ASSIGNMENT_VERSION)
  writeTopicPartitions(w, partitions)
  w.nullableBytes(null)
  return Buffer.concat(w.finish())
}

/** An empty buffer (a member the leader gave nothing, or a group without a consumer protocol) is no partitions. */
export function decodeAssignment (bytes: Buffer): Assignment {
  if (bytes.length === 0) return { partitions: [], userData: null }
  const r = new Reader(bytes)
  r.int16()
  const partitions = readTopicPartitions(r)
  const userData = r.remaining > 0 ? r.nullableBytes() : null
  return { partitions, userData }
}

function writeTopicPartitions (w: Writer, list: readonly TopicPartitions[]): void {
  w.arrayLength(list.length)
  for (const { topic, partitions } of list) {
    w.string(topic)
    w.arrayLength(partitions.length)
    for (const p of partitions) w.int32(p)
  }
}

function readTopicPartitions (r: Reader): TopicPartitions[] {
  return readArray(r, () => ({ topic: r.string(), partitions: readArray(r, () => r.int32()) }))
}

function readArray<T> (r: Reader, readOne: () => T): T[] {
  const n = r.arrayLength()
  const out: T[] = []
  for (let i = 0; i < n; i++) out.push(readOne())
  return out
}
