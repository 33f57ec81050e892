// Raw Kafka framing for tests that must see or send exact bytes: malformed-input tests, golden-frame
// capture, and checks of what a client really put on the wire (e.g. the compression codec of a batch).
// Deliberately independent of src/protocol: an encoder we did not write is what catches our codec's
// mistakes. Only non-flexible layouts are needed here (request header v1, response header v0).
import { connect as netConnect, type Socket } from 'node:net'

export const API_KEY = { Produce: 0, Fetch: 1, ListOffsets: 2, Metadata: 3, ApiVersions: 18 } as const

export interface RequestHeader {
  apiKey: number
  apiVersion: number
  correlationId: number
  clientId: string | null
}

/** Big-endian field writer for hand-built request bodies. */
export class BodyWriter {
  private readonly parts: Buffer[] = []

  int8 (value: number): this { return this.push(1, b => b.writeInt8(value)) }
  int16 (value: number): this { return this.push(2, b => b.writeInt16BE(value)) }
  int32 (value: number): this { return this.push(4, b => b.writeInt32BE(value)) }
  int64 (value: bigint | number): this { return this.push(8, b => b.writeBigInt64BE(BigInt(value))) }

  /** STRING / NULLABLE_STRING: int16 length (-1 = null), then UTF-8 bytes. */
  string (value: string | null): this {
    if (value === null) return this.int16(-1)
    const bytes = Buffer.from(value, 'utf8')
    return this.int16(bytes.length).raw(bytes)
  }

  /** ARRAY: int32 count, then each element written by `each`. */
  array<T> (items: readonly T[], each: (w: this, item: T) => void): this {
    this.int32(items.length)
    for (const item of items) each(this, item)
    return this
  }

  raw (bytes: Buffer): this { this.parts.push(bytes); return this }

  finish (): Buffer { return Buffer.concat(this.parts) }

  private push (size: number, write: (b: Buffer) => void): this {
    const b = Buffer.alloc(size)
    write(b)
    this.parts.push(b)
    return this
  }
}

/** Cursor over a response body; throws RangeError past the end (Buffer's own bounds checks). */
export class BodyReader {
  offset = 0
  constructor (readonly buf: Buffer) {}

  int8 (): number { return this.advance(1, this.buf.readInt8(this.offset)) }
  int16 (): number { return this.advance(2, this.buf.readInt16BE(this.offset)) }
  int32 (): number { return this.advance(4, this.buf.readInt32BE(this.offset)) }
  int64 (): bigint { return this.advance(8, this.buf.readBigInt64BE(this.offset)) }
  string (): string | null {
    const length = this.int16()
    if (length < 0) return null
    return this.bytesOf(length).toString('utf8')
  }

  /** NULLABLE_BYTES: int32 length (-1 = null). */
  bytes (): Buffer | null {
    const length = this.int32()
    return length < 0 ? null : this.bytesOf(length)
  }

  array<T> (each: (r: this) => T): T[] {
    const count = this.int32()
    const items: T[] = []
    for (let i = 0; i < count; i++) items.push(each(this))
    return items
  }

  get remaining (): number { return this.buf.length - this.offset }

  private bytesOf (length: number): Buffer {
    if (length > this.remaining) throw new RangeError(`need ${length} bytes, ${this.remaining} left`)
    return this.advance(length, this.buf.subarray(this.offset, this.offset + length))
  }

  private advance<T> (size: number, value: T): T { this.offset += size; return value }
}

/** A size-prefixed request frame with header v1 (api key, version, correlation id, client id). */
export function requestFrame (header: RequestHeader, body: Buffer): Buffer {
  const head = new BodyWriter()
    .int16(header.apiKey).int16(header.apiVersion).int32(header.correlationId).string(header.clientId)
    .finish()
  const size = Buffer.alloc(4)
  size.writeInt32BE(head.length + body.length)
  return Buffer.concat([size, head, body])
}

/** Reads the fixed part of a request header (no size prefix); the client id is INT16-length in every header version. */
export function peekRequestHeader (request: Buffer): RequestHeader {
  const r = new BodyReader(request)
  return { apiKey: r.int16(), apiVersion: r.int16(), correlationId: r.int32(), clientId: r.string() }
}

/** Cuts a byte stream into frames (without their 4-byte size prefix). */
export class FrameSplitter {
  private pending: Buffer = Buffer.alloc(0)

  push (chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    const frames: Buffer[] = []
    while (this.pending.length >= 4) {
      const size = this.pending.readInt32BE(0)
      if (this.pending.length < 4 + size) break
      frames.push(this.pending.subarray(4, 4 + size))
      this.pending = this.pending.subarray(4 + size)
    }
    return frames
  }
}

export interface WireResponse {
  correlationId: number
  /** The body after a v0 response header. Flexible responses other than ApiVersions start with a tag section. */
  body: Buffer
}

/** A client connection that sends raw frames and hands back responses in arrival order. */
export class WireConnection {
  private readonly splitter = new FrameSplitter()
  private readonly arrived: Buffer[] = []
  private waiter: (() => void) | undefined
  private closedFlag = false
  readonly closed: Promise<void>

  private constructor (private readonly socket: Socket) {
    socket.on('data', chunk => {
      this.arrived.push(...this.splitter.push(chunk))
      this.waiter?.()
    })
    this.closed = new Promise(resolve => {
      socket.once('close', () => { this.closedFlag = true; this.waiter?.(); resolve() })
    })
    socket.on('error', () => {}) // a reset is an expected outcome here; 'close' reports it
  }

  static open (host: string, port: number): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host, port })
      socket.once('connect', () => resolve(new WireConnection(socket)))
      socket.once('error', reject)
    })
  }

  get isClosed (): boolean { return this.closedFlag }

  write (bytes: Buffer): void { this.socket.write(bytes) }

  send (header: RequestHeader, body: Buffer): void { this.write(requestFrame(header, body)) }

  /** The next response frame; rejects if the connection closes first or nothing comes within timeoutMs. */
  async nextResponse (timeoutMs = 5_000): Promise<WireResponse> {
    const deadline = Date.now() + timeoutMs
    while (this.arrived.length === 0) {
      if (this.closedFlag) throw new Error('connection closed before a response arrived')
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no response within ${timeoutMs} ms`)
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, left)
        this.waiter = () => { clearTimeout(timer); resolve() }
      })
      this.waiter = undefined
    }
    const frame = this.arrived.shift() as Buffer
    return { correlationId: frame.readInt32BE(0), body: frame.subarray(4) }
  }

  /** Resolves true if the broker closes the connection within timeoutMs. */
  async closesWithin (timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<false>(resolve => { timer = setTimeout(() => resolve(false), timeoutMs) })
    const result = await Promise.race([this.closed.then(() => true as const), timedOut])
    clearTimeout(timer)
    return result
  }

  close (): void { this.socket.destroy() }
}
