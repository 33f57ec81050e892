// A rate over sampled windows, as Kafka's Rate over a WindowedSum (org.apache.kafka.common.metrics):
// `samples` windows of `windowMs` each (quota.window.num, quota.window.size.seconds), plus one spare
// so the oldest window still overlapping the measured span is kept. The rate is the sum of the kept
// samples over the measured span, that span padded to at least samples-1 whole windows: a client's
// first burst is measured as if the windows before it were there and empty, so a quota allows about
// (samples-1) windows' worth of bytes at once before it throttles (Kafka's Rate.windowSize).
export interface RateWindows { samples: number, windowMs: number }

interface Sample { value: number, startMs: number, lastEventMs: number }

export class Rate {
  private readonly kept: Sample[] = []
  private current = 0
  /** When a value was last recorded: idle sensors are dropped after an hour, as Kafka expires them. */
  lastRecordMs = 0

  constructor (private readonly windows: RateWindows) {}

  record (value: number, nowMs: number): void {
    let sample = this.currentSample(nowMs)
    if (nowMs - sample.startMs >= this.windows.windowMs) sample = this.advance(nowMs)
    sample.value += value
    sample.lastEventMs = nowMs
    this.lastRecordMs = nowMs
  }

  /** Units per second over the measured span. */
  measure (nowMs: number): number {
    const span = this.spanMs(nowMs)
    let sum = 0
    for (const sample of this.kept) sum += sample.value
    return sum / (span / 1000)
  }

  /** The span the rate divides by (Kafka's Rate.windowSize), at least 1 ms; purges expired samples first. */
  spanMs (nowMs: number): number {
    const { samples, windowMs } = this.windows
    const expireAfter = samples * windowMs
    for (const sample of this.kept) {
      if (nowMs - sample.lastEventMs >= expireAfter) reset(sample, nowMs)
    }
    let oldest = this.currentSample(nowMs).startMs
    for (const sample of this.kept) oldest = Math.min(oldest, sample.startMs)
    let span = nowMs - oldest
    const fullWindows = Math.floor(span / windowMs)
    if (fullWindows < samples - 1) span += (samples - 1 - fullWindows) * windowMs
    return Math.max(span, 1)
  }

  private currentSample (nowMs: number): Sample {
    if (this.kept.length === 0) this.kept.push({ value: 0, startMs: nowMs, lastEventMs: nowMs })
    return this.kept[this.current]!
  }

  private advance (nowMs: number): Sample {
    this.current = (this.current + 1) % (this.windows.samples + 1)
    if (this.current >= this.kept.length) {
      const sample = { value: 0, startMs: nowMs, lastEventMs: nowMs }
      this.kept.push(sample)
      return sample
    }
    const sample = this.kept[this.current]!
    reset(sample, nowMs)
    return sample
  }
}

function reset (sample: Sample, nowMs: number): void {
  sample.value = 0
  sample.startMs = nowMs
  sample.lastEventMs = nowMs
}
