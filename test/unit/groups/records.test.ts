// The __consumer_offsets record layouts are Kafka's (OffsetCommitKey/Value, GroupMetadataKey/Value),
// checked here byte by byte against hand-written encodings of those layouts.
import { describe, expect, it } from 'vitest'
import { decodeCoordinatorRecord, groupMetadataRecord, offsetCommitRecord } from '../../../src/groups/records.js'

const i16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b }
const i32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b }
const i64 = (n: number): Buffer => { const b = Buffer.alloc(8); b.writeBigInt64BE(BigInt(n)); return b }
const str = (s: string | null): Buffer => s === null ? i16(-1) : Buffer.concat([i16(Buffer.byteLength(s)), Buffer.from(s)])
const bytes = (b: Buffer): Buffer => Buffer.concat([i32(b.length), b])

describe('offsets topic records', () => {
  it('writes an offset commit as key version 1 and value version 3', () => {
    const record = offsetCommitRecord('g', 'orders', 7, { offset: 42, leaderEpoch: 3, metadata: 'm', commitTimestamp: 1700000000000, expireTimestamp: -1 })
    expect(record.key).toEqual(Buffer.concat([i16(1), str('g'), str('orders'), i32(7)]))
    expect(record.value).toEqual(Buffer.concat([i16(3), i64(42), i32(3), str('m'), i64(1700000000000)]))
  })

  it('writes group metadata as key version 2 and value version 3', () => {
    const record = groupMetadataRecord('g', {
      protocolType: 'consumer', generation: 5, protocol: 'range', leader: 'm1', currentStateTimestamp: 99,
      members: [{ memberId: 'm1', groupInstanceId: null, clientId: 'c', clientHost: '/1.2.3.4', rebalanceTimeout: 300, sessionTimeout: 100, subscription: Buffer.from([1]), assignment: Buffer.from([2, 3]) }]
    })
    expect(record.key).toEqual(Buffer.concat([i16(2), str('g')]))
    expect(record.value).toEqual(Buffer.concat([
      i16(3), str('consumer'), i32(5), str('range'), str('m1'), i64(99), i32(1),
      str('m1'), str(null), str('c'), str('/1.2.3.4'), i32(300), i32(100), bytes(Buffer.from([1])), bytes(Buffer.from([2, 3]))
    ]))
  })

  it('writes tombstones as a key with a null value', () => {
    expect(offsetCommitRecord('g', 't', 0, null).value).toBeNull()
    expect(groupMetadataRecord('g', null).value).toBeNull()
  })

  it('reads the older value versions Kafka wrote', () => {
    const key = Buffer.concat([i16(0), str('g'), str('t'), i32(1)])
    const v0 = decodeCoordinatorRecord(key, Buffer.concat([i16(0), i64(10), str(''), i64(5)]))
    expect(v0).toMatchObject({ kind: 'offset', group: 'g', topic: 't', partition: 1, value: { offset: 10, leaderEpoch: -1, commitTimestamp: 5, expireTimestamp: -1 } })
    const v1 = decodeCoordinatorRecord(key, Buffer.concat([i16(1), i64(11), str('x'), i64(5), i64(6)]))
    expect(v1).toMatchObject({ kind: 'offset', value: { offset: 11, metadata: 'x', expireTimestamp: 6 } })
    const groupV0 = decodeCoordinatorRecord(Buffer.concat([i16(2), str('g')]), Buffer.concat([
      i16(0), str('consumer'), i32(1), str('range'), str('m'), i32(1), str('m'), str('c'), str('/h'), i32(30), bytes(Buffer.alloc(0)), bytes(Buffer.from([9]))
    ]))
    expect(groupV0).toMatchObject({ kind: 'group', group: 'g', value: { generation: 1, currentStateTimestamp: -1, members: [{ memberId: 'm', sessionTimeout: 30, rebalanceTimeout: 0 }] } })
  })

  it('reads the flexible version 4 values', () => {
    const key = Buffer.concat([i16(1), str('g'), str('t'), i32(0)])
    // compact string: length + 1 as an unsigned varint; then an empty tagged-field section
    const v4 = Buffer.concat([i16(4), i64(7), i32(2), Buffer.from([2]), Buffer.from('m'), i64(8), Buffer.from([0])])
    expect(decodeCoordinatorRecord(key, v4)).toMatchObject({ kind: 'offset', value: { offset: 7, leaderEpoch: 2, metadata: 'm', commitTimestamp: 8 } })
  })

  it('round-trips what it writes and skips key versions it does not know', () => {
    const record = offsetCommitRecord('group', 'topic', 3, { offset: 1, leaderEpoch: -1, metadata: '', commitTimestamp: 2, expireTimestamp: -1 })
    expect(decodeCoordinatorRecord(record.key!, record.value ?? null)).toEqual({
      kind: 'offset', group: 'group', topic: 'topic', partition: 3, value: { offset: 1, leaderEpoch: -1, metadata: '', commitTimestamp: 2, expireTimestamp: -1 }
    })
    expect(decodeCoordinatorRecord(Buffer.concat([i16(3), str('x')]), null)).toEqual({ kind: 'other', keyVersion: 3 })
  })
})
