// One client connection: cuts size-prefixed frames out of the socket stream (frame-reader.ts), runs
// them through the request handler, and writes the answers back strictly in request order.
//
// Framing copies nothing: the socket reads into reusable slabs and a frame is a view of its slab.
// A frame the handler may keep references into (anything but Produce) is copied out at once; a
// Produce frame is lent to the handler and released once its answer is ready (its appends settled).
//
// Ordering: Kafka answers one request per connection at a time. We start consecutive Produce requests
// concurrently (their appends are queued in order per partition, so their effects stay ordered) and
// every other request only once everything before it has finished, so a Metadata after a CreateTopics
// sees the topic. Answers always leave in request order.
//
// Large answers (catch-up Fetch) are written by the native send, which reads their read views from
// the segment files instead of the mapping (native/net/send.h: first touches of mapped pages are what
// a first catch-up pass paid for): once Node has handed its queued writes to the kernel, the answer
// goes out natively, and nothing else is written until it is done. Small answers with nothing of
// Node's queued ahead of them go out natively as well, from memory, all those ready in one sendmsg
// (a sendmsg each took bench:load produce from ~0.9-1.0 to ~0.6-0.7 M records/s): Node's stream write
// path made ~300 B of garbage per answer (write requests, callbacks), and at 5,000 records/s end to
// end that garbage is what sets how often the network thread stops for a scavenge.
//
// A TLS connection (SSL and SASL_SSL listeners, tls/tls-socket.ts) has no descriptor for the native
// send, since its fd carries ciphertext: every answer goes through Node's writes on the TLS socket,
// the path a plaintext answer takes when Node has writes queued.
import type { Socket } from 'node:net'
import { constants } from 'node:os'
import { byteLength } from '../protocol/codec/batch-peek.js'
import { sendAnswer, type Send } from '../storage/native.js'
import { FrameReader, readInto, type Slab, type SlabPool } from './frame-reader.js'
import type { BoundListener, BrokerAddress } from './listeners.js'
import type { ConnectionSensors } from './quota/enforcer.js'
import type { SaslSession } from './sasl/session.js'
import { acceptTls, type SslAuthenticationError } from './tls/tls-socket.js'
import type { TlsSettings } from './tls/tls-config.js'

/** Answers at least this large go through the native send; a long poll's few batches do not. */
const NATIVE_SEND_MIN_BYTES = 256 * 1024
const { EPIPE, ECONNRESET } = constants.errno

export interface Frame {
  /** The request bytes after the 4-byte size prefix. */
  bytes: Buffer
}

/** What a handler answers: the whole response frame (size prefix and header included) as chunks
 *  for one gathered write, or null for "no response" (Produce with acks=0). */
export type Answer = Buffer[] | null

export interface ConnectionHandler {
  /** Called once per frame. Throwing closes the connection (malformed frame, unknown API). */
  handle (frame: Buffer, connection: Connection): Promise<Answer> | Answer
  /** Whether this frame may run alongside the ones before it (Produce). */
  mayOverlap (frame: Buffer, connection: Connection): boolean
  /** Whether the handler reads this frame only until its answer is ready, so it may be lent without
   *  a copy (Produce: its batches are read in place until their appends settle). */
  readsOnlyUntilAnswered (frame: Buffer, connection: Connection): boolean
  onClose? (connection: Connection): void
  onError? (error: unknown, connection: Connection): void
}

export interface ConnectionLimits {
  maxFrameBytes: number
  maxQueuedRequests: number
  idleMs: number
  /** Pause reading while this many answer bytes wait in the socket's write buffer. */
  maxPendingWriteBytes: number
}

interface Slot {
  frame: Buffer
  /** The slab `frame` is lent from, until the handler is done with it. */
  slab: Slab | null
  overlaps: boolean
  started: boolean
  done: boolean
  answer: Answer
}

