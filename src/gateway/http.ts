// One HTTP exchange on uWebSockets.js, under the rules of STYLE.md §5:
// - everything needed from `req` is captured before the handler runs: uWS reuses the request object
//   once the route callback returns, so nothing may read it after an await;
// - onAborted is registered before anything goes async (uWS aborts the process otherwise), and after an
//   abort the response is never touched again;
// - onData chunks are copied: uWS neuters their ArrayBuffer when the callback returns;
// - writes happen inside cork(), so status, headers and body leave in one syscall;
// - large bodies go out with tryEnd() and continue from onWritable(), never buffered whole in uWS;
//   a streamed answer pauses reading the request while the client does not read the answer.
import type { HttpRequest, HttpResponse } from './uws.js'
import { badRequest, RestError, STATUS_TEXT } from './rest-error.js'

export const V2_JSON = 'application/vnd.kafka.v2+json'
export const JSON_TYPE = 'application/json'

/** Above this a body goes out in tryEnd() slices as the socket drains. */
const DIRECT_END_BYTES = 64 * 1024

export interface RequestInfo {
  method: string
  url: string
  query: URLSearchParams
  /** Route parameters, URL-decoded, in pattern order. */
  params: string[]
  headers: ReadonlyMap<string, string>
}

export interface ExchangeHooks {
  maxBodyBytes: number
  /** Called once per answered exchange with its status (for /metrics). */
  answered: (status: number, exchange: Exchange) => void
  /** Unexpected errors (anything but RestError) go here before the 500 answer. */
  unexpected: (error: unknown, info: RequestInfo) => void
}

type Sink = (chunk: Buffer, last: boolean) => void

export function captureRequest (req: HttpRequest, paramCount: number): RequestInfo {
  const headers = new Map<string, string>()
  req.forEach((key, value) => { headers.set(key, value) })
  const params: string[] = []
  for (let i = 0; i < paramCount; i++) params.push(safeDecode(req.getParameter(i)))
  return { method: req.getMethod(), url: req.getUrl(), query: new URLSearchParams(req.getQuery() ?? ''), params, headers }
}

function safeDecode (text: string): string {
  try {
    return decodeURIComponent(text)
  } catch (error) {
    // A stray % is a literal character in a name, not an error.
    if (!(error instanceof URIError)) throw error
    return text
  }
}

export class Exchange {
  aborted = false
  private finished = false
  private readonly chunks: Buffer[] = []
  private received = 0
  private wholeBody: Buffer | null = null
  private bodyWaiters: Array<{ resolve: (body: Buffer) => void, reject: (error: unknown) => void }> = []
  private sink: Sink | null = null
  private readonly abortHooks: Array<() => void> = []
  private streaming = false

  constructor (readonly res: HttpResponse, readonly info: RequestInfo, private readonly hooks: ExchangeHooks) {
    res.onAborted(() => {
      this.aborted = true
      this.finished = true
      for (const hook of this.abortHooks.splice(0)) hook()
    })
  }

  header (name: string): string { return this.info.headers.get(name) ?? '' }
  param (i: number): string { return this.info.params[i] ?? '' }
  get done (): boolean { return this.finished }

  onAbort (hook: () => void): void {
    if (this.aborted) hook()
    else this.abortHooks.push(hook)
  }

  /** Starts reading the body; must be called from the route callback itself (uWS requires onData there). */
  readBody (): void {
    const length = this.header('content-length')
    const declared = Number(length)
    if (Number.isFinite(declared) && declared > this.hooks.maxBodyBytes) {
      this.tooLarge()
      return
    }
    // Without a length or chunked encoding there is no body, and uWS would never call onData.
    if ((length === '' || declared === 0) && this.header('transfer-encoding') === '') {
      this.wholeBody = Buffer.alloc(0)
      return
    }
    this.res.onData((data, last) => {
      if (this.finished) return
      const chunk = Buffer.from(data.slice(0))
      this.received += chunk.length
      if (this.sink !== null) {
        // An exception must not escape into uWS's callback: it would take the whole process down.
        try {
          this.sink(chunk, last)
        } catch (error) {
          this.fail(error)
        }
        return
      }
      if (this.received > this.hooks.maxBodyBytes) {
        this.tooLarge()
        return
      }
      this.chunks.push(chunk)
      if (!last) return
      const body = this.wholeBody = Buffer.concat(this.chunks)
      this.chunks.length = 0
      for (const waiter of this.bodyWaiters.splice(0)) waiter.resolve(body)
    })
  }

