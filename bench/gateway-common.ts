// What the gateway benches share: a broker started as its own process (as users run it, so the bench
// client's work does not share the broker's event loop), a topic, and WebSocket helpers: the `ws`
// package for a few sockets, RawSocket for a thousand.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'

const ENTRY = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url))

export interface BenchBroker { kafka: string, http: string, process: ChildProcess, stop: () => Promise<void> }

/** Starts `sluice start` on free ports in a temporary directory (build first: npx tsc). */
export async function startBenchBroker (settings: Record<string, string | number> = {}): Promise<BenchBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-'))
  // BROKER_NODE_ARGS: extra node flags for the broker, e.g. --cpu-prof --cpu-prof-dir=DIR to profile it.
  const nodeArgs = (process.env.BROKER_NODE_ARGS ?? '').split(' ').filter(arg => arg !== '')
  const args = [...nodeArgs, ENTRY, 'start', '--data-dir', dir, '--port', '0', '--http-port', '0']
  for (const [name, value] of Object.entries(settings)) args.push('--set', `${name}=${value}`)
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SLUICE_LOG_LEVEL: 'warn' } })
  const line = await new Promise<string>((resolve, reject) => {
    let text = ''
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk
      const ready = /^Sluice ready: .*$/m.exec(text)
      if (ready !== null) resolve(ready[0])
    })
    child.once('exit', code => reject(new Error(`broker exited with ${String(code)}`)))
  })
  const kafka = /Kafka on (\S+):(\d+)/.exec(line)!
  const http = /HTTP on (\S+):(\d+)/.exec(line)!
  return {
    kafka: `127.0.0.1:${kafka[2]!}`,
    http: `127.0.0.1:${http[2]!}`,
    process: child,
    async stop () {
      const exited = new Promise(resolve => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** User + system CPU seconds of a process, from /proc (Linux; clock ticks of 1/100 s). */
export function processCpuSeconds (pid: number): number {
  return cpuSecondsOf(`/proc/${pid}/stat`)
}

/** The calling thread's own CPU seconds (process.cpuUsage() counts every thread of the process). */
export function threadCpuSeconds (): number {
  return cpuSecondsOf('/proc/thread-self/stat')
}

/**
 * Seconds a thread (by default the process's main thread) has run and has waited, runnable, for a CPU
 * (/proc schedstat, Linux): the wait is what other work on the machine costs it.
 */
export function schedSeconds (pid: number, tid = pid): { running: number, waiting: number } {
  const [running, waiting] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number)
  return { running: running! / 1e9, waiting: waiting! / 1e9 }
}

/** Seconds every thread of a process has waited, runnable, for a CPU, summed (threads that have
 *  exited no longer count). */
export function processWaitingSeconds (pid: number): number {
  let waiting = 0
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      waiting += schedSeconds(pid, Number(tid)).waiting
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error // else the thread exited meanwhile
    }
  }
  return waiting
}

function cpuSecondsOf (statFile: string): number {
  const fields = readFileSync(statFile, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

export async function createTopic (http: string, topic: string, partitions: number): Promise<void> {
  const clusters = await (await fetch(`http://${http}/v3/clusters`)).json() as { data: Array<{ cluster_id: string }> }
  const response = await fetch(`http://${http}/v3/clusters/${clusters.data[0]!.cluster_id}/topics`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ topic_name: topic, partitions_count: partitions })
  })
  if (response.status !== 201) throw new Error(`creating ${topic}: ${response.status} ${await response.text()}`)
}

export async function openSocket (http: string, query = ''): Promise<WebSocket> {
  const socket = new WebSocket(`ws://${http}/v1/stream${query}`)
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject) })
  return socket
}