export class Connection {
  readonly remote: string
  readonly socket: Socket
  /** The listener it came in on, set by the broker as it accepts the connection. */
  listener!: BoundListener
  /** Its SASL exchange and principal on a SASL_PLAINTEXT or SASL_SSL listener; null on the others. */
  sasl: SaslSession | null = null
  /** Its client certificate's principal on an SSL listener, set once the handshake completes (a SASL
   *  session's principal takes precedence on SASL_SSL). */
  principal = 'User:ANONYMOUS'
  /** Its client quota sensors while quotas are enforced (quota/enforcer.ts), else null. */
  quotaSensors: ConnectionSensors | null = null
  private readonly reader: FrameReader
  private readonly slots: Slot[] = []
  private readonly closing = new AbortController()
  private paused = false
  /** Set by drain(): nothing more is read; the socket ends once the received requests are answered. */
  private draining = false
  /** The socket's descriptor for the native send, -1 if it has none. */
  private readonly fd: number
  /** A native send in flight, or Node's writes being flushed before one: answers wait meanwhile. */
  private sending: Send | null = null
  private flushing = false
  /** startReady() is running; a call meanwhile (from a handler that answered at once) asks for another pass. */
  private starting = false
  private startAgain = false
  private onEnding: (() => void) | null = null
  /** Set while the connection is throttled (throttle()): nothing is read or started until it fires. */
  private throttleTimer: NodeJS.Timeout | null = null
  private throttledUntil = 0

