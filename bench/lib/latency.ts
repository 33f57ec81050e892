// Latency recording for the load generator: an HdrHistogram in microseconds (1 µs to 60 s, 3
// significant digits), the percentiles the reports print, the saved .hgrm text, and an SVG picture
// of the percentile distribution with one line per run (x: percentile on a 1/(1-p) log scale, the
// usual HdrHistogram plot, so the tail gets as much room as the median).
import * as hdr from 'hdr-histogram-js'

export type Histogram = hdr.Histogram

export const PERCENTILES = [50, 90, 99, 99.9, 99.99] as const

export interface LatencySummary {
  count: number
  /** Milliseconds at each of PERCENTILES, then the maximum. */
  p50: number
  p90: number
  p99: number
  'p99.9': number
  'p99.99': number
  max: number
}

export function latencyHistogram (): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 })
}

/** Records one latency given in nanoseconds (clamped into the trackable range). */
export function recordNs (h: Histogram, ns: number | bigint): void {
  const us = Math.round(Number(ns) / 1000)
  h.recordValue(Math.min(Math.max(us, 1), 60_000_000))
}

export function summarize (h: Histogram): LatencySummary {
  const ms = (p: number): number => round3(h.getValueAtPercentile(p) / 1000)
  return { count: h.totalCount, p50: ms(50), p90: ms(90), p99: ms(99), 'p99.9': ms(99.9), 'p99.99': ms(99.99), max: round3(h.maxValue / 1000) }
}

/** HdrHistogram's percentile distribution text (values in ms), loadable by HdrHistogram's plotters. */
export function hgrm (h: Histogram): string {
  return h.outputPercentileDistribution(5, 1000)
}

export interface Series { label: string, histogram: Histogram }

const W = 760
const H = 420
const PAD = { left: 64, right: 170, top: 36, bottom: 48 }
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf']
/** The x axis ends at 99.999% (1/(1-p) = 10^5); larger tails are the max, printed in the legend. */
const X_DECADES = 5

/** An SVG of latency (ms, log scale) against percentile for each series. */
export function percentileSvg (title: string, series: readonly Series[]): string {
  const plotW = W - PAD.left - PAD.right
  const plotH = H - PAD.top - PAD.bottom
  const points = series.map(s => curve(s.histogram))
  const values = points.flat().map(p => p.ms).filter(v => v > 0)
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...values, 0.01))))
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...values, 0.1))))
  const x = (p: number): number => PAD.left + plotW * Math.min(Math.log10(1 / (1 - p / 100)), X_DECADES) / X_DECADES
  const y = (ms: number): number => PAD.top + plotH * (1 - Math.log10(Math.max(ms, lo) / lo) / Math.log10(hi / lo))
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`
  ]
  for (let d = 0; d <= X_DECADES; d++) {
    const p = 100 * (1 - Math.pow(10, -d))
    const px = x(p)
    out.push(`<line x1="${px}" y1="${PAD.top}" x2="${px}" y2="${PAD.top + plotH}" stroke="#ddd"/>`,
      `<text x="${px}" y="${PAD.top + plotH + 16}" text-anchor="middle">${d === 0 ? '0' : String(Number(p.toFixed(3)))}%</text>`)
  }
  for (let v = lo; v <= hi * 1.0001; v *= 10) {
    const py = y(v)
    out.push(`<line x1="${PAD.left}" y1="${py}" x2="${PAD.left + plotW}" y2="${py}" stroke="#ddd"/>`,
      `<text x="${PAD.left - 6}" y="${py + 4}" text-anchor="end">${Number(v.toPrecision(1))} ms</text>`)
  }
  out.push(`<text x="${PAD.left + plotW / 2}" y="${H - 10}" text-anchor="middle">percentile</text>`)
  points.forEach((pts, i) => {
    const color = COLORS[i % COLORS.length] as string
    const path = pts.filter(p => p.percentile < 100).map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p.percentile).toFixed(1)},${y(p.ms).toFixed(1)}`).join(' ')
    out.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`)
    const s = series[i] as Series
    const ly = PAD.top + 14 + i * 34
    out.push(`<line x1="${W - PAD.right + 12}" y1="${ly - 4}" x2="${W - PAD.right + 32}" y2="${ly - 4}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${W - PAD.right + 38}" y="${ly}">${escapeXml(s.label)}</text>`,
      `<text x="${W - PAD.right + 38}" y="${ly + 14}" fill="#555">p50 ${fmt(s.histogram.getValueAtPercentile(50))} · max ${fmt(s.histogram.maxValue)}</text>`)
  })
  out.push('</svg>')
  return out.join('\n') + '\n'
}

function curve (h: Histogram): Array<{ percentile: number, ms: number }> {
  const pts: Array<{ percentile: number, ms: number }> = []
  if (h.totalCount === 0) return pts
  for (let d = 0; d <= X_DECADES * 20; d++) {
    const p = 100 * (1 - Math.pow(10, -d / 20))
    pts.push({ percentile: p, ms: h.getValueAtPercentile(p) / 1000 })
  }
  return pts
}

function fmt (us: number): string {
  return us >= 1000 ? `${round3(us / 1000)} ms` : `${us} µs`
}

function round3 (v: number): number {
  return Math.round(v * 1000) / 1000
}

function escapeXml (s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