  /** The whole request body (bounded by http.max.body.bytes). */
  body (): Promise<Buffer> {
    if (this.wholeBody !== null) return Promise.resolve(this.wholeBody)
    return new Promise((resolve, reject) => { this.bodyWaiters.push({ resolve, reject }) })
  }

  /** The body parsed as JSON; an empty body is `undefined`. Malformed JSON is a 400, as in the REST Proxy. */
  async json (): Promise<unknown> {
    const body = await this.body()
    if (body.length === 0) return undefined
    try {
      return JSON.parse(body.toString('utf8'))
    } catch (error) {
      throw badRequest(`Malformed JSON: ${(error as Error).message}`)
    }
  }

  /** Hands the body to `sink` chunk by chunk instead (streaming requests); chunks read so far come first. */
  streamBody (sink: Sink): void {
    this.sink = sink
    if (this.wholeBody !== null) {
      sink(this.wholeBody, true)
      return
    }
    for (const chunk of this.chunks.splice(0)) sink(chunk, false)
  }

  pauseBody (): void { if (!this.finished) this.res.pause() }
  resumeBody (): void { if (!this.finished) this.res.resume() }

  /** Answers with `payload` as JSON (null: no body). */
  send (status: number, payload: unknown, contentType = V2_JSON): void {
    this.sendBytes(status, payload === null ? null : Buffer.from(JSON.stringify(payload)), contentType)
  }

  sendBytes (status: number, body: Buffer | string | null, contentType: string): void {
    if (this.finished) return
    this.finished = true
    this.hooks.answered(status, this)
    const bytes = body === null ? null : typeof body === 'string' ? Buffer.from(body) : body
    this.res.cork(() => {
      this.res.writeStatus(STATUS_TEXT[status] ?? `${status} Unknown`)
      if (bytes === null) {
        this.res.end()
        return
      }
      this.res.writeHeader('Content-Type', contentType)
      if (bytes.length <= DIRECT_END_BYTES) this.res.end(bytes)
      else this.endLarge(bytes)
    })
  }

  /** RestError becomes its documented status and body; anything else is a logged 500. */
  fail (error: unknown): void {
    if (this.finished) return
    if (!(error instanceof RestError)) {
      this.hooks.unexpected(error, this.info)
      error = new RestError(500, 500, 'Internal server error')
    }
    const rest = error as RestError
    if (this.streaming) {
      this.writeLine(rest.body)
      this.endStream()
    } else {
      this.send(rest.status, rest.body, this.info.url.startsWith('/v3/') ? JSON_TYPE : V2_JSON)
    }
  }

  /** Starts a chunked 200 answer of JSON lines (the v3 streaming produce). */
  startStream (contentType = JSON_TYPE): void {
    if (this.finished || this.streaming) return
    this.streaming = true
    this.hooks.answered(200, this)
    this.res.cork(() => { this.res.writeStatus(STATUS_TEXT[200]!).writeHeader('Content-Type', contentType) })
  }

  /** Writes one JSON value and a newline; pauses the request body while the client is not reading. */
  writeLine (payload: unknown): void {
    if (this.finished) return
    let ok = true
    this.res.cork(() => { ok = this.res.write(JSON.stringify(payload) + '\n') })
    if (!ok) {
      this.res.pause()
      this.res.onWritable(() => {
        this.res.resume()
        return true
      })
    }
  }

  endStream (): void {
    if (this.finished) return
    this.finished = true
    this.res.cork(() => { this.res.end() })
  }

  private tooLarge (): void {
    const error = new RestError(413, 413, `Request body larger than http.max.body.bytes (${this.hooks.maxBodyBytes} bytes)`)
    for (const waiter of this.bodyWaiters.splice(0)) waiter.reject(error)
    this.sink = null
    if (this.finished) return
    this.finished = true
    this.hooks.answered(413, this)
    // The rest of the body is not read: the connection closes after the answer.
    this.res.cork(() => {
      this.res.writeStatus(STATUS_TEXT[413]!).writeHeader('Content-Type', V2_JSON).end(JSON.stringify(error.body), true)
    })
  }

  private endLarge (body: Buffer): void {
    const total = body.length
    const offset = this.res.getWriteOffset()
    const [ok, done] = this.res.tryEnd(body, total)
    if (ok || done) return
    this.res.onWritable(at => {
      const [sent, finished] = this.res.tryEnd(body.subarray(at - offset), total)
      return sent || finished
    })
  }
}
