import { describe, expect, it } from 'vitest'
import { APPEND_ROW, AppendRowWriter, batchesOf, readAppendRows, readResultRows, ResultRowWriter } from '../../../src/storage/append-rows.js'
import type { AppendResult } from '../../../src/storage/native.js'
import type { WireError } from '../../../src/storage/messages.js'
import { buildBatch, valuesBatch } from '../../helpers/batch.js'

describe('append rows', () => {
  it('carry each append\'s log, options and the address of its batch bytes, read in place without a copy', () => {
    const writer = new AppendRowWriter()
    const socketChunk = Buffer.from('xxhello worldyy')
    writer.add(7, 3, socketChunk.subarray(2, 7), { leaderEpoch: 5, logAppendTimeMs: -1, nowMs: 1_700_000_000_123 })
    writer.add(9, 4, socketChunk.subarray(8, 13), { leaderEpoch: 0, logAppendTimeMs: 2 ** 45, nowMs: 1 })
    expect(writer.count).toBe(2)
    expect(writer.payloadBytes).toBe(10)
    const data = writer.take()
    expect(data).not.toBeNull()
    expect(writer.count).toBe(0)
    expect(writer.take()).toBeNull()
    const rows = readAppendRows(data!, 2)
    expect(rows.map((r) => [r.id, r.log, batchesOf(r).toString()])).toEqual([[7, 3, 'hello'], [9, 4, 'world']])
    expect(rows[0]!.opts).toMatchObject({ leaderEpoch: 5, logAppendTimeMs: -1, nowMs: 1_700_000_000_123 })
    expect(rows[1]!.opts).toMatchObject({ leaderEpoch: 0, logAppendTimeMs: 2 ** 45, nowMs: 1 })
    expect(structuredClone(data, { transfer: [data!] })?.byteLength).toBe(2 * APPEND_ROW * 8)
    // The views share the sender's memory: a change there shows through (so senders must not make one).
    socketChunk.write('J', 8)
    expect(batchesOf(rows[1]!).toString()).toBe('Jorld')
  })

  it('mark the appends whose batches carry a producer id, and the broker\'s own control appends', () => {
    const writer = new AppendRowWriter()
    const plain = valuesBatch('plain', 2)
    const idempotent = buildBatch({ records: [{ value: 'x' }], producerId: 42, baseSequence: 0 })
    writer.add(1, 0, plain, { leaderEpoch: 0, logAppendTimeMs: -1, nowMs: 1 })
    writer.add(2, 0, Buffer.concat([plain, idempotent]), { leaderEpoch: 0, logAppendTimeMs: -1, nowMs: 1 })
    writer.add(3, 0, idempotent, { leaderEpoch: 0, logAppendTimeMs: -1, nowMs: 1, allowControl: true })
    const rows = readAppendRows(writer.take()!, 3)
    expect(rows.map((r) => [r.producer, r.opts.allowControl])).toEqual([[false, false], [true, false], [true, true]])
    expect(rows.map((r) => r.length)).toEqual([plain.length, plain.length + idempotent.length, idempotent.length])
  })

  it('carry results and errors back in id order', () => {
    const writer = new ResultRowWriter()
    writer.ok(1, { baseOffset: 0, lastOffset: 4, logAppendTimeMs: -1, logStartOffset: 0, firstUnstableOffset: -1, abortedFirstOffset: -1 })
    writer.failed(2, { code: 'CORRUPT_MESSAGE', message: 'crc' })
    writer.ok(3, { baseOffset: 2 ** 50, lastOffset: 2 ** 50 + 1, logAppendTimeMs: 99, logStartOffset: 7, firstUnstableOffset: 5, abortedFirstOffset: 6 })
    const seen: Array<[number, AppendResult | WireError]> = []
    readResultRows(writer.take()!, writer.errors, {
      ok: (id, result) => seen.push([id, result]),
      failed: (id, error) => seen.push([id, error])
    })
    expect(seen.map(([id]) => id)).toEqual([1, 2, 3])
    expect(seen[0]![1]).toMatchObject({ baseOffset: 0, lastOffset: 4, logAppendTimeMs: -1, logStartOffset: 0 })
    expect(seen[1]![1]).toEqual({ code: 'CORRUPT_MESSAGE', message: 'crc' })
    expect(seen[2]![1]).toMatchObject({ baseOffset: 2 ** 50, lastOffset: 2 ** 50 + 1, logAppendTimeMs: 99, logStartOffset: 7, firstUnstableOffset: 5, abortedFirstOffset: 6 })
  })
})
