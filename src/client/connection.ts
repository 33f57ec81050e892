// One TCP connection to one broker: ApiVersions negotiation, then pipelined requests.
//
// Ordering contract (protocol-notes.md §1): a broker answers the requests of one connection in the order
// they were sent, so responses are matched to the oldest pending request and a correlation id that does
// not match it means the stream is broken; the connection is then failed, never resynchronised.
// Requests are written as soon as they are made (no in-flight cap here; callers that need one, like the
// producer, keep it themselves). Produce with acks=0 has no response and takes no place in the queue.
//
// Timeouts: a request that gets no answer within its timeout fails the whole connection, as in the Java
// client, because a late answer would otherwise be matched to the next request.
import { connect as netConnect, isIP, type Socket } from 'node:net'
import { connect as tlsConnect, type ConnectionOptions as TlsConnectionOptions } from 'node:tls'
import {
  apiVersionsApi, decodeResponseHeader, ErrorCode, FRAME_PREFIX_BYTES, frameSize, Reader, type ApiRegistration,
  type ApiVersionsRequest, type ApiVersionsResponse, type MessageInput
} from '../protocol/index.js'
import { calls, type Call } from './calls.js'
import { BrokerUnreachableError, ConnectionError, UnsupportedApiError, kafkaError } from './errors.js'
import { authenticate, type SaslCredentials } from './sasl.js'

export const CLIENT_SOFTWARE_NAME = 'sluice'
export const CLIENT_SOFTWARE_VERSION = '0.1.0'

export interface ConnectionOptions {
  host: string
  port: number
  clientId?: string
  /** Time allowed for the TCP connect and the ApiVersions exchange (default 10 s). */
  connectTimeoutMs?: number
  /** Default time a request may wait for its answer (default 30 s). */
  requestTimeoutMs?: number
  /** Set when the address came from a broker's metadata, for the error message. */
  advertisedBy?: string
  /** Authenticate after ApiVersions (a SASL_PLAINTEXT or SASL_SSL listener). */
  sasl?: SaslCredentials
  /** Connect over TLS (an SSL or SASL_SSL listener): CA, client certificate and key, as Node's tls takes them.
   *  The broker's certificate must name the host connected to, as Kafka clients check by default. */
  tls?: TlsOptions
}

export type TlsOptions = Pick<TlsConnectionOptions, 'ca' | 'cert' | 'key' | 'passphrase' | 'rejectUnauthorized'>

export interface RequestOptions {
  /** Overrides the connection's requestTimeoutMs; long-poll fetches add their max wait to it. */
  timeoutMs?: number
}

export interface VersionRange { minVersion: number, maxVersion: number }

interface Pending {
  correlationId: number
  apiKey: number
  version: number
  decode: (body: Reader, version: number) => unknown
  resolve: (value: unknown) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
}

const MAX_CORRELATION_ID = 0x7fffffff

export class KafkaConnection {
  readonly address: string
  private readonly pending: Pending[] = []
  private head = 0
  private nextCorrelationId = 1
  private chunks: Buffer[] = []
  private buffered = 0
  private failure: Error | null = null
  private versions = new Map<number, VersionRange>()
  private readonly clientId: string
  private readonly requestTimeoutMs: number