/** A binary PRODUCE frame (ws-frames.ts): ref, topic, then per record partition, timestamp, key, value, headers. */
export function binaryProduce (ref: number, topic: string, values: readonly Buffer[], partition = -1): Buffer {
  const name = Buffer.from(topic)
  const size = 1 + 4 + 2 + name.length + 4 + values.reduce((n, v) => n + 4 + 8 + 4 + 4 + v.length + 4, 0)
  const out = Buffer.allocUnsafe(size)
  let at = out.writeInt8(0x10, 0)
  at = out.writeInt32BE(ref, at)
  at = out.writeInt16BE(name.length, at)
  at += name.copy(out, at)
  at = out.writeInt32BE(values.length, at)
  for (const v of values) {
    at = out.writeInt32BE(partition, at)
    at = out.writeBigInt64BE(-1n, at)
    at = out.writeInt32BE(-1, at)
    at = out.writeInt32BE(v.length, at)
    at += v.copy(out, at)
    at = out.writeInt32BE(0, at)
  }
  return out
}

/**
 * A bare RFC 6455 client for many subscribers in one process: the handshake, masked text frames out,
 * unmasked frames in, each handed over as (payload, binary) with no per-message event machinery, so
 * the bench's own cost per frame stays far below the broker's. Reads go through net's `onread` into
 * one buffer shared by every socket of the thread (no Buffer, stream push or 'data' event per read);
 * a payload is therefore only valid during onFrame. No fragmentation, no control frames beyond
 * ignoring ping/pong and seeing close.
 */
export class RawSocket {
  private static readonly readBuffer = Buffer.allocUnsafe(256 * 1024)
  /** Bytes of an incomplete frame (or of the handshake answer) carried over to the next read. */
  private pending: Buffer | null = null
  private upgraded = false
  private readonly socket: Socket

  private constructor (http: string, private readonly onFrame: (payload: Buffer, binary: boolean) => void, opened: (error?: Error) => void) {
    const [host, port] = http.split(':') as [string, string]
    this.socket = connect({
      host,
      port: Number(port),
      noDelay: true,
      onread: { buffer: RawSocket.readBuffer, callback: (length: number, buf: Uint8Array) => { this.receive(buf as Buffer, length, opened); return true } }
    })
    this.socket.once('error', opened)
  }

  static async open (http: string, query: string, onFrame: (payload: Buffer, binary: boolean) => void): Promise<RawSocket> {
    let raw: RawSocket | undefined
    await new Promise<void>((resolve, reject) => {
      raw = new RawSocket(http, onFrame, error => { if (error === undefined) resolve(); else reject(error) })
      const key = randomBytes(16).toString('base64')
      raw.socket.write(`GET /v1/stream${query} HTTP/1.1\r\nHost: ${http}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`)
    })
    return raw!
  }

  sendText (text: string): void {
    const payload = Buffer.from(text)
    const header = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff])
    const mask = randomBytes(4)
    for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!
    this.socket.write(Buffer.concat([header, mask, payload]))
  }

  close (): void { this.socket.destroy() }

  private receive (shared: Buffer, length: number, opened: (error?: Error) => void): void {
    const read = shared.subarray(0, length)
    let buf = this.pending === null ? read : Buffer.concat([this.pending, read])
    this.pending = null
    if (!this.upgraded) {
      const end = buf.indexOf('\r\n\r\n')
      if (end < 0) { this.pending = Buffer.from(buf); return }
      if (!buf.subarray(0, 12).toString().includes('101')) { opened(new Error(buf.toString())); return }
      this.upgraded = true
      buf = buf.subarray(end + 4)
      opened()
    }
    for (;;) {
      if (buf.length < 2) break
      const opcode = buf[0]! & 0x0f
      let size = buf[1]! & 0x7f
      let at = 2
      if (size === 126) { if (buf.length < 4) break; size = buf.readUInt16BE(2); at = 4 }
      else if (size === 127) { if (buf.length < 10) break; size = Number(buf.readBigUInt64BE(2)); at = 10 }
      if (buf.length < at + size) break
      if (opcode === 1 || opcode === 2) this.onFrame(buf.subarray(at, at + size), opcode === 2)
      buf = buf.subarray(at + size)
    }
    if (buf.length > 0) this.pending = Buffer.from(buf)
  }
}
