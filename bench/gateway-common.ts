// What the gateway benches share: a broker started as its own process (as users run it, so the bench
// client's work does not share the broker's event loop), a topic, and WebSocket helpers (the `ws`
// package as the client).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'

const ENTRY = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url))

export interface BenchBroker { kafka: string, http: string, process: ChildProcess, stop: () => Promise<void> }

/** Starts `sluice start` on free ports in a temporary directory (build first: npx tsc). */
export async function startBenchBroker (settings: Record<string, string | number> = {}): Promise<BenchBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-'))
  const args = [ENTRY, 'start', '--data-dir', dir, '--port', '0', '--http-port', '0']
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
