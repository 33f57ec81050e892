// A raw Kafka connection for the lean load driver: pre-encoded request frames are written as they
// come (pipelined, no ApiVersions round trip, no per-request objects beyond a callback), and answer
// frames are matched to requests in order (a broker answers one connection's requests in order,
// protocol-notes.md §1). Requests that get no answer (Produce with acks=0) pass null as the callback.
//
// Receiving: the socket reads straight into one buffer the connection reuses (net's `onread`), at the
// position where the next bytes belong, so an answer of any size arrives in place: no buffer per
// socket read and no copy to join a frame's chunks. The per-read buffers of a plain socket and the
// copy that joined them cost the catch-up consumer 26% (collections) and 10% (copying) of its time.
// Lifetime: an answer frame is a view of that buffer, valid only while its callback runs.
import { connect, type Socket } from 'node:net'
import { connect as tlsConnect, type ConnectionOptions as TlsConnectionOptions } from 'node:tls'
import type { TlsOptions } from '../../src/client/index.js'
import { FRAME_PREFIX_BYTES, frameSize } from '../../src/protocol/index.js'

export type OnAnswer = (frame: Buffer) => void

/** Each socket read may fill at least this much of the buffer. */
const MIN_READ_BYTES = 64 * 1024

export class Wire {
  private readonly waiting: OnAnswer[] = []
  private head = 0
  private failure: Error | null = null
  private drainWaiters: Array<() => void> = []
  private buffer: Buffer = Buffer.allocUnsafeSlow(4 * MIN_READ_BYTES)
  /** Received bytes not yet answered are buffer[start, end). */
  private start = 0
  private end = 0
  private socket!: Socket

  /** `tls`: connect to an SSL listener (tls.connect reads into the buffer the same way). */
  static async connect (host: string, port: number, tls?: TlsOptions): Promise<Wire> {
    const wire = new Wire()
    const onread = { buffer: () => wire.room(), callback: (bytes: number) => wire.received(bytes) }
    // tls.connect takes `onread` too (Node's documentation; its types lack it).
    const socket = tls === undefined ? connect({ host, port, onread }) : tlsConnect({ host, port, ...tls, onread } as TlsConnectionOptions)
    await new Promise<void>((resolve, reject) => {
      socket.once(tls === undefined ? 'connect' : 'secureConnect', resolve)
      socket.once('error', reject)
    })
    wire.attach(socket)
    return wire
  }

  /** Requests written whose answer has not arrived yet. */
  get inFlight (): number { return this.waiting.length - this.head }

  get failed (): Error | null { return this.failure }

  /** Writes one frame; returns false when the socket's buffer is full (await writable()). */
  send (frame: Buffer, onAnswer: OnAnswer | null): boolean {
    if (this.failure !== null) throw this.failure
    if (onAnswer !== null) this.waiting.push(onAnswer)
    return this.socket.write(frame)
  }

  /** Resolves once the socket has room again (or has failed). */
  writable (): Promise<void> {
    if (!this.socket.writableNeedDrain || this.failure !== null) return Promise.resolve()
    return new Promise(resolve => this.drainWaiters.push(resolve))
  }

  close (): void {
    this.socket.destroy()
  }

  private attach (socket: Socket): void {
    this.socket = socket
    socket.setNoDelay(true)
    socket.on('drain', () => this.wakeDrain())
    socket.on('error', (error) => { this.failure ??= error })
    socket.on('close', () => {
      this.failure ??= new Error('the broker closed the connection')
      this.wakeDrain()
    })
  }

  private wakeDrain (): void {
    const waiters = this.drainWaiters
    this.drainWaiters = []
    for (const wake of waiters) wake()
  }

  /** Where the next socket read lands: after the received bytes. Once a frame's size is known the
   *  frame must fit whole from `start` (it then arrives in place, however many reads it takes);
   *  before that, a read's worth of room. Moves the unanswered bytes to the front, or into a larger
   *  buffer, only when that does not hold: at most once per frame. */
  private room (): Buffer {
    const pending = this.end - this.start
    const needed = pending >= FRAME_PREFIX_BYTES ? FRAME_PREFIX_BYTES + frameSize(this.buffer, this.start) : MIN_READ_BYTES
    if (this.start + needed > this.buffer.length) {
      const target = needed > this.buffer.length ? Buffer.allocUnsafeSlow(needed) : this.buffer
      this.buffer.copy(target, 0, this.start, this.end)
      this.buffer = target
      this.start = 0
      this.end = pending
    }
    return this.buffer.subarray(this.end)
  }

  /** The socket read `bytes` into room(); answers every whole frame. True: keep reading. */
  private received (bytes: number): boolean {
    this.end += bytes
    while (this.end - this.start >= FRAME_PREFIX_BYTES) {
      const size = frameSize(this.buffer, this.start)
      if (this.end - this.start < FRAME_PREFIX_BYTES + size) break
      const frame = this.buffer.subarray(this.start + FRAME_PREFIX_BYTES, this.start + FRAME_PREFIX_BYTES + size)
      this.start += FRAME_PREFIX_BYTES + size
      this.answer(frame)
    }
    if (this.start === this.end) this.start = this.end = 0
    return true
  }

  private answer (frame: Buffer): void {
    const onAnswer = this.waiting[this.head]
    if (onAnswer === undefined) {
      this.failure = new Error('an answer arrived for no request')
      this.socket.destroy()
      return
    }
    this.head++
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head)
      this.head = 0
    }
    onAnswer(frame)
  }
}
