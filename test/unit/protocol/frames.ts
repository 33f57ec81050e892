// Test helpers: turn encoder output (a framed chunk list) back into the frame without its size prefix.
import { expect } from 'vitest'
import { frameSize, FRAME_PREFIX_BYTES } from '../../../src/protocol/index.js'

export function unframe (chunks: readonly Buffer[]): Buffer {
  const whole = Buffer.concat(chunks)
  expect(frameSize(whole)).toBe(whole.length - FRAME_PREFIX_BYTES)
  return whole.subarray(FRAME_PREFIX_BYTES)
}
