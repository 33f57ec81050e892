// One WebSocket connection to /v1/stream: its subscriptions, its produce requests and their ordered
// acknowledgements, and its backpressure (see ws-frames.ts for the messages).
//
// Backpressure: records are pushed only while the socket's unsent bytes (getBufferedAmount) are below
// http.ws.max.buffered.bytes; past it every stream of the socket pauses (the hub stops reading for it)
// and resumes on drain once the socket is down to half the limit. A socket that stays paused for
// http.ws.slow.client.ms is told SLOW_CONSUMER (with how far behind it is) and closed with code 4008;
// its streams and group memberships go with it. Unsent bytes are thus bounded by the limit plus one
// frame, and the log on disk, not memory, holds what a slow client has not read yet.
//
// Produce: every produce message gets exactly one ack, in the order the messages arrived, even when
// later ones finish first. Records queued by all sockets in one turn share one append per partition
// (produce-batcher.ts). A client with more than MAX_IN_FLIGHT_BYTES of produce unanswered is closed.
import type { Broker } from '../broker/broker.js'
import type { FeedChunk } from './feed-hub.js'
import { ProduceRefused, type GatewayProducer, type OutgoingRecord, type RecordResult } from './producer.js'
import type { WebSocket } from './uws.js'
import {
  BadFrame, decodeBinaryProduce, decodeJsonRecords, encodeBinaryAck, encodeBinaryRecords, encodeJsonRecords, FrameKind,
  type ValueEncoding
} from './ws-frames.js'
import type { Isolation } from './record-reader.js'
import { Subscriptions, type StartPosition } from './ws-subscriptions.js'
import type { FeedHub } from './feed-hub.js'

export const SLOW_CONSUMER_CLOSE = 4008
/** WebSocket.send's answer when the whole frame went to the kernel. */
const SENT = 1
const MAX_IN_FLIGHT_BYTES = 64 * 1024 * 1024

export interface SessionOptions { format: 'json' | 'binary', encoding: ValueEncoding }

export interface SessionDeps {
  broker: Broker
  producer: GatewayProducer
  feed: FeedHub
  maxBufferedBytes: number
  slowClientMs: number
  slowDisconnected: () => void
}

interface PendingAck { frame: string | Buffer | null, binary: boolean }

export class StreamSession {
  readonly subscriptions: Subscriptions
  private closed = false
  private paused = false
  private slowTimer: NodeJS.Timeout | null = null
  private readonly acks: PendingAck[] = []
  private inFlightBytes = 0

  /** The FeedChunk encoding this socket's frames share with every socket of the same options. */
  private readonly frameKey: string
  private readonly encodeFrame: (chunk: FeedChunk) => Buffer

  constructor (private readonly ws: WebSocket<unknown>, private readonly deps: SessionDeps, private readonly options: SessionOptions) {
    this.frameKey = options.format === 'binary' ? 'binary' : `json:${options.encoding}`
    this.encodeFrame = options.format === 'binary'
      ? c => encodeBinaryRecords(c.topic, c.partition, c.records)
      : c => Buffer.from(encodeJsonRecords(c.topic, c.partition, c.records, options.encoding))
    this.subscriptions = new Subscriptions(deps.broker, deps.feed, {
      accepting: () => !this.closed && !this.paused,
      send: chunk => this.push(chunk),
      notify: message => { this.sendJson(message) }
    })
  }

  get bufferedBytes (): number { return this.closed ? 0 : this.ws.getBufferedAmount() }

  /** `message` is only valid during this call: everything kept is copied or decoded first. */
  onMessage (message: ArrayBuffer, isBinary: boolean): void {
    const bytes = Buffer.from(message.slice(0))
    let ref: unknown
    try {
      if (isBinary && bytes[0] === FrameKind.PRODUCE) {
        const produce = decodeBinaryProduce(bytes)
        this.produce(produce.topic, produce.records, produce.ref, true, bytes.length)
        return
      }
      let request: Record<string, unknown>
      try {
        request = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>
      } catch (error) {
        throw new BadFrame(`the message is neither JSON nor a binary PRODUCE frame: ${(error as Error).message}`)
      }
      if (typeof request !== 'object' || request === null) throw new BadFrame('a message must be a JSON object')
      ref = request.ref
      this.handle(request, bytes.length)
    } catch (error) {
      if (!(error instanceof BadFrame)) throw error
      this.sendError(ref, error.message)
    }
  }

