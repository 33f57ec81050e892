// The crash part of the fault harness (test/fault/crash-harness.ts): 20 SIGKILLs in CI; `npm run soak` runs 500.
import { describe, expect, it } from 'vitest'
import { crashRounds } from '../fault/crash-harness.js'

describe('crash safety under flush.messages=1', () => {
  it('keeps every acknowledged record exactly once and in order, with valid CRCs and the committed offset, across 20 SIGKILLs', async () => {
    const report = await crashRounds(20)
    expect(report.problems).toEqual([])
    expect(report.acknowledged).toBeGreaterThan(0)
    expect(report.found).toBeGreaterThanOrEqual(report.acknowledged)
  }, 110_000)
})
