// The shard's per-partition producer state (src/storage/producer-state.ts): Kafka's sequence and epoch
// rules, the 5-batch duplicate window, and the open transactions behind the last stable offset.
import { describe, expect, it } from 'vitest'
import type { ProducerBatch } from '../../../src/storage/producer-batch.js'
import { ProducerState } from '../../../src/storage/producer-state.js'

const batch = (over: Partial<ProducerBatch>): ProducerBatch => ({
  producerId: 7, producerEpoch: 0, baseSequence: 0, lastOffsetDelta: 0, maxTimestamp: 0, transactional: false, controlType: -1, ...over
})

/** Appends like the shard: check, then record at the next offsets of a log that ends at `end.next`. */
function append (state: ProducerState, b: ProducerBatch, end: { next: number }): number {
  const duplicate = state.check(b)
  if (duplicate !== null) return duplicate.baseOffset
  const baseOffset = end.next
  end.next += b.lastOffsetDelta + 1
  state.record(b, { baseOffset, lastOffset: end.next - 1, logAppendTimeMs: -1 }, 1000)
  return baseOffset
}

describe('producer state', () => {
  it('answers a retried batch with its original offset and appends nothing', () => {
    const state = new ProducerState()
    const end = { next: 0 }
    expect(append(state, batch({ baseSequence: 0, lastOffsetDelta: 4 }), end)).toBe(0)
    expect(append(state, batch({ baseSequence: 5, lastOffsetDelta: 4 }), end)).toBe(5)
    expect(append(state, batch({ baseSequence: 0, lastOffsetDelta: 4 }), end)).toBe(0)
    expect(end.next).toBe(10)
  })

  it('remembers only the last five batches: an older retry is out of order', () => {
    const state = new ProducerState()
    const end = { next: 0 }
    for (let seq = 0; seq < 6; seq++) append(state, batch({ baseSequence: seq }), end)
    expect(state.check(batch({ baseSequence: 1 }))?.baseOffset).toBe(1)
    expect(() => state.check(batch({ baseSequence: 0 }))).toThrow(expect.objectContaining({ code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }))
  })

  it('refuses a gap in the sequence with OUT_OF_ORDER_SEQUENCE_NUMBER', () => {
    const state = new ProducerState()
    append(state, batch({ baseSequence: 0, lastOffsetDelta: 2 }), { next: 0 })
    expect(() => state.check(batch({ baseSequence: 4 }))).toThrow(expect.objectContaining({ code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }))
    expect(state.check(batch({ baseSequence: 3 }))).toBeNull()
  })

  it('refuses an older epoch, and wants sequence 0 from a newer one', () => {
    const state = new ProducerState()
    append(state, batch({ producerEpoch: 3, baseSequence: 10 }), { next: 0 })
    expect(() => state.check(batch({ producerEpoch: 2, baseSequence: 11 }))).toThrow(expect.objectContaining({ code: 'INVALID_PRODUCER_EPOCH' }))
    expect(() => state.check(batch({ producerEpoch: 4, baseSequence: 11 }))).toThrow(expect.objectContaining({ code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }))
    expect(state.check(batch({ producerEpoch: 4, baseSequence: 0 }))).toBeNull()
  })

  it('accepts any first sequence from a producer it has no state for, and wraps at INT32_MAX', () => {
    const state = new ProducerState()
    const end = { next: 0 }
    append(state, batch({ baseSequence: 2 ** 31 - 2, lastOffsetDelta: 1 }), end)
    expect(state.check(batch({ baseSequence: 0 }))).toBeNull()
  })

  it('holds the last stable offset at an open transaction until its marker, and reports an abort', () => {
    const state = new ProducerState()
    const end = { next: 0 }
    append(state, batch({ producerId: 1, baseSequence: 0 }), end)
    expect(state.firstUnstableOffset()).toBe(-1)
    append(state, batch({ producerId: 2, transactional: true, lastOffsetDelta: 1 }), end)
    append(state, batch({ producerId: 2, transactional: true, baseSequence: 2 }), end)
    expect(state.firstUnstableOffset()).toBe(1)
    const aborted = state.record(batch({ producerId: 2, transactional: true, controlType: 0, baseSequence: -1 }), { baseOffset: 4, lastOffset: 4, logAppendTimeMs: -1 }, 1000)
    expect(aborted).toEqual({ producerId: 2, firstOffset: 1, lastOffset: 4 })
    expect(state.firstUnstableOffset()).toBe(-1)
  })

  it('drops idle producers after the expiration, but never one with an open transaction', () => {
    const state = new ProducerState()
    const end = { next: 0 }
    append(state, batch({ producerId: 1, baseSequence: 5 }), end)
    append(state, batch({ producerId: 2, transactional: true }), end)
    state.expire(1000 + 60_000, 60_000)
    expect(state.producersView().map(p => p.producerId)).toEqual([2])
  })
})
