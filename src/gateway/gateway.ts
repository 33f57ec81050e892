// The HTTP and WebSocket front end on uWebSockets.js (default 127.0.0.1:8080): the Confluent REST Proxy
// v2 API and the v3 records and topics endpoints, the /v1/stream WebSocket for live subscriptions and
// batched produce, GET /metrics (Prometheus), /healthz and /readyz.
//
// Everything runs on the broker's main thread, next to the Kafka listener: uWS callbacks are plain
// event-loop callbacks, so the gateway shares the broker's per-turn coalescing (produce-batcher.ts for
// appends, feed-hub.ts for fan-out reads) rather than running a second process or thread.
import type { Broker } from '../broker/broker.js'
import { ConsumerRegistry } from './consumers.js'
import { FeedHub } from './feed-hub.js'
import { captureRequest, Exchange, type ExchangeHooks, type RequestInfo } from './http.js'
import { METRICS_CONTENT_TYPE, renderMetrics, type GatewayStats } from './metrics-text.js'
import { GatewayProducer } from './producer.js'
import { notFound, RestError } from './rest-error.js'
import { registerV2ConsumerRoutes } from './routes-v2-consumers.js'
import { registerV2TopicRoutes } from './routes-v2-topics.js'
import { registerV3Routes } from './routes-v3.js'
import { uws, type HttpRequest, type HttpResponse, type ListenSocket, type TemplatedApp } from './uws.js'
import { StreamSession, type SessionOptions } from './ws-session.js'

export type Handler = (ex: Exchange) => void | Promise<void>

export interface RouteTable {
  get: (pattern: string, handler: Handler, options?: { body?: boolean }) => void
  post: (pattern: string, handler: Handler) => void
  del: (pattern: string, handler: Handler) => void
}

/** What route modules need: the broker and the gateway's shared machinery. */
export interface GatewayContext {
  broker: Broker
  producer: GatewayProducer
  consumers: ConsumerRegistry
  host: string
  port: number
  maxConsumerBytes: number
}

interface SocketData { options: SessionOptions, session: StreamSession | null }

/** Over this many unsent bytes uWS closes a socket outright: pauses keep honest clients far below it. */
const HARD_BACKPRESSURE_EXTRA = 16 * 1024 * 1024

export class Gateway {
  readonly producer: GatewayProducer
  readonly feed: FeedHub
  readonly consumers: ConsumerRegistry
  host = ''
  port = 0
  private readonly app: TemplatedApp
  private listenSocket: ListenSocket | null = null
  private readonly exchanges = new Set<Exchange>()
  private readonly sessions = new Set<StreamSession>()
  private readonly sockets = new Set<{ end: (code: number, reason: string) => void }>()
  private readonly httpByStatus = new Map<number, number>()
  /** Sessions closing: leaving their groups, which stop() waits for. */
  private readonly closing = new Set<Promise<void>>()
  private slowDisconnects = 0
  private stopping = false

  private constructor (private readonly broker: Broker) {
    this.producer = new GatewayProducer(broker)
    this.feed = new FeedHub(broker.store)
    this.consumers = new ConsumerRegistry(broker, broker.config['http.consumer.instance.timeout.ms'])
    this.app = uws.App()
  }

  static async start (broker: Broker): Promise<Gateway> {
    const gateway = new Gateway(broker)
    gateway.routes()
    await gateway.listen(broker.config['http.host'], broker.config['http.port'])
    broker.log.info({ host: gateway.host, port: gateway.port }, 'HTTP gateway listening')
    return gateway
  }

  stats (): GatewayStats {
    let buffered = 0
    for (const session of this.sessions) buffered += session.bufferedBytes
    let subscriptions = 0
    for (const session of this.sessions) subscriptions += session.subscriptions.size
    return {
      httpByStatus: this.httpByStatus,
      httpInFlight: this.exchanges.size,
      websockets: this.sessions.size,
      websocketBufferedBytes: buffered,
      slowDisconnects: this.slowDisconnects,
      subscriptions,
      pausedSubscriptions: this.feed.pausedSubscribers,
      restConsumers: this.consumers.size,
      batcher: this.producer.batcher.stats,
      feed: this.feed.stats
    }
  }

  /** Stops listening, closes WebSockets (1001) and unanswered requests, and closes REST consumers. */
  async stop (): Promise<void> {
    if (this.stopping) return
    this.stopping = true
    if (this.listenSocket !== null) uws.us_listen_socket_close(this.listenSocket)
    this.listenSocket = null
    for (const socket of [...this.sockets]) socket.end(1001, 'the broker is shutting down')
    for (const exchange of [...this.exchanges]) exchange.fail(new RestError(503, 503, 'the broker is shutting down'))
    await Promise.allSettled([...this.closing])
    await this.consumers.closeAll()
    this.feed.close()
  }

