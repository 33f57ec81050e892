// One client connection: cuts size-prefixed frames out of the socket stream, runs them through the
// request handler, and writes the answers back strictly in request order.
//
// Framing copies nothing when a frame lies inside one socket chunk (the common case); a frame that
// spans chunks is joined once, when its last byte has arrived.
//
// Ordering: Kafka answers one request per connection at a time. We start consecutive Produce requests
// concurrently (their appends are queued in order per partition, so their effects stay ordered) and
// every other request only once everything before it has finished, so a Metadata after a CreateTopics
// sees the topic. Answers always leave in request order.
import type { Socket } from 'node:net'

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
  mayOverlap (frame: Buffer): boolean
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
  overlaps: boolean
  started: boolean
  done: boolean
  answer: Answer
}

export class Connection {
  readonly remote: string
  /** The frame being gathered across socket chunks: its size (-1 when none) and what has arrived. */
  private partialSize = -1
  private partialChunks: Buffer[] = []
  private partialFilled = 0
  private leftover: Buffer | null = null
  private readonly slots: Slot[] = []
  private readonly closing = new AbortController()
  private paused = false
  /** Set by drain(): nothing more is read; the socket ends once the received requests are answered. */
  private draining = false

  constructor (readonly socket: Socket, private readonly handler: ConnectionHandler, private readonly limits: ConnectionLimits) {
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`
    socket.setNoDelay(true)
    if (limits.idleMs > 0) socket.setTimeout(limits.idleMs, () => { if (this.slots.length === 0) this.close() })
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('drain', () => this.maybeResume())
    socket.on('error', () => this.close())
    socket.on('close', () => this.close())
  }

  /** Aborted when the connection closes, so work for it (long polls) can stop. */
  get closed (): AbortSignal { return this.closing.signal }
  get isClosed (): boolean { return this.closing.signal.aborted }

  /**
   * Graceful close, for broker shutdown: reads no further request, answers every request already
   * received (running or queued), then ends the socket. Resolves once it is closed.
   */
  drain (): Promise<void> {
    if (this.isClosed) return Promise.resolve()
    const closed = new Promise<void>(resolve => this.closing.signal.addEventListener('abort', () => resolve(), { once: true }))
    if (!this.draining) {
      this.draining = true
      this.socket.pause()
      this.partialSize = -1
      this.partialChunks = []
      this.leftover = null
      this.endIfDrained()
    }
    return closed
  }

  close (): void {
    if (this.isClosed) return
    this.closing.abort()
    this.slots.length = 0
    this.socket.destroy()
    this.handler.onClose?.(this)
  }

  private onData (chunk: Buffer): void {
    if (this.draining) return
    let data = chunk
    if (this.leftover !== null) {
      data = Buffer.concat([this.leftover, chunk])
      this.leftover = null
    }
    let pos = 0
    if (this.partialSize >= 0) {
      const take = Math.min(this.partialSize - this.partialFilled, data.length)
      this.partialChunks.push(data.subarray(0, take))
      this.partialFilled += take
      pos = take
      if (this.partialFilled < this.partialSize) return
      const frame = Buffer.concat(this.partialChunks, this.partialSize)
      this.partialChunks = []
      this.partialSize = -1
      this.enqueue(frame)
    }
    while (!this.isClosed && data.length - pos >= 4) {
      const size = data.readInt32BE(pos)
      if (size < 0 || size > this.limits.maxFrameBytes) {
        this.handler.onError?.(new Error(`frame of ${size} bytes exceeds socket.request.max.bytes ${this.limits.maxFrameBytes}`), this)
        this.close()
        return
      }
      if (data.length - pos - 4 >= size) {
        this.enqueue(data.subarray(pos + 4, pos + 4 + size))
        pos += 4 + size
      } else {
        // Gather the chunks and join them once complete, rather than allocating `size` up front:
        // the size is the peer's claim, and memory should follow the bytes that actually arrived.
        this.partialSize = size
        this.partialChunks = [data.subarray(pos + 4)]
        this.partialFilled = data.length - pos - 4
        return
      }
    }
    if (pos < data.length) this.leftover = Buffer.from(data.subarray(pos))
  }

  private enqueue (frame: Buffer): void {
    const slot: Slot = { frame, overlaps: false, started: false, done: false, answer: null }
    try {
      slot.overlaps = this.handler.mayOverlap(frame)
    } catch (error) {
      this.fail(error)
      return
    }
    this.slots.push(slot)
    if (this.slots.length >= this.limits.maxQueuedRequests) this.pause()
    this.startReady()
  }

  /** Starts every slot allowed to run: the head, and overlapping slots behind running overlapping ones. */
  private startReady (): void {
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i]!
      if (slot.started) {
        if (!slot.done && !slot.overlaps) return
        continue
      }
      const allBeforeOverlap = this.slots.slice(0, i).every(s => s.done || s.overlaps)
      if (i > 0 && !(slot.overlaps && allBeforeOverlap)) return
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
    if (result instanceof Promise) {
      result.then(answer => this.finish(slot, answer), error => this.fail(error))
    } else {
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

  private flushDone (): void {
    let wrote = false
    while (this.slots.length > 0 && this.slots[0]!.done) {
      const answer = this.slots.shift()!.answer
      if (answer === null) continue
      if (!wrote) this.socket.cork()
      wrote = true
      for (const chunk of answer) this.socket.write(chunk)
    }
    if (wrote) this.socket.uncork()
    if (this.draining) this.endIfDrained()
    else if (this.socket.writableLength > this.limits.maxPendingWriteBytes) this.pause()
    else this.maybeResume()
  }

  /** While draining: once no request is left, ends the socket after its answers are written. */
  private endIfDrained (): void {
    if (this.slots.length === 0) this.socket.destroySoon()
  }

  private pause (): void {
    if (this.paused) return
    this.paused = true
    this.socket.pause()
  }

  private maybeResume (): void {
    if (!this.paused || this.isClosed || this.draining) return
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