  onDrain (): void {
    if (!this.paused || this.ws.getBufferedAmount() > this.deps.maxBufferedBytes / 2) return
    this.paused = false
    if (this.slowTimer !== null) clearTimeout(this.slowTimer)
    this.slowTimer = null
    this.subscriptions.resumeAll()
  }

  /** Drops the streams at once; resolves when the socket's group memberships are left too. */
  async onClose (): Promise<void> {
    this.closed = true
    if (this.slowTimer !== null) clearTimeout(this.slowTimer)
    this.acks.length = 0
    try {
      await this.subscriptions.close()
    } catch (error) {
      this.deps.broker.log.warn({ err: error }, 'closing WebSocket subscriptions failed')
    }
  }

  private handle (request: Record<string, unknown>, size: number): void {
    const ref = request.ref
    switch (request.op) {
      case 'subscribe':
        if (typeof request.group === 'string') {
          const from = request.from === 'earliest' ? 'earliest' : 'latest'
          this.subscriptions.subscribeGroup(request.group, names(request.topics), { from, autoCommit: request.autoCommit !== false, isolation: isolation(request.isolation) })
          this.sendJson({ type: 'subscribed', ref, group: request.group })
        } else {
          const topic = name(request.topic, 'topic')
          const partitions = request.partitions === undefined ? undefined : numbers(request.partitions)
          const started = this.subscriptions.subscribeTopic(topic, partitions, startPosition(request.from), isolation(request.isolation))
          this.sendJson({ type: 'subscribed', ref, topic, partitions: started })
        }
        return
      case 'unsubscribe':
        if (typeof request.group === 'string') void this.answerAsync(ref, this.subscriptions.unsubscribeGroup(request.group), { type: 'unsubscribed', ref, group: request.group })
        else {
          this.subscriptions.unsubscribeTopic(name(request.topic, 'topic'))
          this.sendJson({ type: 'unsubscribed', ref, topic: request.topic })
        }
        return
      case 'commit':
        void this.answerAsync(ref, this.subscriptions.commitGroup(name(request.group, 'group')), { type: 'committed', ref, group: request.group })
        return
      case 'produce': {
        const encoding = request.encoding === 'base64' || request.encoding === 'json' ? request.encoding : 'string'
        this.produce(name(request.topic, 'topic'), decodeJsonRecords(request.records, encoding), ref, false, size)
        return
      }
      default:
        throw new BadFrame(`unknown op ${JSON.stringify(request.op)}: expected subscribe, unsubscribe, commit or produce`)
    }
  }

  private produce (topic: string, records: OutgoingRecord[], ref: unknown, binary: boolean, size: number): void {
    if (this.inFlightBytes + size > MAX_IN_FLIGHT_BYTES) {
      this.sendError(ref, `TOO_MANY_IN_FLIGHT: more than ${MAX_IN_FLIGHT_BYTES} bytes of produce unacknowledged`)
      this.ws.end(1008, 'too much produce in flight')
      return
    }
    this.inFlightBytes += size
    const slot: PendingAck = { frame: null, binary }
    this.acks.push(slot)
    this.deps.producer.produce(topic, records).then(
      results => { slot.frame = binary ? encodeBinaryAck(Number(ref), results) : JSON.stringify({ type: 'ack', ref, topic, offsets: results.map(jsonResult) }) },
      (error: unknown) => {
        if (!(error instanceof ProduceRefused)) throw error
        const code = error.reason === 'unknown-topic' ? 'UNKNOWN_TOPIC' : 'UNKNOWN_PARTITION'
        slot.binary = false
        slot.frame = JSON.stringify({ type: 'error', ref, code, message: error.message })
      }
    ).catch((error: unknown) => {
      this.deps.broker.log.error({ err: error, topic }, 'WebSocket produce failed unexpectedly')
      slot.binary = false
      slot.frame = JSON.stringify({ type: 'error', ref, code: 'INTERNAL', message: 'the produce failed unexpectedly' })
    }).finally(() => {
      this.inFlightBytes -= size
      this.flushAcks()
    })
  }