  private listen (host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.app.listen(host, port, socket => {
        if (socket === false) {
          reject(Object.assign(new Error(`the HTTP gateway cannot listen on ${host}:${port}`), { code: 'EADDRINUSE' }))
          return
        }
        this.listenSocket = socket
        this.host = host
        this.port = uws.us_socket_local_port(socket as never)
        resolve()
      })
    })
  }

  private routes (): void {
    const table = this.routeTable()
    const gateway = this
    const ctx: GatewayContext = {
      broker: this.broker,
      producer: this.producer,
      consumers: this.consumers,
      get host () { return gateway.host },
      get port () { return gateway.port },
      maxConsumerBytes: this.broker.config['http.consumer.request.max.bytes']
    }
    table.get('/metrics', ex => { ex.sendBytes(200, renderMetrics(this.broker, this.stats()), METRICS_CONTENT_TYPE) })
    table.get('/healthz', ex => { ex.send(200, { status: 'ok' }, 'application/json') })
    table.get('/readyz', ex => {
      if (this.stopping) ex.send(503, { status: 'stopping' }, 'application/json')
      else ex.send(200, { status: 'ready' }, 'application/json')
    })
    registerV2TopicRoutes(table, ctx)
    registerV2ConsumerRoutes(table, ctx)
    registerV3Routes(table, ctx)
    this.app.any('/*', (res, req) => {
      const ex = new Exchange(res, captureRequest(req, 0), this.hooks())
      ex.fail(notFound(`HTTP 404 Not Found: no ${req.getMethod().toUpperCase()} ${req.getUrl()}`))
    })
    this.webSockets()
  }

  private routeTable (): RouteTable {
    const add = (method: 'get' | 'post' | 'del', pattern: string, handler: Handler, readsBody: boolean): void => {
      const params = pattern.split('/').filter(part => part.startsWith(':')).length
      this.app[method](pattern, (res, req) => {
        const ex = new Exchange(res, captureRequest(req, params), this.hooks())
        this.exchanges.add(ex)
        ex.onAbort(() => { this.exchanges.delete(ex) })
        if (readsBody) ex.readBody()
        try {
          const result = handler(ex)
          if (result instanceof Promise) result.catch((error: unknown) => { ex.fail(error) })
        } catch (error) {
          ex.fail(error)
        }
      })
    }
    return {
      get: (pattern, handler, options) => { add('get', pattern, handler, options?.body === true) },
      post: (pattern, handler) => { add('post', pattern, handler, true) },
      del: (pattern, handler) => { add('del', pattern, handler, true) }
    }
  }

  private hooks (): ExchangeHooks {
    return {
      maxBodyBytes: this.broker.config['http.max.body.bytes'],
      answered: (status, ex) => {
        this.exchanges.delete(ex)
        this.httpByStatus.set(status, (this.httpByStatus.get(status) ?? 0) + 1)
      },
      unexpected: (error: unknown, info: RequestInfo) => {
        this.broker.log.error({ err: error, method: info.method, url: info.url }, 'HTTP request failed unexpectedly')
      }
    }
  }

  /** ?format=binary and ?encoding=base64 choose the socket's record framing (ws-frames.ts). */
  private upgrade (res: HttpResponse, req: HttpRequest, context: unknown): void {
    const query = new URLSearchParams(req.getQuery() ?? '')
    const options: SessionOptions = {
      format: query.get('format') === 'binary' ? 'binary' : 'json',
      encoding: query.get('encoding') === 'base64' ? 'base64' : 'string'
    }
    if (this.stopping) {
      res.writeStatus('503 Service Unavailable').end()
      return
    }
    res.upgrade<SocketData>({ options, session: null }, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'),
      req.getHeader('sec-websocket-extensions'), context as never)
  }

  private webSockets (): void {
    const maxBuffered = this.broker.config['http.ws.max.buffered.bytes']
    const deps = {
      broker: this.broker,
      producer: this.producer,
      feed: this.feed,
      maxBufferedBytes: maxBuffered,
      slowClientMs: this.broker.config['http.ws.slow.client.ms'],
      slowDisconnected: () => { this.slowDisconnects++ }
    }
    this.app.ws<SocketData>('/v1/stream', {
      maxPayloadLength: this.broker.config['http.ws.max.message.bytes'],
      maxBackpressure: maxBuffered + HARD_BACKPRESSURE_EXTRA,
      closeOnBackpressureLimit: 1,
      idleTimeout: 120,
      sendPingsAutomatically: true,
      compression: uws.DISABLED,
      upgrade: (res, req, context) => { this.upgrade(res, req, context) },
      open: ws => {
        const data = ws.getUserData()
        data.session = new StreamSession(ws, deps, data.options)
        this.sessions.add(data.session)
        this.sockets.add(ws)
      },
      message: (ws, message, isBinary) => {
        try {
          ws.getUserData().session?.onMessage(message, isBinary)
        } catch (error) {
          this.broker.log.error({ err: error }, 'WebSocket message failed unexpectedly; closing the socket')
          ws.end(1011, 'internal error')
        }
      },
      drain: ws => { ws.getUserData().session?.onDrain() },
      close: ws => {
        const session = ws.getUserData().session
        if (session !== null) {
          const closed = session.onClose()
          this.closing.add(closed)
          void closed.finally(() => this.closing.delete(closed))
          this.sessions.delete(session)
        }
        this.sockets.delete(ws)
      }
    })
  }
}
