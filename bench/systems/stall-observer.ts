// The machine's stalls during a run: a separate process that needs almost no CPU (a 1 ms timer) and
// notes every tick that came more than STALL_MS late. When even it gets no core for that long, every
// thread that wanted one then waited too, whatever system is under test: on the shared 2-core VM
// these stalls (up to ~100 ms, often every thread of the broker and the load generator at the same
// instant) set the end-to-end tail. The observer runs in a session of its own (detached), so Linux's
// autogroup scheduling does not count it with the load generator and the server: its stalls are the
// machine's, not those of a group that used more than its share of the cores. Times are CLOCK_MONOTONIC ns (process.hrtime), the same clock in
// every process, so a stall can be matched with the records it overlapped.
import { spawn } from 'node:child_process'
import { latencyHistogram, recordNs, type Histogram } from '../lib/latency.js'

/** A late tick: the observer wanted a core from `startNs` on and ran again `ms` later. */
export interface Stall { startNs: number, ms: number }

export const STALL_MS = 5

const TICK_MS = 1
const OBSERVER = `
const late = ${(TICK_MS + STALL_MS) * 1e6}n
let last = process.hrtime.bigint()
setInterval(() => {
  const now = process.hrtime.bigint()
  if (now - last > late) process.stdout.write(last + ' ' + (now - last) + '\\n')
  last = now
}, ${TICK_MS})
process.on('SIGTERM', () => process.exit(0))
process.stdin.on('end', () => process.exit(0)).resume()
`

export interface StallObserver { stop: () => Promise<Stall[]> }

/** Starts the observer; `stop` ends it (by its PID) and returns the stalls it saw. */
export async function observeStalls (): Promise<StallObserver> {
  // Its stdin is a pipe from here: if this process dies without stop(), the observer sees the pipe
  // end and exits (being detached, it would not get this process group's signals).
  const child = spawn(process.execPath, ['-e', OBSERVER], { stdio: ['pipe', 'pipe', 'inherit'], detached: true })
  let out = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => { out += chunk })
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve)
    child.once('error', reject)
  })
  return {
    async stop () {
      const exited = new Promise(resolve => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
      return out.split('\n').filter(line => line !== '').map(line => {
        const [start, late] = line.split(' ')
        return { startNs: Number(start), ms: Number(late) / 1e6 - TICK_MS }
      })
    }
  }
}

/** What the stalls did to a run: `times` holds (intended send, receipt) pairs, in send order. */
export interface StallImpact {
  /** Stalls that began while records were in flight, their longest and their sum (ms). */
  count: number
  longestMs: number
  totalMs: number
  /** Records in flight during a stall, as a share of all. */
  touched: number
  /** Latency of the records no stall overlapped. */
  untouched: Histogram
}

const end = (s: Stall): number => s.startNs + (s.ms + TICK_MS) * 1e6

export function stallImpact (stalls: readonly Stall[], times: Float64Array): StallImpact {
  const from = times[0] ?? 0
  let to = 0
  for (let i = 1; i < times.length; i += 2) to = Math.max(to, times[i]!)
  const during = stalls.filter(s => end(s) >= from && s.startNs <= to)
  const untouched = latencyHistogram()
  let touched = 0
  let first = 0 // records are in send order: stalls ending before this record's send are behind it
  for (let i = 0; i < times.length; i += 2) {
    const sent = times[i]!
    const receipt = times[i + 1]!
    while (first < during.length && end(during[first]!) < sent) first++
    let hit = false
    for (let s = first; s < during.length && during[s]!.startNs <= receipt; s++) if (end(during[s]!) >= sent) hit = true
    if (hit) touched++
    else recordNs(untouched, receipt - sent)
  }
  return {
    count: during.length,
    longestMs: Math.max(0, ...during.map(s => s.ms)),
    totalMs: during.reduce((sum, s) => sum + s.ms, 0),
    touched: times.length === 0 ? 0 : touched / (times.length / 2),
    untouched
  }
}
