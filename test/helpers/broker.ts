// Starts a real Sluice broker as a child process, the way a user would, for integration tests.
//
// Contract with the CLI (src/cli): `node dist/cli/main.js start --data-dir DIR --port 0 [--http-port 0]
// [--set name=value ...]` prints exactly one stdout line matching READY_LINE once it accepts
// connections; the printed port is the real one and the one Metadata advertises. With the gateway on,
// the line also says `HTTP on HOST:PORT`. Brokers started without `http: true` run with
// http.enabled=false, so suites running side by side never compete for the default port 8080. SIGTERM stops it
// gracefully with exit code 0. The broker runs from the compiled output, so `npx tsc` must have run.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const BROKER_ENTRY = join(REPO_ROOT, 'dist', 'cli', 'main.js')

const READY_LINE = /^Sluice ready: Kafka on (\S+):(\d+)/
const HTTP_ON = /HTTP on (\S+):(\d+)/
const LISTENERS = /listeners (\S+)/
const READY_TIMEOUT_MS = 20_000
const STOP_TIMEOUT_MS = 10_000
// Enough of the child's output to explain a failure without holding a whole log in memory.
const OUTPUT_TAIL_CHARS = 8_000

export type SettingValue = string | number | boolean

export interface StartBrokerOptions {
  /** Reuse a data directory (it is then never deleted by the helper). Default: a fresh temp dir. */
  dataDir?: string
  /** Kafka-named broker settings, passed as `--set name=value`. */
  settings?: Record<string, SettingValue>
  /** Also start the HTTP gateway on a free port (`--http-port 0`). */
  http?: boolean
  /** Listen on this Kafka port instead of a free one (restart() uses it to keep the bootstrap stable). */
  port?: number
  /** A server.properties file, passed as `--config FILE`. */
  configFile?: string
  /** Extra environment variables for the broker process (e.g. SLUICE_* settings). */
  env?: Record<string, string>
  readyTimeoutMs?: number
}

export interface RunningBroker {
  /** `127.0.0.1:PORT`, what clients bootstrap from. */
  readonly bootstrap: string
  /** The host the broker printed, which is what Metadata advertises. */
  readonly host: string
  readonly port: number
  /** Set only when `http: true` and the broker printed its HTTP address. */
  readonly httpPort: number | undefined
  /** Each listener's advertised port by name, when the broker has more than one (settings.listeners). */
  readonly listenerPorts: Readonly<Record<string, number>>
  readonly dataDir: string
  /** The broker process's id while it runs. */
  readonly pid: number | undefined
  /** The last stdout and stderr of the current process, for assertion messages. */
  output (): string
  /** SIGTERM, then waits for the exit; resolves with the exit code. Removes a temp data dir unless keepData. */
  stop (options?: { keepData?: boolean }): Promise<number | null>
  /** SIGKILL (a crash); the data dir is kept so that restart() can recover it. */
  kill (): Promise<void>
  /** Stops the broker if it runs, then starts it again on the same port with the same data dir and settings. */
  restart (): Promise<void>
}

interface Child {
  process: ChildProcess
  exited: Promise<number | null>
  stdout: string[]
  stderr: string[]
}

const live = new Set<ChildProcess>()
const ownedDirs = new Set<string>()

// A failing test must not leave brokers or data behind; 'exit' handlers can only do synchronous work.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
  for (const dir of ownedDirs) rmSync(dir, { recursive: true, force: true })
})

export async function startBroker (options: StartBrokerOptions = {}): Promise<RunningBroker> {
  if (!existsSync(BROKER_ENTRY)) {
    throw new Error(`${BROKER_ENTRY} does not exist: build first with \`npx tsc -p tsconfig.json\``)
  }
  const ownsDir = options.dataDir === undefined
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sluice-test-'))
  if (ownsDir) ownedDirs.add(dataDir)

  let child: Child | undefined
  let address: ReadyAddress
  try {
    ({ child, address } = await launch(dataDir, options))
  } catch (error) {
    if (ownsDir) removeOwnedDir(dataDir)
    throw error
  }
  const fixedPort = address.port

  const broker: RunningBroker = {
    get bootstrap () { return `127.0.0.1:${address.port}` },
    get host () { return address.host },
    get port () { return address.port },
    get httpPort () { return address.httpPort },
    get listenerPorts () { return address.listenerPorts },
    dataDir,
    get pid () { return child?.process.pid },
    output: () => child === undefined ? '' : describeOutput(child),
    async stop ({ keepData = false } = {}) {
      const code = child === undefined ? null : await terminate(child, 'SIGTERM')
      child = undefined
      if (ownsDir && !keepData) removeOwnedDir(dataDir)
      return code
    },
    async kill () {
      if (child !== undefined) await terminate(child, 'SIGKILL')
      child = undefined
    },
    async restart () {
      if (child !== undefined) await terminate(child, 'SIGTERM')
      child = undefined;
      ({ child, address } = await launch(dataDir, { ...options, port: fixedPort }))
    }
  }
  return broker
}

