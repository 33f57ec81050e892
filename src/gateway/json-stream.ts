// Splits a byte stream of concatenated JSON values ("Concatenated JSON", as the v3 streaming produce
// takes it: one object after another, usually one per line) into one Buffer per top-level value, without
// parsing: it tracks nesting and strings byte by byte. UTF-8 continuation bytes never equal the ASCII
// delimiters, so scanning bytes is safe.
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const QUOTE = 0x22
const BACKSLASH = 0x5c

export class JsonSplitError extends Error {}

export class JsonSplitter {
  private pending: Buffer[] = []
  private pendingBytes = 0
  private depth = 0
  private inString = false
  private escaped = false

  constructor (private readonly maxValueBytes: number) {}

  /** The values completed by `chunk`. Throws JsonSplitError on a value over the limit or a stray byte. */
  push (chunk: Buffer): Buffer[] {
    const out: Buffer[] = []
    let start = this.depth > 0 ? 0 : -1
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!
      if (this.depth === 0) {
        if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte === 0x2c) continue
        if (byte !== OPEN_OBJECT) throw new JsonSplitError(`expected a JSON object, found ${JSON.stringify(String.fromCharCode(byte))}`)
        start = i
        this.depth = 1
        continue
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false
        else if (byte === BACKSLASH) this.escaped = true
        else if (byte === QUOTE) this.inString = false
        continue
      }
      if (byte === QUOTE) this.inString = true
      else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) this.depth++
      else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
        if (--this.depth === 0) {
          out.push(this.take(chunk.subarray(start, i + 1)))
          start = -1
        }
      }
    }
    if (start >= 0) this.keep(chunk.subarray(start))
    return out
  }

  /** Throws if the stream ended inside a value. */
  end (): void {
    if (this.depth > 0) throw new JsonSplitError('the body ended inside a JSON value')
  }

  private keep (part: Buffer): void {
    this.pendingBytes += part.length
    if (this.pendingBytes > this.maxValueBytes) throw new JsonSplitError(`a JSON value is larger than ${this.maxValueBytes} bytes`)
    this.pending.push(Buffer.from(part))
  }

  private take (last: Buffer): Buffer {
    if (this.pending.length === 0) {
      if (last.length > this.maxValueBytes) throw new JsonSplitError(`a JSON value is larger than ${this.maxValueBytes} bytes`)
      return last
    }
    const whole = Buffer.concat([...this.pending, last])
    this.pending = []
    this.pendingBytes = 0
    if (whole.length > this.maxValueBytes) throw new JsonSplitError(`a JSON value is larger than ${this.maxValueBytes} bytes`)
    return whole
  }
}