  private flushAcks (): void {
    if (this.closed) return
    let sent = 0
    this.ws.cork(() => {
      while (sent < this.acks.length && this.acks[sent]!.frame !== null) {
        const ack = this.acks[sent++]!
        this.ws.send(ack.frame!, ack.binary)
      }
    })
    this.acks.splice(0, sent)
  }

  /** Sends one records frame; false (and paused) when the socket is now over its limit. */
  private push (chunk: FeedChunk): boolean {
    const binary = this.options.format === 'binary'
    // Encoded once per chunk and format, as bytes: uWS would convert a JS string to UTF-8 on every send.
    const frame = chunk.encoded(this.frameKey, this.encodeFrame)
    // One frame, one write: no cork needed (it would only add a native round trip per subscriber).
    // SENT means the kernel took it all, so nothing is buffered: the limit needs checking only otherwise.
    const status = this.ws.send(frame, binary)
    this.deps.broker.metrics.topicOut(chunk.topic, frame.length, chunk.records.length)
    if (status === SENT || !this.overLimit()) return true
    this.pause()
    return false
  }

  private pause (): void {
    if (this.paused) return
    this.paused = true
    this.slowTimer = setTimeout(() => { this.dropSlowClient() }, this.deps.slowClientMs)
  }

  private dropSlowClient (): void {
    if (this.closed || !this.paused) return
    const lag = this.subscriptions.lag()
    const buffered = this.ws.getBufferedAmount()
    this.sendJson({ type: 'error', code: 'SLOW_CONSUMER', message: `${lag} records behind with ${buffered} bytes unsent for ${this.deps.slowClientMs} ms; closing` })
    this.deps.slowDisconnected()
    this.ws.end(SLOW_CONSUMER_CLOSE, `slow consumer: ${lag} records behind`)
  }

  private overLimit (): boolean { return this.ws.getBufferedAmount() > this.deps.maxBufferedBytes }

  private async answerAsync (ref: unknown, work: Promise<void>, answer: object): Promise<void> {
    try {
      await work
      this.sendJson(answer)
    } catch (error) {
      if (!(error instanceof BadFrame)) throw error
      this.sendError(ref, error.message)
    }
  }

  private sendError (ref: unknown, message: string): void {
    const at = message.indexOf(':')
    const code = at > 0 && /^[A-Z_]+$/.test(message.slice(0, at)) ? message.slice(0, at) : 'BAD_REQUEST'
    this.sendJson({ type: 'error', ref, code, message })
  }

  private sendJson (message: object): void {
    if (this.closed) return
    this.ws.cork(() => { this.ws.send(JSON.stringify(message), false) })
  }
}

function jsonResult (r: RecordResult): object {
  return r.ok ? { partition: r.partition, offset: r.offset } : { partition: r.partition, error: r.message }
}

function name (value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new BadFrame(`${what} must be a non-empty string`)
  return value
}

function names (value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) throw new BadFrame('topics must be a non-empty list of names')
  return value.map(v => name(v, 'each topic'))
}

function numbers (value: unknown): number[] {
  if (!Array.isArray(value) || !value.every(v => Number.isInteger(v))) throw new BadFrame('partitions must be a list of integers')
  return value as number[]
}

function isolation (value: unknown): Isolation {
  if (value === undefined || value === 'read_uncommitted') return 'read_uncommitted'
  if (value === 'read_committed') return 'read_committed'
  throw new BadFrame('isolation must be "read_uncommitted" or "read_committed"')
}

function startPosition (from: unknown): StartPosition {
  if (from === undefined || from === 'latest') return 'latest'
  if (from === 'earliest') return 'earliest'
  if (typeof from === 'object' && from !== null) {
    const { offset, timestamp } = from as { offset?: unknown, timestamp?: unknown }
    if (Number.isInteger(offset)) return { offset: offset as number }
    if (Number.isInteger(timestamp)) return { timestamp: timestamp as number }
  }
  throw new BadFrame('from must be "earliest", "latest", {"offset": N} or {"timestamp": MS}')
}
