// The machine's ceilings, measured in the same run as the brokers:
//   loopback  a server process that discards what it reads: TCP over loopback, Node on both ends
//   null-sink a server process that only writes what it reads to a file (page cache), nothing else
// The client streams 1 MiB writes on `connections` sockets, ends them, and stops the clock when the
// server confirms it has read (and written) every byte.
import { connect } from 'node:net'
import type { ThroughputResult } from '../drivers/kafka-lean.js'
import { benchDir, spawnServer, type Server } from './process.js'

const SINK = `
const net = require('node:net'), fs = require('node:fs'), path = require('node:path')
const [dir, mode] = process.argv.slice(1)
let n = 0
const server = net.createServer(c => {
  const fd = mode === 'file' ? fs.openSync(path.join(dir, 'sink-' + (n++)), 'w') : -1
  c.on('data', b => { if (fd >= 0) fs.writeSync(fd, b) })
  c.on('end', () => { if (fd >= 0) fs.closeSync(fd); c.end('done') })
})
server.listen(0, '127.0.0.1', () => console.log('sink ready on ' + server.address().port))
process.on('SIGTERM', () => process.exit(0))
`
const CHUNK = Buffer.alloc(1024 * 1024, 0x61)

export async function startSink (mode: 'discard' | 'file', base?: string): Promise<Server> {
  const dataDir = benchDir(`sink-${mode}`, base)
  return await spawnServer({
    name: mode === 'file' ? 'null-sink' : 'loopback',
    command: process.execPath,
    args: ['-e', SINK, dataDir, mode],
    dataDir,
    ready: (out) => { const m = /sink ready on (\d+)/.exec(out); return m === null ? null : Number(m[1]) }
  })
}

export async function streamTo (server: Server, o: { connections: number, maxBytes: number, maxSeconds: number }): Promise<ThroughputResult> {
  const started = performance.now()
  const deadline = started + o.maxSeconds * 1000
  const perConnection = Math.ceil(o.maxBytes / o.connections)
  const sent = await Promise.all(Array.from({ length: o.connections }, async () => {
    const socket = connect({ host: server.host, port: server.port })
    await new Promise(resolve => socket.once('connect', resolve))
    const confirmed = new Promise<void>((resolve, reject) => { socket.on('data', () => resolve()); socket.once('error', reject) })
    let bytes = 0
    while (bytes < perConnection && performance.now() < deadline) {
      bytes += CHUNK.length
      if (!socket.write(CHUNK)) await new Promise(resolve => socket.once('drain', resolve))
    }
    socket.end()
    await confirmed
    socket.destroy()
    return bytes
  }))
  const bytes = sent.reduce((a, b) => a + b, 0)
  return { records: 0, bytes, seconds: (performance.now() - started) / 1000, requests: 0 }
}
