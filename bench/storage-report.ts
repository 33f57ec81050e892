// Shared helpers for the storage benches: latency histograms, machine line, one table per bench.
import os from 'node:os'
import * as hdr from 'hdr-histogram-js'

export interface Row { [column: string]: string | number }

/** Latencies are recorded in nanoseconds (hdr needs integers) and reported in microseconds. */
export function latencyHistogram (): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60e9, numberOfSignificantValueDigits: 3 })
}

export function percentileUs (h: hdr.Histogram, p: number): number {
  return round(h.getValueAtPercentile(p) / 1000)
}

export function round (value: number, digits = 1): number {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}

export function nowNs (): number {
  return Number(process.hrtime.bigint())
}

export function printMachine (title: string): void {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu'
  console.log(`# ${title}`)
  console.log(`# ${os.availableParallelism()} x ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, ${os.platform()} ${os.release()}`)
}

export function printTable (rows: Row[]): void {
  console.table(rows)
}
