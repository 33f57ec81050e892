// The Kafka listeners' sockets (one or more, listener-config.ts). Broker.start binds them while the shards open the logs (binding takes
// the main thread ~15 ms at start, most of it Node compiling its IPv4 and IPv6 address checks, and the
// main thread would otherwise only wait for the shards then), and serves them once the broker is
// ready. Connections that arrive before that wait paused until it is, as Kafka's SocketServer binds its
// acceptors before it starts processing requests.
import { createServer, type Server, type Socket } from 'node:net'
import type { Logger } from 'pino'
import type { BrokerConfig } from '../config/broker-config.js'
import { listenerSpecs, type HostPort, type ListenerSpec } from '../config/listener-config.js'

export type BrokerAddress = HostPort

/** A bound listener: its settings, and the address Metadata gives the clients that connect to it. */
export interface BoundListener {
  readonly spec: ListenerSpec
  /** The port is the bound one when the configured one is 0. */
  readonly advertised: BrokerAddress
}

export class Listeners {
  private readonly servers: Server[] = []
  private accept: ((socket: Socket, listener: BoundListener) => void) | null = null
  private readonly early: Array<{ socket: Socket, listener: BoundListener }> = []
  readonly bound: BoundListener[] = []

  private constructor () {}

  /** The first listener's advertised address (what `sluice start` and startBroker report). */
  get advertised (): BrokerAddress { return this.bound[0]!.advertised }

  /** Binds every listener ("localhost": both loopback families, so that clients resolving it either
   *  way connect; the second one is optional). A failure closes the ones already bound. */
  static async bind (config: BrokerConfig, log: Logger): Promise<Listeners> {
    const listeners = new Listeners()
    try {
      for (const spec of listenerSpecs(config)) await listeners.bindOne(spec, log)
    } catch (error) {
      await listeners.close()
      throw error
    }
    return listeners
  }

  /** Connections accepted before serve(), waiting for it. */
  get waiting (): number { return this.early.length }

  /** Hands every connection, the waiting ones first, to `accept`. */
  serve (accept: (socket: Socket, listener: BoundListener) => void): void {
    this.accept = accept
    for (const { socket, listener } of this.early.splice(0)) accept(socket, listener)
  }

  /** Stops listening; resolves once every server has closed (connections already handed out stay). */
  async close (): Promise<void> {
    for (const { socket } of this.early.splice(0)) socket.destroy()
    await Promise.all(this.servers.map(server => new Promise<void>(resolve => server.close(() => resolve()))))
  }

  private async bindOne (spec: ListenerSpec, log: Logger): Promise<void> {
    const hosts = spec.host === 'localhost' ? ['127.0.0.1', '::1'] : [spec.host === '' ? '::' : spec.host]
    // Filled in once the first host is bound: connections wait in `early` until serve() anyway.
    const listener = { spec, advertised: { host: '', port: 0 } }
    let port = spec.port
    for (const [i, host] of hosts.entries()) {
      try {
        port = await this.listenOn(host, port, listener)
      } catch (error) {
        if (i === 0) throw error
        log.debug({ host, port, err: error }, 'optional loopback listener not bound')
      }
    }
    const wildcard = spec.host === '' || spec.host === '::' || spec.host === '0.0.0.0'
    const advertised = spec.advertised ?? { host: wildcard ? 'localhost' : spec.host, port }
    listener.advertised = { host: advertised.host, port: advertised.port === 0 ? port : advertised.port }
    this.bound.push(listener)
  }

  private async listenOn (host: string, port: number, listener: BoundListener): Promise<number> {
    const server = createServer({ noDelay: true, pauseOnConnect: true }, socket => {
      if (this.accept !== null) this.accept(socket, listener)
      else this.early.push({ socket, listener })
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
