// The records of __consumer_offsets, in Kafka's own layout so that Kafka's tools can read our topic
// (apache/kafka group-coordinator/src/main/resources/common/message/*.json):
//
//   key   = int16 key version, then the key struct (never flexible)
//             0, 1  OffsetCommitKey    { group: string, topic: string, partition: int32 }
//             2     GroupMetadataKey   { group: string }
//             3+    KIP-848/share-group records; skipped on load
//   value = int16 value version, then the value struct; null value = tombstone (delete the key)
//             OffsetCommitValue  v0–4 (flexible from 4): offset, leaderEpoch (v3+), metadata,
//                                commitTimestamp, expireTimestamp (v1 only)
//             GroupMetadataValue v0–4 (flexible from 4): protocolType, generation, protocol?, leader?,
//                                currentStateTimestamp (v2+), members[memberId, groupInstanceId (v3+),
//                                clientId, clientHost, rebalanceTimeout (v1+), sessionTimeout,
//                                subscription, assignment]
//
// We write what Kafka 3.x writes: key version 1 for commits, 2 for groups; value version 3 for both
// (version 1 is only for commits that carry an expire timestamp, which we never set). We read every
// version. The structs are described as message specs and run through the protocol codec, so no
// byte is touched here.
import { decoderFor, encoderFor } from '../protocol/codec/schema-codec.js'
import { Reader, Writer } from '../protocol/index.js'
import type { RecordInput } from '../protocol/codec/record-batch.js'
import type { FieldSpec, MessageSpec } from '../protocol/schema/spec-types.js'

const ALL = [0, 0x7fff] as const
const NONE = [0, -1] as const
const from = (v: number): readonly [number, number] => [v, 0x7fff]

const OFFSET_COMMIT_KEY_VERSION = 1
const GROUP_METADATA_KEY_VERSION = 2
const OFFSET_COMMIT_VALUE_VERSION = 3
const GROUP_METADATA_VALUE_VERSION = 3

const offsetCommitKey: MessageSpec = {
  name: 'OffsetCommitKey', apiKey: 1, valid: [0, 1], flexible: NONE, fields: [
    { name: 'group', type: 'string', versions: ALL },
    { name: 'topic', type: 'string', versions: ALL },
    { name: 'partition', type: 'int32', versions: ALL }
  ]
}

const groupMetadataKey: MessageSpec = {
  name: 'GroupMetadataKey', apiKey: 2, valid: [2, 2], flexible: NONE, fields: [
    { name: 'group', type: 'string', versions: ALL }
  ]
}

const offsetCommitValue: MessageSpec = {
  name: 'OffsetCommitValue', apiKey: -1, valid: [0, 4], flexible: from(4), fields: [
    { name: 'offset', type: 'int64', versions: ALL },
    { name: 'leaderEpoch', type: 'int32', versions: from(3), default: -1, ignorable: true },
    { name: 'metadata', type: 'string', versions: ALL },
    { name: 'commitTimestamp', type: 'int64', versions: ALL },
    { name: 'expireTimestamp', type: 'int64', versions: [1, 1], default: -1, ignorable: true }
  ]
}

const memberMetadata: readonly FieldSpec[] = [
  { name: 'memberId', type: 'string', versions: ALL },
  { name: 'groupInstanceId', type: 'string', versions: from(3), nullable: from(3), default: null, ignorable: true },
  { name: 'clientId', type: 'string', versions: ALL },
  { name: 'clientHost', type: 'string', versions: ALL },
  { name: 'rebalanceTimeout', type: 'int32', versions: from(1), ignorable: true },
  { name: 'sessionTimeout', type: 'int32', versions: ALL },
  { name: 'subscription', type: 'bytes', versions: ALL },
  { name: 'assignment', type: 'bytes', versions: ALL }
]

const groupMetadataValue: MessageSpec = {
  name: 'GroupMetadataValue', apiKey: -1, valid: [0, 4], flexible: from(4), fields: [
    { name: 'protocolType', type: 'string', versions: ALL },
    { name: 'generation', type: 'int32', versions: ALL },
    { name: 'protocol', type: 'string', versions: ALL, nullable: ALL },
    { name: 'leader', type: 'string', versions: ALL, nullable: ALL },
    { name: 'currentStateTimestamp', type: 'int64', versions: from(2), default: -1, ignorable: true },
    { name: 'members', type: 'struct', array: true, versions: ALL, fields: memberMetadata }
  ]
}

export interface OffsetCommitValue {
  offset: number
  /** -1 when unknown. */
  leaderEpoch: number
  metadata: string
  commitTimestamp: number
  /** Only in version 1 records (old clients' retention_time); -1 otherwise. */
  expireTimestamp: number
}

export interface StoredMember {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  rebalanceTimeout: number
  sessionTimeout: number
  /** The member's metadata for the group's chosen protocol. */
  subscription: Buffer
  assignment: Buffer
}

export interface GroupMetadataValue {
  protocolType: string
  generation: number
  protocol: string | null
  leader: string | null
  currentStateTimestamp: number
  members: StoredMember[]
}

export type CoordinatorRecord =
  | { kind: 'offset', group: string, topic: string, partition: number, value: OffsetCommitValue | null }
  | { kind: 'group', group: string, value: GroupMetadataValue | null }
  | { kind: 'other', keyVersion: number }

function encode (spec: MessageSpec, version: number, message: object): Buffer {
  const w = new Writer({ initialSize: 128 })
  w.int16(version)
  encoderFor<object>(spec, version)(w, message)
  const chunks = w.finish()
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
}

/** A commit of `value`, or a tombstone for the committed offset when value is null. */
export function offsetCommitRecord (group: string, topic: string, partition: number, value: OffsetCommitValue | null): RecordInput {
  return {
    key: encode(offsetCommitKey, OFFSET_COMMIT_KEY_VERSION, { group, topic, partition }),
    value: value === null ? null : encode(offsetCommitValue, OFFSET_COMMIT_VALUE_VERSION, value)
  }
}

/** The group's metadata, or a tombstone for the group when value is null. */
export function groupMetadataRecord (group: string, value: GroupMetadataValue | null): RecordInput {
  return {
    key: encode(groupMetadataKey, GROUP_METADATA_KEY_VERSION, { group }),
    value: value === null ? null : encode(groupMetadataValue, GROUP_METADATA_VALUE_VERSION, value)
  }
}

/** Decodes one record of the topic; throws ProtocolError on bytes that do not fit the layouts. */
export function decodeCoordinatorRecord (key: Buffer, value: Buffer | null): CoordinatorRecord {
  const r = new Reader(key)
  const keyVersion = r.int16()
  if (keyVersion === 0 || keyVersion === 1) {
    const k = decoderFor<{ group: string, topic: string, partition: number }>(offsetCommitKey, keyVersion)(r)
    return { kind: 'offset', ...k, value: value === null ? null : decodeValue<OffsetCommitValue>(offsetCommitValue, value) }
  }
  if (keyVersion === GROUP_METADATA_KEY_VERSION) {
    const k = decoderFor<{ group: string }>(groupMetadataKey, keyVersion)(r)
    return { kind: 'group', group: k.group, value: value === null ? null : decodeValue<GroupMetadataValue>(groupMetadataValue, value) }
  }
  return { kind: 'other', keyVersion }
}

function decodeValue<T> (spec: MessageSpec, bytes: Buffer): T {
  const r = new Reader(bytes)
  const version = r.int16()
  // Kafka reads a value newer than it knows with its newest layout (KIP-915); so do we.
  return decoderFor<T>(spec, Math.min(version, spec.valid[1]))(r)
}