  /** `accepted`: a socket the server accepted with `pauseOnConnect`; the connection takes it over,
   *  as a TLS server with `tls`. */
  constructor (accepted: Socket, pool: SlabPool, private readonly handler: ConnectionHandler, private readonly limits: ConnectionLimits, tls: TlsSettings | null = null) {
    this.reader = new FrameReader(pool, limits.maxFrameBytes, {
      frame: (frame, slab) => { this.enqueue(frame, slab) },
      invalidSize: (size) => {
        const limit = this.reader.maxFrameBytes === this.limits.maxFrameBytes ? 'socket.request.max.bytes' : 'sasl.server.max.receive.size (before authentication)'
        this.handler.onError?.(new Error(`frame of ${size} bytes exceeds ${limit} ${this.reader.maxFrameBytes}`), this)
        this.close()
      }
    })
    const socket = this.socket = tls === null ? readInto(accepted, this.reader) : acceptTls(accepted, this.reader, tls, this.secured)
    this.fd = tls === null ? (socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1 : -1
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`
    socket.setNoDelay(true)
    if (limits.idleMs > 0) socket.setTimeout(limits.idleMs, () => { if (this.slots.length === 0) this.close() })
    socket.on('drain', () => this.maybeResume())
    socket.on('error', () => this.close())
    socket.on('close', () => this.close())
  }

  private readonly secured = (principal: string | SslAuthenticationError): void => {
    if (typeof principal === 'string') this.principal = principal
    else this.fail(principal)
  }

  /** Caps request frames at `bytes` (an unauthenticated SASL client, as Kafka's sasl.server.max.receive.size);
   *  null restores socket.request.max.bytes. */
  capFrames (bytes: number | null): void {
    this.reader.maxFrameBytes = bytes ?? this.limits.maxFrameBytes
  }

  /** The address Metadata, FindCoordinator and DescribeCluster give this client: its listener's. */
  get advertised (): BrokerAddress { return this.listener.advertised }

  /**
   * KIP-219: a client over its quota gets its answer at once, then its connection is muted for
   * `ms`: no request is read, and none already read is started, until then (Kafka mutes the channel
   * so the next request is not read; Sluice may have read several ahead). Overlapping throttles
   * (concurrent Produce requests) keep the later end.
   */
  throttle (ms: number): void {
    if (this.isEnding) return
    const until = performance.now() + ms
    if (until <= this.throttledUntil) return
    this.throttledUntil = until
    if (this.throttleTimer !== null) clearTimeout(this.throttleTimer)
    this.throttleTimer = setTimeout(this.endThrottle, ms)
    this.pause()
  }

  private readonly endThrottle = (): void => {
    this.throttleTimer = null
    this.throttledUntil = 0
    if (this.isClosed) return
    this.maybeResume()
    this.startReady()
  }

  /** Aborted when the connection closes, so work for it (long polls) can stop. */
  get closed (): AbortSignal { return this.closing.signal }
  get isClosed (): boolean { return this.closing.signal.aborted }
  /** Closed, or draining: no request will be read any more, so a long poll should answer now. */
  get isEnding (): boolean { return this.draining || this.isClosed }

  /**
   * Calls `wake` once, when the connection closes or starts to drain (null: no hook). One hook per
   * connection, not a listener per wait: only Produce requests overlap, so at most one request of a
   * connection waits (a Fetch long poll), and an abort listener per long poll was ~400 B of garbage.
   */
  whenEnding (wake: (() => void) | null): void { this.onEnding = wake }

  /**
   * Graceful close, for broker shutdown: reads no further request, answers every request already
   * received (running or queued), then ends the socket. Resolves once it is closed.
   */
  drain (): Promise<void> {
    if (this.isClosed) return Promise.resolve()
    const closed = new Promise<void>(resolve => this.closing.signal.addEventListener('abort', () => resolve(), { once: true }))
    if (!this.draining) {
      this.draining = true
      // The requests already received are answered now, throttled or not: the broker is stopping.
      if (this.throttleTimer !== null) clearTimeout(this.throttleTimer)
      this.throttleTimer = null
      this.socket.pause()
      this.reader.stop()
      this.endIfDrained()
      this.wakeWaiter()
      this.startReady()
    }
    return closed
  }

  close (): void {
    if (this.isClosed) return
    this.closing.abort()
    if (this.throttleTimer !== null) clearTimeout(this.throttleTimer)
    this.wakeWaiter()
    this.reader.stop()
    this.sending?.cancel()
    this.slots.length = 0
    this.socket.destroy()
    this.handler.onClose?.(this)
  }

  private wakeWaiter (): void {
    const wake = this.onEnding
    this.onEnding = null
    wake?.()
  }

  private enqueue (lent: Buffer, slab: Slab): void {
    const slot: Slot = { frame: lent, slab, overlaps: false, started: false, done: false, answer: null }
    try {
      slot.overlaps = this.handler.mayOverlap(lent, this)
      if (!this.handler.readsOnlyUntilAnswered(lent, this)) {
        slot.frame = Buffer.from(lent)
        this.release(slot)
      }
    } catch (error) {
      this.release(slot)
      this.fail(error)
      return
    }
    this.slots.push(slot)
    if (this.slots.length >= this.limits.maxQueuedRequests) this.pause()
    this.startReady()
  }

  /** Starts every slot allowed to run: the head, and overlapping slots behind running overlapping
   *  ones. A slot reached here has only started slots before it, each done or overlapping (the loop
   *  returns at any other), so an overlapping slot may start. A handler that answers at once changes
   *  the queue under the loop (finish shifts answered slots off): the pass then runs again. */
  private startReady (): void {
    if (this.starting) {
      this.startAgain = true
      return
    }
    this.starting = true
    try {
      do {
        this.startAgain = false
        this.startPass()
      } while (this.startAgain && !this.isClosed)
    } finally {
      this.starting = false
    }
  }

  private startPass (): void {
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i]!
      if (slot.started) {
        if (!slot.done && !slot.overlaps) return
        continue
      }
      if (i > 0 && !slot.overlaps) return
      if (this.throttleTimer !== null) return
      this.start(slot)
      if (!slot.overlaps) return
    }
  }

  private start (slot: Slot): void {
    slot.started = true
    let result: Promise<Answer> | Answer
    try {
      result = this.handler.handle(slot.frame, this)
    } catch (error) {
      this.fail(error)
      return
    }
    // A handler that failed may still have work reading its frame (appends in flight): its slab is
    // not released, so it never returns to the pool.
    if (result instanceof Promise) {
      result.then(answer => { this.release(slot); this.finish(slot, answer) }, error => this.fail(error))
    } else {
      this.release(slot)
      this.finish(slot, result)
    }
  }

  private finish (slot: Slot, answer: Answer): void {
    if (this.isClosed) return
    slot.done = true
    slot.answer = answer
    slot.frame = EMPTY
    this.flushDone()
    this.startReady()
  }

  private release (slot: Slot): void {
    if (slot.slab === null) return
    this.reader.release(slot.slab)
    slot.slab = null
  }

  private flushDone (): void {
    if (this.isClosed) return
    let corked = false
    // Small answers with nothing of Node's queued ahead of them, gathered for one native send.
    let gathered: Buffer[] | null = null
    while (this.sending === null && !this.flushing && this.slots.length > 0 && this.slots[0]!.done) {
      const answer = this.slots[0]!.answer
      if (answer !== null && this.fd >= 0 && byteLength(answer) >= NATIVE_SEND_MIN_BYTES) {
        if (gathered !== null) {
          this.sendNatively(gathered, true)
          gathered = null
          continue
        }
        if (corked) this.socket.uncork()
        corked = false
        if (this.socket.writableLength > 0) {
          // Its write callback runs once Node's earlier writes are all in the kernel.
          this.flushing = true
          this.socket.write(EMPTY, () => { this.flushing = false; this.resumeAnswers() })
          break
        }
        this.slots.shift()
        this.sendNatively(answer, false)
        continue
      }
      this.slots.shift()
      if (answer === null) continue
      if (!corked && this.fd >= 0 && this.socket.writableLength === 0) {
        gathered = gathered === null ? answer : gathered.concat(answer)
        continue
      }
      if (!corked) this.socket.cork()
      corked = true
      for (const chunk of answer) this.socket.write(chunk)
    }
    if (gathered !== null) this.sendNatively(gathered, true)
    if (corked) this.socket.uncork()
    if (this.draining) this.endIfDrained()
    else if (this.socket.writableLength > this.limits.maxPendingWriteBytes) this.pause()
    else this.maybeResume()
  }

  /** After a native send or a flush it waited for: answers held back meanwhile go out, and a request
   *  that waited behind them (only the head of the queue may start) starts. */
  private resumeAnswers (): void {
    this.flushDone()
    this.startReady()
  }

  private sendNatively (answer: Buffer[], fromMemory: boolean): void {
    try {
      this.sending = sendAnswer(this.fd, answer, this.onSent, fromMemory)
    } catch (error) {
      // A peer that closed or reset the connection is not worth a report, as with socket errors.
      const errno = (error as { errno?: number }).errno
      if (errno !== EPIPE && errno !== ECONNRESET) this.handler.onError?.(error, this)
      this.close()
    }
  }

  /** The end of a native send that did not go out at once (one closure per connection, not per send). */
  private readonly onSent = (errno: number): void => {
    this.sending = null
    // A failed send is a connection the peer closed or reset, as a failed socket write is.
    if (errno !== 0) this.close()
    else this.resumeAnswers()
  }

  /** While draining: once no request is left, ends the socket after its answers are written. */
  private endIfDrained (): void {
    if (this.slots.length === 0 && this.sending === null && !this.flushing) this.socket.destroySoon()
  }

  private pause (): void {
    if (this.paused) return
    this.paused = true
    this.socket.pause()
  }

  private maybeResume (): void {
    if (!this.paused || this.isClosed || this.draining || this.throttleTimer !== null) return
    if (this.slots.length >= this.limits.maxQueuedRequests) return
    if (this.socket.writableLength > this.limits.maxPendingWriteBytes) return
    this.paused = false
    this.socket.resume()
  }

  private fail (error: unknown): void {
    this.handler.onError?.(error, this)
    this.close()
  }
}

const EMPTY = Buffer.alloc(0)
