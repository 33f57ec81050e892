// The frame reader without a socket: each "read" copies bytes into the buffer next() offers, as Node's
// onread does, at most as many as fit.
import { describe, expect, it } from 'vitest'
import { FrameReader, SLAB_BYTES, SlabPool, type Slab } from '../../../src/broker/frame-reader.js'

interface Cut { frame: Buffer, slab: Slab }

function setup (maxFrameBytes = 64 << 20): { reader: FrameReader, cuts: Cut[], invalid: number[] } {
  const cuts: Cut[] = []
  const invalid: number[] = []
  const reader = new FrameReader(new SlabPool(4), maxFrameBytes, {
    frame: (frame, slab) => { cuts.push({ frame, slab }) },
    invalidSize: (size) => { invalid.push(size) }
  })
  return { reader, cuts, invalid }
}

/** Delivers `bytes` in reads of at most `piece` bytes (and never more than the offered buffer holds). */
function deliver (reader: FrameReader, bytes: Buffer, piece: number): void {
  let at = 0
  while (at < bytes.length) {
    const into = reader.next()
    if (into.length === 0) throw new Error('the reader offered no room')
    const count = Math.min(piece, into.length, bytes.length - at)
    bytes.copy(into, 0, at, at + count)
    at += count
    reader.received(count)
  }
}

/** Byte comparison without vitest's element-by-element diffing of megabytes. */
function same (frames: Buffer[], expected: Buffer[]): boolean {
  return frames.length === expected.length && frames.every((f, i) => f.equals(expected[i]!))
}

function framed (body: Buffer): Buffer {
  const prefix = Buffer.alloc(4)
  prefix.writeInt32BE(body.length)
  return Buffer.concat([prefix, body])
}

function body (n: number, size: number): Buffer {
  const out = Buffer.alloc(size, n % 251)
  out.writeUInt32BE(n, 0)
  return out
}

describe('FrameReader', () => {
  it('cuts frames split anywhere, even a byte at a time, into the frames that were sent', () => {
    for (const piece of [1, 3, 4096, 100_000]) {
      const { reader, cuts } = setup()
      const bodies = [body(1, 10), body(2, 4), body(3, 20_000), body(4, piece === 1 ? 30_000 : 300_000), body(5, 7)]
      deliver(reader, Buffer.concat(bodies.map(framed)), piece)
      expect(same(cuts.map(c => c.frame), bodies)).toBe(true)
    }
  })

  it('a frame larger than a slab arrives whole, its buffer growing with the bytes that came', () => {
    const { reader, cuts } = setup()
    const big = body(9, 3 * SLAB_BYTES + 123)
    const stream = framed(big)
    deliver(reader, stream.subarray(0, 8), 8)
    // Only the size prefix has come: the reader has not made room for the 3 MiB the peer claims.
    expect(reader.next().length).toBeLessThanOrEqual(SLAB_BYTES)
    deliver(reader, stream.subarray(8), 64 * 1024)
    expect(cuts).toHaveLength(1)
    expect(cuts[0]!.frame.equals(big)).toBe(true)
  })

  it('lent frames keep their bytes while later frames arrive, and released slabs are reused', () => {
    const { reader, cuts } = setup()
    const bodies = Array.from({ length: 40 }, (_, n) => body(n, 100_000))
    deliver(reader, Buffer.concat(bodies.map(framed)), 65_536)
    expect(same(cuts.map(c => c.frame), bodies)).toBe(true)
    const slabsUsed = new Set(cuts.map(c => c.slab.bytes.buffer))
    expect(slabsUsed.size).toBeGreaterThan(2)

    for (const cut of cuts) reader.release(cut.slab)
    const again = Array.from({ length: 40 }, (_, n) => body(100 + n, 100_000))
    const before = cuts.length
    deliver(reader, Buffer.concat(again.map(framed)), 65_536)
    const later = cuts.slice(before)
    expect(same(later.map(c => c.frame), again)).toBe(true)
    // The second pass reads into slabs of the first, given back to the pool once released.
    expect(later.some(c => slabsUsed.has(c.slab.bytes.buffer))).toBe(true)
  })

  it('a size prefix above the limit, or negative, stops the reader', () => {
    for (const size of [1025, -1]) {
      const { reader, cuts, invalid } = setup(1024)
      const prefix = Buffer.alloc(4)
      prefix.writeInt32BE(size)
      deliver(reader, Buffer.concat([framed(body(1, 8)), prefix, framed(body(2, 8))]), 1000)
      expect(cuts).toHaveLength(1)
      expect(invalid).toEqual([size])
    }
  })
})
