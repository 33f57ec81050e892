// Long-poll waits on one partition: woken by append completions on this thread, never by a timer.
//
// A wait resolves when the high watermark passes its offset, when its signal aborts, or when the
// partition goes away (deleted, store closed). It never rejects once it is waiting: a fetch races many
// of these and aborts the losers, and rejections there would only be noise. The caller looks at the
// partition again afterwards; read() and highWatermark() then say what happened.

interface Waiter { offset: number; wake: () => void }

export class DataWaiters {
  private readonly waiters = new Set<Waiter>()

  async wait (offset: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return
    await new Promise<void>((resolve) => {
      const waiter: Waiter = {
        offset,
        wake: () => {
          this.waiters.delete(waiter)
          signal.removeEventListener('abort', waiter.wake)
          resolve()
        }
      }
      this.waiters.add(waiter)
      signal.addEventListener('abort', waiter.wake, { once: true })
    })
  }

  /** Wakes every wait for an offset below the new high watermark. */
  wake (highWatermark: number): void {
    for (const waiter of this.waiters) {
      if (waiter.offset < highWatermark) waiter.wake()
    }
  }

  wakeAll (): void {
    for (const waiter of this.waiters) waiter.wake()
  }
}