interface ReadyAddress { host: string, port: number, httpPort: number | undefined, listenerPorts: Record<string, number> }

function cliArgs (dataDir: string, options: StartBrokerOptions): string[] {
  const args = [BROKER_ENTRY, 'start', '--data-dir', dataDir]
  // --port would replace the listeners the settings name (their ports are then 0 or the test's own).
  if (options.settings?.listeners === undefined) args.push('--port', String(options.port ?? 0))
  if (options.configFile !== undefined) args.push('--config', options.configFile)
  if (options.http === true) args.push('--http-port', '0')
  else args.push('--set', 'http.enabled=false')
  for (const [name, value] of Object.entries(options.settings ?? {})) args.push('--set', `${name}=${String(value)}`)
  return args
}

function launch (dataDir: string, options: StartBrokerOptions): Promise<{ child: Child, address: ReadyAddress }> {
  const proc = spawn(process.execPath, cliArgs(dataDir, options), { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } })
  live.add(proc)
  const exited = new Promise<number | null>(resolve => {
    proc.once('exit', code => { live.delete(proc); resolve(code) })
  })
  const child: Child = { process: proc, exited, stdout: [], stderr: [] }
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => keepTail(child.stderr, chunk))

  const timeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS
  return new Promise((resolve, reject) => {
    let pending = ''
    let settled = false
    const fail = (why: string): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      reject(new Error(`broker did not become ready: ${why}\n${describeOutput(child)}`))
    }
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      fail(`no ready line within ${timeoutMs} ms`)
    }, timeoutMs)
    proc.once('error', error => fail(`spawn failed: ${error.message}`))
    void exited.then(code => fail(`exited with code ${String(code)} before it was ready`))
    proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      keepTail(child.stdout, chunk)
      if (settled) return
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        const ready = READY_LINE.exec(line)
        if (ready === null) continue
        settled = true
        clearTimeout(timer)
        const http = HTTP_ON.exec(line)
        const listenerPorts = Object.fromEntries([...(LISTENERS.exec(line)?.[1] ?? '').matchAll(/(\w+):\/\/[^,]*:(\d+)/g)].map(m => [m[1]!, Number(m[2])]))
        resolve({ child, address: { host: ready[1] ?? '', port: Number(ready[2]), httpPort: http === null ? undefined : Number(http[2]), listenerPorts } })
        return
      }
    })
  })
}

async function terminate (child: Child, signal: 'SIGTERM' | 'SIGKILL'): Promise<number | null> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return child.process.exitCode
  child.process.kill(signal)
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<'timeout'>(resolve => { timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS) })
  const result = await Promise.race([child.exited, timedOut])
  clearTimeout(timer)
  if (result === 'timeout') {
    child.process.kill('SIGKILL')
    await child.exited
    throw new Error(`broker ignored ${signal} for ${STOP_TIMEOUT_MS} ms and was killed\n${describeOutput(child)}`)
  }
  return result
}

function removeOwnedDir (dir: string): void {
  rmSync(dir, { recursive: true, force: true })
  ownedDirs.delete(dir)
}

function keepTail (chunks: string[], chunk: string): void {
  chunks.push(chunk)
  let total = chunks.reduce((sum, c) => sum + c.length, 0)
  while (total > OUTPUT_TAIL_CHARS && chunks.length > 1) total -= chunks.shift()?.length ?? 0
}

function describeOutput (child: Child): string {
  return `--- broker stderr ---\n${child.stderr.join('')}\n--- broker stdout ---\n${child.stdout.join('')}`
}
