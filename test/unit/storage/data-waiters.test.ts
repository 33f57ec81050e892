import { describe, expect, it } from 'vitest'
import { DataWaiters } from '../../../src/storage/data-waiters.js'

async function settled (p: Promise<void>): Promise<boolean> {
  let done = false
  void p.then(() => { done = true })
  await new Promise((resolve) => setImmediate(resolve))
  return done
}

describe('DataWaiters', () => {
  it('wakes a wait only once the high watermark passes its offset', async () => {
    const waiters = new DataWaiters()
    const wait = waiters.wait(5, new AbortController().signal)
    waiters.wake(5)
    expect(await settled(wait)).toBe(false)
    waiters.wake(6)
    expect(await settled(wait)).toBe(true)
  })

  it('resolves on abort and stops listening to the signal', async () => {
    const waiters = new DataWaiters()
    const abort = new AbortController()
    const wait = waiters.wait(0, abort.signal)
    abort.abort()
    expect(await settled(wait)).toBe(true)
  })

  it('resolves at once for an already aborted signal', async () => {
    const waiters = new DataWaiters()
    expect(await settled(waiters.wait(0, AbortSignal.abort()))).toBe(true)
  })

  it('wakes every wait when the partition goes away', async () => {
    const waiters = new DataWaiters()
    const signal = new AbortController().signal
    const waits = [waiters.wait(1, signal), waiters.wait(100, signal)]
    waiters.wakeAll()
    expect(await settled(Promise.all(waits).then(() => {}))).toBe(true)
  })
})

describe('DataWaiters.watch', () => {
  it('calls back once, when the high watermark passes its offset', () => {
    const waiters = new DataWaiters()
    let calls = 0
    waiters.watch(5, () => { calls++ })
    waiters.wake(5)
    expect(calls).toBe(0)
    waiters.wake(6)
    waiters.wake(7)
    expect(calls).toBe(1)
  })

  it('a cancelled watch is never called, also not when the partition goes away', () => {
    const waiters = new DataWaiters()
    let calls = 0
    const cancel = waiters.watch(0, () => { calls++ })
    cancel()
    waiters.wake(10)
    waiters.wakeAll()
    expect(calls).toBe(0)
  })
})
