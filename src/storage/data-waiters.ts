// Long-poll waits on one partition: woken by append completions on this thread, never by a timer.
//
// A watch fires once, when the high watermark passes its offset or when the partition goes away
// (deleted, store closed); its cancel function removes it. A wait is the promise form: it resolves
// on the same events or when its signal aborts, and never rejects once it is waiting (a caller races
// many and aborts the losers; rejections there would only be noise). Either way the caller looks at
// the partition again afterwards; read() and highWatermark() then say what happened.

interface Watch { offset: number; wake: () => void }

export class DataWaiters {
  private readonly watches = new Set<Watch>()

  /** Calls `wake` once, on the first append past `offset` (or when the partition goes away);
   *  returns a function that cancels the watch. Plain callbacks, no AbortController: a Fetch long
   *  poll registers one per partition per wait, and aborting a controller builds a DOMException. */
  watch (offset: number, wake: () => void): () => void {
    const watch: Watch = { offset, wake }
    this.watches.add(watch)
    return () => { this.watches.delete(watch) }
  }

  async wait (offset: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return
    await new Promise<void>((resolve) => {
      const done = (): void => {
        cancel()
        signal.removeEventListener('abort', done)
        resolve()
      }
      const cancel = this.watch(offset, done)
      signal.addEventListener('abort', done, { once: true })
    })
  }

  /** Wakes every watch for an offset below the new high watermark. */
  wake (highWatermark: number): void {
    for (const watch of this.watches) {
      if (watch.offset < highWatermark) this.fire(watch)
    }
  }

  wakeAll (): void {
    for (const watch of this.watches) this.fire(watch)
  }

  private fire (watch: Watch): void {
    this.watches.delete(watch)
    watch.wake()
  }
}
