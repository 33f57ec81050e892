// The Kafka listener's sockets. Broker.start binds them while the shards open the logs (binding takes
// the main thread ~15 ms at start, most of it Node compiling its IPv4 and IPv6 address checks, and the
// main thread would otherwise only wait for the shards then), and serves them once the broker is
// ready. Connections that arrive before that wait paused until it is, as Kafka's SocketServer binds its
// acceptors before it starts processing requests.
import { createServer, type Server, type Socket } from 'node:net'
import type { Logger } from 'pino'
import { parseListener, type BrokerConfig } from '../config/broker-config.js'

export interface BrokerAddress { host: string; port: number }

export class Listeners {
  private readonly servers: Server[] = []
  private accept: ((socket: Socket) => void) | null = null
  private readonly early: Socket[] = []
  /** The address Metadata gives clients; its port is the bound one when the configured one is 0. */
  advertised: BrokerAddress = { host: '', port: 0 }

  private constructor () {}

  /** Binds `listeners` ("localhost": both loopback families, so that clients resolving it either
   *  way connect; the second one is optional). */
  static async bind (config: BrokerConfig, log: Logger): Promise<Listeners> {
    const bind = parseListener(config.listeners, 'listeners')
    const hosts = bind.host === 'localhost' ? ['127.0.0.1', '::1'] : [bind.host === '' ? '::' : bind.host]
    const listeners = new Listeners()
    let port = bind.port
    for (const [i, host] of hosts.entries()) {
      try {
        port = await listeners.listenOn(host, port)
      } catch (error) {
        if (i === 0) throw error
        log.debug({ host, port, err: error }, 'optional loopback listener not bound')
      }
    }
    const advertised = config['advertised.listeners'] === ''
      ? { host: bind.host === '' || bind.host === '::' || bind.host === '0.0.0.0' ? 'localhost' : bind.host, port }
      : parseListener(config['advertised.listeners'], 'advertised.listeners')
    listeners.advertised = { host: advertised.host, port: advertised.port === 0 ? port : advertised.port }
    return listeners
  }

  /** Connections accepted before serve(), waiting for it. */
  get waiting (): number { return this.early.length }

  /** Hands every connection, the waiting ones first, to `accept`. */
  serve (accept: (socket: Socket) => void): void {
    this.accept = accept
    for (const socket of this.early.splice(0)) accept(socket)
  }

  /** Stops listening; resolves once every server has closed (connections already handed out stay). */
  async close (): Promise<void> {
    for (const socket of this.early.splice(0)) socket.destroy()
    await Promise.all(this.servers.map(server => new Promise<void>(resolve => server.close(() => resolve()))))
  }

  private async listenOn (host: string, port: number): Promise<number> {
    const server = createServer({ noDelay: true, pauseOnConnect: true }, socket => {
      if (this.accept !== null) this.accept(socket)
      else this.early.push(socket)
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host, port, ipv6Only: host === '::1' }, () => { server.off('error', reject); resolve() })
    })
    this.servers.push(server)
    const address = server.address()
    return typeof address === 'object' && address !== null ? address.port : port
  }
}
