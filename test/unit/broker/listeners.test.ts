// The Kafka listener is bound while the logs open, before the broker serves it (src/broker/listeners.ts):
// a client that connects in between waits, and is served, with the bytes it sent, once the broker is.
import { connect, type Socket } from 'node:net'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { Listeners } from '../../../src/broker/listeners.js'
import { loadConfig } from '../../../src/config/broker-config.js'

const log = pino({ level: 'silent' })
const config = (listeners: string): ReturnType<typeof loadConfig> => loadConfig({ flags: { listeners, 'log.dirs': '/nonexistent' } })

async function connected (port: number, host = '127.0.0.1'): Promise<Socket> {
  const socket = connect({ host, port })
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve).once('error', reject) })
  return socket
}

/** Resolves with the first `n` bytes read from `socket`. */
async function firstBytes (socket: Socket, n: number): Promise<Buffer> {
  let got = Buffer.alloc(0)
  return await new Promise<Buffer>(resolve => {
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk])
      if (got.length >= n) resolve(got.subarray(0, n))
    })
    socket.resume()
  })
}

describe('Listeners', () => {
  it('holds connections made before it serves, paused, and hands them over with their bytes', async () => {
    const listeners = await Listeners.bind(config('PLAINTEXT://127.0.0.1:0'), log)
    const { port } = listeners.advertised
    expect(port).toBeGreaterThan(0)
    const early = await connected(port)
    early.write('before ready')
    const deadline = Date.now() + 10_000
    while (listeners.waiting < 1 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 10))
    expect(listeners.waiting).toBe(1)
    const accepted: Socket[] = []
    const handedOver = new Promise<Socket>(resolve => { listeners.serve(socket => { accepted.push(socket); resolve(socket) }) })
    expect((await firstBytes(await handedOver, 12)).toString()).toBe('before ready')
    const late = await connected(port)
    late.write('after')
    while (accepted.length < 2 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 10))
    expect(accepted.length).toBe(2)
    expect((await firstBytes(accepted[1]!, 5)).toString()).toBe('after')
    for (const socket of [early, late, ...accepted]) socket.destroy()
    await listeners.close()
  })

  it('binds both loopback families for localhost, on one port, and advertises localhost', async () => {
    const listeners = await Listeners.bind(config('PLAINTEXT://localhost:0'), log)
    const { host, port } = listeners.advertised
    expect(host).toBe('localhost')
    const accepted: Socket[] = []
    listeners.serve(socket => { accepted.push(socket) })
    const v4 = await connected(port, '127.0.0.1')
    const v6 = await connected(port, '::1').catch(() => null) // a host without IPv6 binds only 127.0.0.1
    const deadline = Date.now() + 10_000
    while (accepted.length < (v6 === null ? 1 : 2) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 10))
    expect(accepted.length).toBe(v6 === null ? 1 : 2)
    for (const socket of [v4, v6, ...accepted]) socket?.destroy()
    await listeners.close()
  })

  it('refuses a port in use with EADDRINUSE', async () => {
    const first = await Listeners.bind(config('PLAINTEXT://127.0.0.1:0'), log)
    await expect(Listeners.bind(config(`PLAINTEXT://127.0.0.1:${first.advertised.port}`), log)).rejects.toMatchObject({ code: 'EADDRINUSE' })
    await first.close()
  })
})
