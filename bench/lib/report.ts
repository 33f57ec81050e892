// What every load benchmark prints: the machine, a progress line while it runs (rate, elapsed,
// remaining; on stderr so tables on stdout stay clean), plain tables, and a results directory with
// the JSON, the .hgrm histograms and the SVG pictures.
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os'
import { join } from 'node:path'
import { table, type Cell } from '../../src/cli/table.js'

export { table, type Cell }

/** The machine, and its load average: other work on a 2-core machine moves every figure. */
export function machine (): string {
  return `${availableParallelism()} × ${cpus()[0]?.model ?? 'unknown cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
    `${platform()} ${release()}, Node ${process.version}, load average ${loadavg().map(l => l.toFixed(1)).join(' ')}`
}

export const nowNs = (): bigint => process.hrtime.bigint()
export const round = (v: number, digits = 1): number => Number(v.toFixed(digits))

/** A one-line progress report on stderr, redrawn at most once a second. */
export class Progress {
  private last = 0
  private readonly started = performance.now()

  constructor (private readonly label: string, private readonly total: number, private readonly seconds: number) {}

  /** `done` records so far (of `total`); prints rate, elapsed and what remains of count and time. */
  update (done: number, force = false): void {
    const now = performance.now()
    if (!force && now - this.last < 1000) return
    this.last = now
    const elapsed = (now - this.started) / 1000
    const rate = done / Math.max(elapsed, 0.001)
    const left = Math.min(this.seconds - elapsed, (this.total - done) / Math.max(rate, 1))
    process.stderr.write(`  ${this.label}: ${Math.round(rate).toLocaleString('en')} records/s · ${elapsed.toFixed(1)} s · ` +
      `${done.toLocaleString('en')}/${this.total.toLocaleString('en')} · ~${Math.max(0, left).toFixed(0)} s left\n`)
  }
}

export class ResultsDir {
  constructor (readonly dir: string) {
    mkdirSync(dir, { recursive: true })
  }

  write (name: string, content: string | object): string {
    const path = join(this.dir, name)
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2) + '\n')
    return path
  }
}
