// Torn and lost writes: the broker runs in the native core's fault-test mode (SLUICE_FAULT_RECORD_SYNC,
// which records how far each fsync reached), and after each SIGKILL the data directory is cut back to
// what a power loss would leave (test/fault/power-loss.ts): the unsynced tail dropped, or the first
// unsynced batch half written. A SIGKILL alone keeps the page cache; this is what tests the fsyncs.
import { describe, expect, it } from 'vitest'
import { crashRounds, STRICT_SETTINGS } from '../fault/crash-harness.js'
import { simulatePowerLoss, type PowerLossReport } from '../fault/power-loss.js'

process.env.SLUICE_FAULT_RECORD_SYNC = '1' // inherited by the brokers this file starts

describe('power loss after acknowledged writes', () => {
  it('keeps every record acknowledged under flush.messages=1 when the unsynced tail is lost or torn', async () => {
    const cuts: PowerLossReport[] = []
    const report = await crashRounds(8, {
      afterKill: (dir, round) => { cuts.push(simulatePowerLoss(dir, round % 2 === 0 ? 'lost' : 'torn')) }
    })
    expect(report.problems).toEqual([])
    expect(report.acknowledged).toBeGreaterThan(0)
    expect(cuts.reduce((n, c) => n + c.partitions, 0)).toBeGreaterThan(0)
    const cut = cuts.reduce((n, c) => n + c.cutBytes, 0)
    const torn = cuts.reduce((n, c) => n + c.tornBatches, 0)
    console.log(`power loss: ${report.acknowledged} acknowledged, ${report.found} found; ${cut} unsynced bytes cut, ${torn} batches torn`)
  }, 90_000)

  it('detects the loss of acknowledged records when the broker never fsyncs (the default policy)', async () => {
    const { 'log.flush.interval.messages': _strict, ...lazy } = STRICT_SETTINGS
    const report = await crashRounds(1, { maxRoundMs: 600, settings: lazy, afterKill: (dir) => { simulatePowerLoss(dir, 'lost') } })
    expect(report.acknowledged).toBeGreaterThan(0)
    expect(report.problems.some((p) => p.includes('missing'))).toBe(true)
  }, 60_000)
})
