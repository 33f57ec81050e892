// The systems the comparative runner starts, with equivalent durable settings:
//   Sluice         dist/cli/main.js start; topics get flush.ms=1000 (fsync at least once a second)
//   Redis          redis-server, AOF on, appendfsync everysec, no RDB snapshots
//   NATS           nats-server -js, file storage in the data dir (stream created by the driver)
//   kafka-stub     bench/kafka-stub.ts, a Kafka broker that stores nothing (Node clients' ceilings)
// Each listens on loopback only, on a free port, and writes into a fresh directory under `base`.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchDir, freePort, spawnServer, type Server } from './process.js'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const SLUICE_READY = /Sluice ready: Kafka on (\S+):(\d+)/

/** `root`: the checkout whose dist/ runs (another build, for interleaved before/after runs).
 *  `nodeFlags`: node flags for the broker, by default BROKER_NODE_ARGS (e.g. --cpu-prof
 *  --cpu-prof-dir=DIR or --trace-gc). */
export async function startSluice (base?: string, settings: Record<string, string> = {}, root = REPO, nodeFlags = process.env.BROKER_NODE_ARGS ?? ''): Promise<Server> {
  const dataDir = benchDir('sluice', base)
  const sets = Object.entries(settings).flatMap(([k, v]) => ['--set', `${k}=${v}`])
  const nodeArgs = nodeFlags.split(' ').filter(arg => arg !== '')
  return await spawnServer({
    name: 'sluice',
    command: process.execPath,
    args: [...nodeArgs, join(root, 'dist', 'cli', 'main.js'), 'start', '--data-dir', dataDir, '--port', '0', ...sets],
    dataDir,
    env: { ...process.env, SLUICE_LOG_LEVEL: 'warn' },
    ready: (out) => { const m = SLUICE_READY.exec(out); return m === null ? null : Number(m[2]) }
  })
}

/** bench/kafka-stub.ts: answers Produce without storing anything (a Node client's own ceiling). */
export async function startStub (partitions: number, delayMs = 0): Promise<Server> {
  const dataDir = benchDir('stub')
  return await spawnServer({
    name: 'kafka-stub', command: process.execPath, args: ['--import', 'tsx', join(REPO, 'bench', 'kafka-stub.ts'), '--partitions', String(partitions), '--delay-ms', String(delayMs)],
    dataDir, ready: (o) => { const m = /stub ready on (\d+)/.exec(o); return m === null ? null : Number(m[1]) }
  })
}

export async function startRedis (base?: string): Promise<Server> {
  const dataDir = benchDir('redis', base)
  const port = await freePort()
  return await spawnServer({
    name: 'redis',
    command: 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--appendonly', 'yes', '--appendfsync', 'everysec',
      '--save', '', '--protected-mode', 'yes', '--daemonize', 'no'],
    dataDir,
    ready: (out) => out.includes('Ready to accept connections') ? port : null
  })
}

export async function startNats (base?: string): Promise<Server> {
  const dataDir = benchDir('nats', base)
  const port = await freePort()
  return await spawnServer({
    name: 'nats',
    command: 'nats-server',
    args: ['-js', '-sd', dataDir, '-a', '127.0.0.1', '-p', String(port)],
    dataDir,
    ready: (out) => out.includes('Server is ready') ? port : null
  })
}
