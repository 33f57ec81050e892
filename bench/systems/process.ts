// Servers under test run as child processes (never in the load generator's own event loop), each in a
// fresh data directory, on loopback. Every one is stopped by its PID: SIGTERM, then SIGKILL after a
// grace period. An exit handler kills any that a failed run leaves behind.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const STOP_GRACE_MS = 10_000
const live = new Set<ChildProcess>()
process.once('exit', () => { for (const child of live) child.kill('SIGKILL') })

export interface Server {
  name: string
  host: string
  port: number
  dataDir: string
  pid: number
  stop: () => Promise<void>
}

export interface SpawnOptions {
  name: string
  command: string
  args: string[]
  dataDir: string
  /** Resolves with the port once the output shows the server is ready. */
  ready: (output: string) => number | null
  port?: number
  timeoutMs?: number
  env?: NodeJS.ProcessEnv
}

export function benchDir (name: string, base = tmpdir()): string {
  return mkdtempSync(join(base, `sluice-bench-${name}-`))
}

export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>(resolve => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

export async function spawnServer (o: SpawnOptions): Promise<Server> {
  const child = spawn(o.command, o.args, { stdio: ['ignore', 'pipe', 'pipe'], env: o.env ?? process.env })
  live.add(child)
  let output = ''
  const exited = new Promise<void>(resolve => child.once('exit', () => { live.delete(child); resolve() }))
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${o.name} not ready after ${o.timeoutMs ?? 20_000} ms:\n${output.slice(-2000)}`)), o.timeoutMs ?? 20_000)
    const onOutput = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-20_000)
      const found = o.ready(output)
      if (found !== null) { clearTimeout(timer); resolve(found) }
    }
    child.stdout.on('data', onOutput)
    child.stderr.on('data', onOutput)
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${o.name} exited with ${code}:\n${output.slice(-2000)}`)) })
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL')
    await exited
    throw error
  })
  return {
    name: o.name,
    host: '127.0.0.1',
    port,
    dataDir: o.dataDir,
    pid: child.pid as number,
    async stop () {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
        await exited
        clearTimeout(timer)
      }
      rmSync(o.dataDir, { recursive: true, force: true })
    }
  }
}
