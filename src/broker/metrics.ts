// The broker's metrics registry: what the front ends count as traffic flows. GET /metrics
// (src/gateway/metrics-text.ts) renders it together with the gauges it reads at scrape time (partition
// offsets and sizes, group lag, connections, shard counters, memory).
//
// Cost on the hot path, measured on the 2-core VM (Node 20): one Map lookup per request and per topic,
// and one hdr-histogram record (~0.2 µs). Latency quantiles cover a sliding window of one to two
// minutes (two histograms, rotated every WINDOW_MS), so they describe now, not the whole uptime;
// counts and sums are cumulative, as Prometheus expects.
import { createRequire } from 'node:module'
import type { Histogram } from 'hdr-histogram-js'
import { recordsIn } from '../protocol/codec/batch-peek.js'
import { viewRecordCount } from '../storage/native.js'

// The package's index also compiles its WebAssembly build (~50 ms of every start); the plain JS
// histogram that hdr.build({ bitBucketSize: 32 }) would make is loaded alone.
// Loaded at the first request, not at start-up (its five CommonJS files took ~7 ms of every start).
type Int32HistogramClass = typeof import('hdr-histogram-js/dist/Int32Histogram.js').default
let Int32Histogram: Int32HistogramClass | null = null

const WINDOW_MS = 60_000
/** Views at least this large (catch-up reads) are counted from the file: a pread per batch header. */
const LARGE_VIEW_BYTES = 256 * 1024
/** Microseconds; an hour is the longest request we keep apart from "longer". */
const HIGHEST_US = 3_600_000_000

/** The key requests for an API the broker does not serve are counted under (see router.ts). */
export const UNSERVED_API = -1

export const QUANTILES = [0.5, 0.9, 0.99, 0.999] as const

export interface TopicTraffic { bytesIn: number, recordsIn: number, bytesOut: number, recordsOut: number }

export interface ApiSnapshot {
  apiKey: number
  requests: number
  errors: number
  /** Seconds spent in all requests of this API. */
  totalSeconds: number
  /** Seconds at each of QUANTILES over the recent window; empty when the window saw no request. */
  quantiles: number[]
}

class ApiStats {
  requests = 0
  errors = 0
  totalUs = 0
  current = newHistogram()
  previous = newHistogram()
}

export class BrokerMetrics {
  private readonly apis = new Map<number, ApiStats>()
  private readonly traffic = new Map<string, TopicTraffic>()
  private windowStart = Date.now()

  /** One call per Kafka request, from the router: how long it took and whether it failed (threw). */
  recordRequest (apiKey: number, durationMs: number, failed: boolean): void {
    let stats = this.apis.get(apiKey)
    if (stats === undefined) this.apis.set(apiKey, stats = new ApiStats())
    const us = Math.min(HIGHEST_US, Math.max(1, Math.round(durationMs * 1000)))
    stats.requests++
    if (failed) stats.errors++
    stats.totalUs += us
    stats.current.recordValue(us)
  }

  topicIn (topic: string, bytes: number, records: number): void {
    const t = this.topic(topic)
    t.bytesIn += bytes
    t.recordsIn += records
  }

  topicOut (topic: string, bytes: number, records: number): void {
    const t = this.topic(topic)
    t.bytesOut += bytes
    t.recordsOut += records
  }

  /** Counts the record batches of a Records field (a produce request's or a fetch answer's) for `topic`. */
  batchesIn (topic: string, records: Buffer): void {
    this.topicIn(topic, records.length, recordsIn(records))
  }

  batchesOut (topic: string, views: readonly Buffer[]): void {
    let bytes = 0
    let count = 0
    for (const view of views) {
      bytes += view.length
      // A large read view is counted from the file: its send never touches the mapped pages, and
      // walking its headers here made them the first pass's costliest part (native/net/send.h).
      const counted = view.length >= LARGE_VIEW_BYTES ? viewRecordCount(view) : -1
      count += counted >= 0 ? counted : recordsIn(view)
    }
    if (bytes > 0) this.topicOut(topic, bytes, count)
  }

  topics (): ReadonlyMap<string, Readonly<TopicTraffic>> { return this.traffic }

  /** A deleted topic's counters go with it, so /metrics does not list topics forever. */
  forgetTopic (topic: string): void { this.traffic.delete(topic) }

  apiSnapshots (now = Date.now()): ApiSnapshot[] {
    this.maybeRotate(now)
    return [...this.apis.entries()].sort((a, b) => a[0] - b[0]).map(([apiKey, s]) => {
      const window = newHistogram()
      window.add(s.previous)
      window.add(s.current)
      const quantiles = window.totalCount === 0 ? [] : QUANTILES.map(q => window.getValueAtPercentile(q * 100) / 1e6)
      return { apiKey, requests: s.requests, errors: s.errors, totalSeconds: s.totalUs / 1e6, quantiles }
    })
  }

  private topic (name: string): TopicTraffic {
    let t = this.traffic.get(name)
    if (t === undefined) this.traffic.set(name, t = { bytesIn: 0, recordsIn: 0, bytesOut: 0, recordsOut: 0 })
    return t
  }

  private maybeRotate (now: number): void {
    if (now - this.windowStart < WINDOW_MS) return
    // More than two windows idle: both halves are stale.
    const stale = now - this.windowStart >= 2 * WINDOW_MS
    for (const s of this.apis.values()) {
      const recycled = s.previous
      recycled.reset()
      s.previous = stale ? newHistogram() : s.current
      s.current = recycled
    }
    this.windowStart = now
  }
}

function newHistogram (): Histogram {
  Int32Histogram ??= (createRequire(import.meta.url)('hdr-histogram-js/dist/Int32Histogram.js') as typeof import('hdr-histogram-js/dist/Int32Histogram.js')).default
  const histogram = new Int32Histogram(1, HIGHEST_US, 2)
  histogram.autoResize = true // as hdr.build() sets it
  return histogram
}
