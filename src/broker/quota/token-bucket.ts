// Kafka's TokenBucket stat (KIP-599), for controller_mutation_rate: credits refill at the quota's rate
// up to a burst of quota × samples × window; a mutation takes its partitions' worth, and the client is
// over its quota while the credits are below zero, for -credits / quota seconds. Unlike a sampled
// rate, a burst costs exactly the time it takes to earn it back.
import type { RateWindows } from './rate.js'

export class TokenBucket {
  private credits = 0
  private lastUpdateMs = 0

  constructor (private readonly windows: RateWindows) {}

  /** The credits left now, refilled at `limit` per second since the last look. */
  measure (limit: number, nowMs: number): number {
    this.refill(limit, nowMs)
    return this.credits
  }

  record (limit: number, value: number, nowMs: number): void {
    this.refill(limit, nowMs)
    this.credits = Math.min(this.burst(limit), this.credits - value)
  }

  private refill (limit: number, nowMs: number): void {
    this.credits = Math.min(this.burst(limit), this.credits + limit * (nowMs - this.lastUpdateMs) / 1000)
    this.lastUpdateMs = nowMs
  }

  private burst (limit: number): number {
    return limit * this.windows.samples * this.windows.windowMs / 1000
  }
}
