// The external Kafka clients the integration suites drive (kcat, kafka-python, confluent-kafka), whether
// this machine has them, and bounded ways to run them. scripts/test.mjs loads this module too, so the
// test runner's "skipped because missing" report and the suites' skipIf agree by construction.
import { spawn, spawnSync } from 'node:child_process'

export const INSTALL_COMMAND = 'apt-get install -y kcat python3-kafka python3-confluent-kafka'

// Debian's python3-kafka and python3-confluent-kafka install into the system interpreter, which a
// pyenv or venv `python3` earlier on PATH does not see; so the system path is tried as well.
const PYTHON_CANDIDATES = [process.env.SLUICE_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => p !== undefined && p !== '')

export type PythonModule = 'kafka' | 'confluent_kafka'

function succeeds (command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 })
  return result.status === 0
}

function pythonWith (module: PythonModule): string | undefined {
  return PYTHON_CANDIDATES.find(python => succeeds(python, ['-c', `import ${module}`]))
}

const pythonFor: Record<PythonModule, string | undefined> = {
  kafka: pythonWith('kafka'),
  confluent_kafka: pythonWith('confluent_kafka')
}

export const has = {
  kcat: succeeds('kcat', ['-V']),
  kafkaPython: pythonFor.kafka !== undefined,
  confluentKafka: pythonFor.confluent_kafka !== undefined
}

/** The interpreter that can import `module`; throws with the install hint when there is none. */
export function pythonCommand (module: PythonModule): string {
  const python = pythonFor[module]
  if (python === undefined) throw new Error(`no python3 with module ${module}: ${INSTALL_COMMAND}`)
  return python
}

/** What each missing client is called in suite titles and in the install hint. */
export function missingClients (): string[] {
  const missing: string[] = []
  if (!has.kcat) missing.push('kcat')
  if (!has.kafkaPython) missing.push('kafka-python (python3 module kafka)')
  if (!has.confluentKafka) missing.push('confluent-kafka (python3 module confluent_kafka)')
  return missing
}

export interface RunOptions {
  input?: string | Buffer
  timeoutMs?: number
  env?: NodeJS.ProcessEnv
  cwd?: string
}

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs a command to completion; SIGKILLs it at the timeout (reported as signal SIGKILL). Never rejects on exit status. */
export function run (command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env, cwd: options.cwd })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000)
    child.once('error', error => { clearTimeout(timer); reject(error) })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') })
    })
    child.stdin.on('error', () => {}) // the tool may exit before reading all input; its exit status tells
    child.stdin.end(options.input)
  })
}

/** Like run(), but a non-zero exit or a timeout is an error that carries the tool's stderr. */
export async function runOk (command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await run(command, args, options)
  if (result.code !== 0) {
    const how = result.signal === null ? `exit code ${String(result.code)}` : `signal ${result.signal} (timeout?)`
    throw new Error(`${command} ${args.join(' ')} failed with ${how}\n--- stderr ---\n${result.stderr}\n--- stdout ---\n${result.stdout.slice(0, 4_000)}`)
  }
  return result.stdout
}

export function kcat (args: readonly string[], options: RunOptions = {}): Promise<string> {
  return runOk('kcat', args, options)
}

/**
 * Runs a script from test/integration/py with the interpreter that has `module`, passing `request` as one
 * JSON argument, and parses the single JSON document the script prints.
 */
export async function runPython<T> (module: PythonModule, script: string, request: object, options: RunOptions = {}): Promise<T> {
  const stdout = await runOk(pythonCommand(module), [script, JSON.stringify(request)], { timeoutMs: 30_000, ...options })
  try {
    return JSON.parse(stdout) as T
  } catch {
    throw new Error(`${script} printed no JSON:\n${stdout.slice(0, 4_000)}`)
  }
}
