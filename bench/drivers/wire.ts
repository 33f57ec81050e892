// A raw Kafka connection for the lean load driver: pre-encoded request frames are written as they
// come (pipelined, no ApiVersions round trip, no per-request objects beyond a callback), and answer
// frames are matched to requests in order (a broker answers one connection's requests in order,
// protocol-notes.md §1). Requests that get no answer (Produce with acks=0) pass null as the callback.
//
// Lifetime: an answer frame is valid only while its callback runs. A frame that spans socket chunks
// (a large fetch answer) is gathered into one scratch buffer that the connection reuses: a fresh
// 32 MiB buffer per answer cost the catch-up consumer ~40% of its time in page faults and copying.
import { connect, type Socket } from 'node:net'
import { FRAME_PREFIX_BYTES, frameSize } from '../../src/protocol/index.js'

export type OnAnswer = (frame: Buffer) => void

export class Wire {
  private readonly waiting: OnAnswer[] = []
  private head = 0
  private chunks: Buffer[] = []
  private buffered = 0
  private failure: Error | null = null
  private drainWaiters: Array<() => void> = []
  private scratch: Buffer = Buffer.alloc(0)

  private constructor (private readonly socket: Socket) {
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('drain', () => this.wakeDrain())
    socket.on('error', (error) => { this.failure ??= error })
    socket.on('close', () => {
      this.failure ??= new Error('the broker closed the connection')
      this.wakeDrain()
    })
  }

  static async connect (host: string, port: number): Promise<Wire> {
    const socket = connect({ host, port })
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    })
    return new Wire(socket)
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

  private wakeDrain (): void {
    const waiters = this.drainWaiters
    this.drainWaiters = []
    for (const wake of waiters) wake()
  }

  private onData (chunk: Buffer): void {
    this.chunks.push(chunk)
    this.buffered += chunk.length
    while (this.buffered >= FRAME_PREFIX_BYTES) {
      if (this.chunks.length > 1 && (this.chunks[0] as Buffer).length < FRAME_PREFIX_BYTES) this.flatten()
      const size = frameSize(this.chunks[0] as Buffer)
      const total = FRAME_PREFIX_BYTES + size
      if (this.buffered < total) return
      if ((this.chunks[0] as Buffer).length < total) {
        this.answer(this.gather(total).subarray(FRAME_PREFIX_BYTES, total))
        continue
      }
      const first = this.chunks[0] as Buffer
      const frame = first.subarray(FRAME_PREFIX_BYTES, total)
      if (first.length === total) this.chunks.shift()
      else this.chunks[0] = first.subarray(total)
      this.buffered -= total
      this.answer(frame)
    }
  }

  /** Joins the buffered chunks when even the 4-byte size prefix is split between them. */
  private flatten (): void {
    this.chunks = [Buffer.concat(this.chunks, this.buffered)]
  }

  /** Moves the first `total` buffered bytes into the reused scratch buffer and returns it. */
  private gather (total: number): Buffer {
    if (this.scratch.length < total) this.scratch = Buffer.allocUnsafeSlow(total)
    let filled = 0
    while (filled < total) {
      const chunk = this.chunks[0] as Buffer
      const take = Math.min(chunk.length, total - filled)
      chunk.copy(this.scratch, filled, 0, take)
      filled += take
      if (take === chunk.length) this.chunks.shift()
      else this.chunks[0] = chunk.subarray(take)
    }
    this.buffered -= total
    return this.scratch
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