  private constructor (private readonly socket: Socket, options: ConnectionOptions) {
    this.address = `${options.host}:${options.port}`
    this.clientId = options.clientId ?? CLIENT_SOFTWARE_NAME
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (error) => this.fail(new ConnectionError(`connection to ${this.address} failed: ${error.message}`, { cause: error })))
    socket.on('close', () => this.fail(new ConnectionError(`connection to ${this.address} was closed by the broker`)))
  }

  /** Connects and negotiates API versions; rejects with BrokerUnreachableError when nothing listens. */
  static async connect (options: ConnectionOptions): Promise<KafkaConnection> {
    const timeoutMs = options.connectTimeoutMs ?? 10_000
    const socket = await openSocket(options, timeoutMs)
    const connection = new KafkaConnection(socket, options)
    try {
      await connection.negotiate(timeoutMs)
      if (options.sasl !== undefined) await authenticate(connection, options.sasl, timeoutMs)
    } catch (error) {
      connection.close()
      throw error
    }
    return connection
  }

  get isOpen (): boolean { return this.failure === null }
  /** Requests sent and not yet answered. */
  get inFlight (): number { return this.pending.length - this.head }

  /** The broker's advertised range for an API key, or undefined when it does not serve it. */
  brokerVersions (apiKey: number): VersionRange | undefined { return this.versions.get(apiKey) }

  /** Every API the broker advertised, by key. */
  brokerApis (): Array<{ apiKey: number } & VersionRange> {
    return [...this.versions].map(([apiKey, range]) => ({ apiKey, ...range })).sort((a, b) => a.apiKey - b.apiKey)
  }

  supports (api: ApiRegistration): boolean { return this.negotiatedVersion(api) !== null }

  /** min(our max, the broker's max), provided it is not below either side's minimum. */
  version (api: ApiRegistration): number {
    const version = this.negotiatedVersion(api)
    if (version === null) {
      const theirs = this.versions.get(api.key)
      const why = theirs === undefined ? 'does not serve it' : `serves v${theirs.minVersion}-${theirs.maxVersion}, we speak v${api.minVersion}-${api.maxVersion}`
      throw new UnsupportedApiError(`the broker at ${this.address} cannot answer ${api.name} (key ${api.key}): it ${why}`)
    }
    return version
  }

  private negotiatedVersion (api: ApiRegistration): number | null {
    const theirs = this.versions.get(api.key)
    if (theirs === undefined) return null
    const version = Math.min(api.maxVersion, theirs.maxVersion)
    return version >= Math.max(api.minVersion, theirs.minVersion) ? version : null
  }

  /** Sends one request built for the negotiated version and resolves with its decoded answer. */
  request<In, Res> (call: Call<In, Res>, build: (version: number) => In, options: RequestOptions = {}): Promise<Res> {
    let version: number
    try {
      version = this.version(call.api)
    } catch (error) {
      return Promise.reject(error)
    }
    return this.requestAt(call, version, build(version), options)
  }

  /** Sends a request that the broker does not answer (Produce with acks=0). */
  sendOnly<In, Res> (call: Call<In, Res>, build: (version: number) => In): void {
    if (this.failure !== null) throw this.failure
    const version = this.version(call.api)
    this.write(call.encode(build(version), version, { correlationId: this.takeCorrelationId(), clientId: this.clientId }))
  }

  private requestAt<In, Res> (call: Call<In, Res>, version: number, message: In, options: RequestOptions): Promise<Res> {
    if (this.failure !== null) return Promise.reject(this.failure)
    const correlationId = this.takeCorrelationId()
    const frame = call.encode(message, version, { correlationId, clientId: this.clientId })
    return new Promise<Res>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs
      const timer = setTimeout(() => {
        this.fail(new ConnectionError(`${call.api.name} to ${this.address} got no answer within ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.push({
        correlationId, apiKey: call.api.key, version, decode: call.decode, resolve: resolve as (value: unknown) => void, reject, timer
      })
      this.write(frame)
    })
  }

  private takeCorrelationId (): number {
    const id = this.nextCorrelationId
    this.nextCorrelationId = id === MAX_CORRELATION_ID ? 1 : id + 1
    return id
  }

  private write (frame: Buffer[]): void {
    this.socket.cork()
    for (const chunk of frame) this.socket.write(chunk)
    this.socket.uncork()
  }

  /**
   * Fails every pending request and closes the socket once what was written has gone out (requests
   * without an answer, like acks=0 produces, are not lost). Safe to call twice.
   */
  close (): void {
    this.fail(new ConnectionError(`connection to ${this.address} was closed`), true)
  }

  private fail (error: Error, flushWrites = false): void {
    if (this.failure !== null) return
    this.failure = error
    if (flushWrites) this.socket.end()
    else this.socket.destroy()
    for (let i = this.head; i < this.pending.length; i++) {
      const entry = this.pending[i] as Pending
      clearTimeout(entry.timer)
      entry.reject(error)
    }
    this.pending.length = 0
    this.head = 0
    this.chunks = []
  }

  // Frames are cut without copying when one lies inside a chunk; a frame spread over chunks is
  // gathered once, when all of it has arrived.
  private onData (chunk: Buffer): void {
    this.chunks.push(chunk)
    this.buffered += chunk.length
    while (this.failure === null && this.buffered >= FRAME_PREFIX_BYTES) {
      let first = this.chunks[0] as Buffer
      if (first.length < FRAME_PREFIX_BYTES) first = this.gather(FRAME_PREFIX_BYTES)
      let size: number
      try {
        size = frameSize(first)
      } catch (error) {
        this.fail(new ConnectionError(`${this.address} sent an invalid frame: ${(error as Error).message}`))
        return
      }
      if (this.buffered < FRAME_PREFIX_BYTES + size) return
      const whole = first.length >= FRAME_PREFIX_BYTES + size ? first : this.gather(FRAME_PREFIX_BYTES + size)
      const frame = whole.subarray(FRAME_PREFIX_BYTES, FRAME_PREFIX_BYTES + size)
      this.consume(FRAME_PREFIX_BYTES + size)
      this.onFrame(frame)
    }
  }

  /** Merges the first chunks so that the first one holds at least `n` bytes. */
  private gather (n: number): Buffer {
    let take = 0
    let bytes = 0
    while (bytes < n) bytes += (this.chunks[take++] as Buffer).length
    const merged = Buffer.concat(this.chunks.slice(0, take), bytes)
    this.chunks.splice(0, take, merged)
    return merged
  }

  private consume (n: number): void {
    const first = this.chunks[0] as Buffer
    if (first.length === n) this.chunks.shift()
    else this.chunks[0] = first.subarray(n)
    this.buffered -= n
  }

  private onFrame (frame: Buffer): void {
    const entry = this.pending[this.head]
    if (entry === undefined) {
      this.fail(new ConnectionError(`${this.address} sent a response nobody asked for`))
      return
    }
    this.head++
    if (this.head === this.pending.length) { this.pending.length = 0; this.head = 0 }
    clearTimeout(entry.timer)
    try {
      const { correlationId, body } = decodeResponseHeader(frame, entry.apiKey, entry.version)
      if (correlationId !== entry.correlationId) {
        throw new Error(`correlation id ${correlationId} where ${entry.correlationId} was expected`)
      }
      entry.resolve(entry.decode(body, entry.version))
    } catch (error) {
      const failure = new ConnectionError(`unreadable response from ${this.address}: ${(error as Error).message}`, { cause: error })
      entry.reject(failure)
      this.fail(failure)
    }
  }

  // ApiVersions at our highest version; a broker that does not know it answers UNSUPPORTED_VERSION with
  // a v0 body listing its own ApiVersions range (protocol-notes.md §5), and we retry at that version.
  private async negotiate (timeoutMs: number): Promise<void> {
    let version = apiVersionsApi.maxVersion
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await this.requestAt(apiVersionsCall, version, {
        clientSoftwareName: CLIENT_SOFTWARE_NAME, clientSoftwareVersion: CLIENT_SOFTWARE_VERSION
      }, { timeoutMs })
      if (response.errorCode === ErrorCode.NONE) {
        this.versions = new Map(response.apiKeys.map(k => [k.apiKey, { minVersion: k.minVersion, maxVersion: k.maxVersion }]))
        return
      }
      const theirs = response.apiKeys.find(k => k.apiKey === apiVersionsApi.key)?.maxVersion ?? 0
      if (response.errorCode !== ErrorCode.UNSUPPORTED_VERSION || version === 0) {
        throw kafkaError(response.errorCode, `ApiVersions v${version} from ${this.address}`)
      }
      version = Math.max(0, Math.min(version - 1, theirs))
    }
    throw new ConnectionError(`${this.address} refused every ApiVersions version we tried`)
  }
}

// An UNSUPPORTED_VERSION answer carries a v0 body whatever version was asked; the error code comes
// first in every version, so it is read before choosing the layout.
const apiVersionsCall: Call<MessageInput<ApiVersionsRequest>, ApiVersionsResponse> = {
  ...calls.apiVersions,
  decode (body, version) {
    const reader = body instanceof Reader ? body : new Reader(body)
    const errorCode = new Reader(reader.buf, reader.offset, reader.end).int16()
    return calls.apiVersions.decode(reader, errorCode === ErrorCode.UNSUPPORTED_VERSION ? 0 : version)
  }
}

function openSocket (options: ConnectionOptions, timeoutMs: number): Promise<Socket> {
  const address = `${options.host}:${options.port}`
  return new Promise((resolve, reject) => {
    const { host, port, tls } = options
    // A TLS socket connects once its handshake is done: a refused certificate is an 'error' before that.
    const socket = tls === undefined
      ? netConnect({ host, port })
      : tlsConnect({ host, port, ...tls, servername: isIP(host) === 0 ? host : undefined })
    const connected = tls === undefined ? 'connect' : 'secureConnect'
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new ConnectionError(`no answer from ${address} within ${timeoutMs} ms`))
    }, timeoutMs)
    socket.once(connected, () => {
      clearTimeout(timer)
      socket.removeAllListeners('error')
      resolve(socket)
    })
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      const unreachable = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(error.code ?? '')
      reject(unreachable
        ? new BrokerUnreachableError(address, error, options.advertisedBy)
        : new ConnectionError(`cannot connect to ${address}: ${error.message}`, { cause: error }))
    })
  })
}
