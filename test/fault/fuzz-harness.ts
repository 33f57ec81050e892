// Protocol fuzzing at the listener: random and mutated request frames over many connections, while a
// witness connection keeps doing real work. The broker must stay up, keep answering the witness, and
// keep its memory bounded. Seeds are the request frames real clients sent (test/golden/*/*.bin).
//
// Mutations, each picked at random per frame: random bytes; a seed cut short (truncated fields); bytes
// overwritten with 0xff runs (invalid varints, negative lengths); an int32 set to a huge array count;
// an unknown API key or version; a size prefix that lies (negative, zero, larger than the frame, larger
// than socket.request.max.bytes). A connection the broker closes is replaced by a new one.
// Used by test/integration/lifecycle-fuzz.test.ts (20,000 frames) and `npm run soak` (1,000,000).
import { readdirSync, readFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { REPO_ROOT, type RunningBroker } from '../helpers/broker.js'

export interface FuzzReport { frames: number, connections: number, rssStartKb: number, rssMaxKb: number, rssEndKb: number }

const CONNECTIONS = 8
const FRAMES_PER_CONNECTION = 4

/** Deterministic PRNG (mulberry32) so that a failing seed can be replayed. */
export function prng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Requests that only read or append: a mutated CreateTopics or CreatePartitions is a valid request for
 * thousands of partitions, which tests the data directory's file limit rather than the parser.
 */
const SEED_APIS = new Set(['api-versions', 'metadata', 'produce', 'fetch', 'list-offsets', 'describe-configs'])

export function seedFrames (): Buffer[] {
  const root = join(REPO_ROOT, 'test', 'golden')
  return readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory() && SEED_APIS.has(d.name))
    .flatMap((d) => readdirSync(join(root, d.name)).filter((f) => f.endsWith('.bin')).map((f) => readFileSync(join(root, d.name, f))))
}

/** One fuzzed frame, size prefix included. */
export function mutate (seeds: Buffer[], rand: () => number): Buffer {
  const int = (n: number): number => Math.floor(rand() * n)
  const seed = seeds[int(seeds.length)] ?? Buffer.alloc(8)
  let body = Buffer.from(seed)
  switch (int(7)) {
    case 0: body = Buffer.from(Array.from({ length: int(64) }, () => int(256))); break
    case 1: body = body.subarray(0, int(body.length)); break
    case 2: { const at = int(body.length); body.fill(0xff, at, Math.min(body.length, at + 1 + int(12))); break }
    case 3: if (body.length >= 12) body.writeInt32BE(rand() < 0.5 ? 0x7fffffff : 0x3fffffff + int(1000), 8 + int(body.length - 11)); break
    case 4: if (body.length >= 4) { body.writeInt16BE(int(65536) - 32768, 0); body.writeInt16BE(int(100), 2) } break
    case 5: if (body.length >= 4) body.writeInt16BE(int(200) - 100, 2); break
    default: for (let i = 0; i < 1 + int(4); i++) if (body.length > 0) body[int(body.length)] = int(256)
  }
  const size = Buffer.alloc(4)
  const lie = rand() < 0.05
  size.writeInt32BE(lie ? [-1, 0, body.length + 1 + int(100), 0x7fffffff][int(4)]! : body.length)
  return Buffer.concat([size, body])
}

/** The broker's RSS in KiB, from /proc (the broker is the process whose command line names its data dir). */
export function brokerRssKb (broker: RunningBroker): number {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      if (!cmd.includes(broker.dataDir) || !cmd.includes('start')) continue
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
      if (m !== null) return Number(m[1])
    } catch {}
  }
  return -1
}

/** Sends `total` fuzzed frames; `between` runs every 1,000 frames (the witness's check). */
export async function fuzz (broker: RunningBroker, total: number, seed: number, between: () => Promise<void>): Promise<FuzzReport> {
  const seeds = seedFrames()
  const rand = prng(seed)
  const report: FuzzReport = { frames: 0, connections: 0, rssStartKb: brokerRssKb(broker), rssMaxKb: 0, rssEndKb: 0 }
  // A few frames per connection, then EOF: the broker parses them, answers or closes, and the next
  // connection starts clean, so most frames are really parsed rather than dropped after a bad one.
  const lane = async (): Promise<void> => {
    while (report.frames < total) {
      const socket = await open(broker)
      report.connections++
      const closed = new Promise((resolve) => { socket.once('close', resolve) })
      socket.on('error', () => {}) // resets are expected: the broker closes on a bad frame
      socket.on('data', () => {}) // answers are read and dropped
      const frames = Array.from({ length: 1 + Math.floor(rand() * FRAMES_PER_CONNECTION) }, () => mutate(seeds, rand))
      report.frames += frames.length
      socket.end(Buffer.concat(frames))
      await closed
      if (report.frames % 1000 < FRAMES_PER_CONNECTION) {
        await between()
        report.rssMaxKb = Math.max(report.rssMaxKb, brokerRssKb(broker))
      }
    }
  }
  await Promise.all(Array.from({ length: CONNECTIONS }, lane))
  report.rssEndKb = brokerRssKb(broker)
  return report
}

async function open (broker: RunningBroker): Promise<Socket> {
  return await new Promise((resolve, reject) => {
    const socket = connect({ host: broker.host, port: broker.port })
    socket.once('connect', () => { resolve(socket) })
    socket.once('error', reject)
  })
}
