// Cuts Kafka frames (int32 size, then that many bytes) out of a connection's byte stream. The socket
// reads straight into reusable slabs (net.Socket's `onread`), and a frame is handed out as a view of
// its slab: request bytes are neither copied nor allocated per request.
//
// Why: with Node's default reads every chunk is a fresh ArrayBuffer, and a frame spanning chunks was
// joined into another one. Under produce that allocated twice the traffic in external memory, and V8
// answers external memory growth with full mark-compacts: 50 per GB produced, whose concurrent marking
// and sweeping took about a third of the broker's CPU (perf, 8 partitions, 1 KB records).
//
// Lending: a frame handed out with its slab (`lent`) must be released once nothing reads it any more;
// a slab goes back to the pool when the reader has moved past it and every frame cut from it has been
// released. A frame that is never released only keeps its slab from the pool (the garbage collector
// frees it). Slabs are reused in place when every frame cut from them has been released.
//
// Memory follows the bytes that arrived, not the size a peer claims: a frame larger than a slab grows
// its buffer by doubling as its bytes come in.
import { Socket } from 'node:net'

/** Standard slab: a Kafka client's default max.request.size (1 MiB) fits one. */
export const SLAB_BYTES = 2 ** 20
/** A new connection reads into a buffer of its own this size; small requests never leave it. */
const FIRST_BUFFER_BYTES = 16 * 1024
/** The reader moves to a new buffer rather than read fewer bytes than this at the end of one. */
const MIN_READ_BYTES = 4 * 1024
const SIZE_BYTES = 4

export interface Slab {
  readonly bytes: Buffer
  /** Frames cut from this slab and not yet released. */
  lent: number
}

/** Idle standard slabs, shared by a broker's connections. */
export class SlabPool {
  private readonly idle: Buffer[] = []
  constructor (private readonly maxIdle: number) {}

  take (): Slab {
    return { bytes: this.idle.pop() ?? Buffer.allocUnsafeSlow(SLAB_BYTES), lent: 0 }
  }

  give (slab: Slab): void {
    if (slab.bytes.length === SLAB_BYTES && this.idle.length < this.maxIdle) this.idle.push(slab.bytes)
  }
}

export interface FrameSink {
  /** A complete frame (the bytes after the size prefix), a view of `slab`. */
  frame: (frame: Buffer, slab: Slab) => void
  /** A size prefix outside 0..maxFrameBytes: nothing more is read. */
  invalidSize: (size: number) => void
}

export class FrameReader {
  private slab: Slab = { bytes: Buffer.allocUnsafeSlow(FIRST_BUFFER_BYTES), lent: 0 }
  /** Start of the bytes not yet cut into frames, and end of the bytes received, in `slab`. */
  private start = 0
  private end = 0
  private stopped = false

  /** `maxFrameBytes` may change between frames (a cap until SASL authentication completes). */
  constructor (private readonly pool: SlabPool, public maxFrameBytes: number, private readonly sink: FrameSink) {}

  /** For `onread.buffer`: where the next read lands. */
  next (): Buffer {
    return this.slab.bytes.subarray(this.end)
  }

  /** For `onread.callback`: `count` bytes arrived at the buffer `next()` returned. */
  received (count: number): void {
    if (this.stopped) return
    this.end += count
    const bytes = this.slab.bytes
    while (this.end - this.start >= SIZE_BYTES) {
      const size = bytes.readInt32BE(this.start)
      if (size < 0 || size > this.maxFrameBytes) {
        this.stop()
        this.sink.invalidSize(size)
        return
      }
      const frameEnd = this.start + SIZE_BYTES + size
      if (frameEnd > this.end) break
      this.slab.lent++
      const frame = bytes.subarray(this.start + SIZE_BYTES, frameEnd)
      this.start = frameEnd
      this.sink.frame(frame, this.slab)
      if (this.stopped) return
    }
    this.makeRoom()
  }

  /** Gives a frame's slab back; call once per frame, when nothing reads the frame any more. */
  release (slab: Slab): void {
    slab.lent--
    if (slab.lent === 0 && slab !== this.slab) this.pool.give(slab)
  }

  /** Drops the bytes not yet cut into frames and cuts no more (connection draining or closed). The
   *  current slab stays out of the pool: the socket may still hold it as its read buffer. */
  stop (): void {
    this.stopped = true
    this.start = this.end = 0
  }

  /** Makes sure the next read has room: at least MIN_READ_BYTES, or the rest of the pending frame. */
  private makeRoom (): void {
    const room = this.slab.bytes.length
    const pending = this.end - this.start
    if (pending === 0 && this.slab.lent === 0) this.start = this.end = 0
    const need = pending >= SIZE_BYTES ? SIZE_BYTES + this.slab.bytes.readInt32BE(this.start) : SIZE_BYTES
    const tail = room - this.end
    const fits = this.start + need <= room
    if (fits ? tail >= MIN_READ_BYTES || pending >= SIZE_BYTES : need > SLAB_BYTES && tail >= MIN_READ_BYTES) return
    const want = Math.max(need, pending + MIN_READ_BYTES)
    const next = want <= SLAB_BYTES
      ? this.pool.take()
      : { bytes: Buffer.allocUnsafeSlow(Math.min(need, 2 * (pending + MIN_READ_BYTES))), lent: 0 }
    this.slab.bytes.copy(next.bytes, 0, this.start, this.end)
    const old = this.slab
    this.slab = next
    this.start = 0
    this.end = pending
    if (old.lent === 0) this.pool.give(old)
  }
}

/**
 * Takes over a socket a server accepted with `pauseOnConnect` (nothing read yet) and returns a socket
 * on the same connection that reads into `reader`. Node offers `onread` only to the Socket
 * constructor, which a server calls for us; so the accepted socket gives up its handle, and the server
 * counts the new socket as the connection (server.close() waits for it).
 */
export function readInto (accepted: Socket, reader: FrameReader): Socket {
  const inner = accepted as unknown as { _handle: unknown, _server: unknown, server: unknown }
  const handle = inner._handle
  inner._handle = null
  const socket = new Socket({
    handle, readable: true, writable: true, onread: { buffer: () => reader.next(), callback: (count: number) => { reader.received(count) } }
  } as ConstructorParameters<typeof Socket>[0])
  const adopted = socket as unknown as typeof inner
  adopted._server = inner._server
  adopted.server = inner.server
  inner._server = null
  inner.server = null
  return socket
}
