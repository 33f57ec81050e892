// One quota key's enforcement (producer_byte_rate, consumer_byte_rate, request_percentage or
// controller_mutation_rate, which also keeps a token bucket: token-bucket.ts), as
// Kafka's ClientQuotaManager with its DefaultQuotaCallback:
//   - which configured entity applies to a (user, client-id) pair, most specific first:
//       user+client-id, user+<default> client-id, user, <default> user+client-id,
//       <default> user+<default> client-id, <default> user, client-id, <default> client-id;
//   - what the client is measured as (its sensor, Kafka's metric tags): the level that matched, so
//     clients under the same user quota share one rate, while a <default> entity gives each user or
//     client id its own rate under the default limit;
//   - a value recorded, then the rate checked: over the limit, the throttle time is the time that
//     brings the rate back to it, (rate - limit) / limit × the span the rate was measured over
//     (QuotaUtils.throttleTime), capped for request_percentage at one window (ClientRequestQuotaManager).
// Unlike Kafka, a client no quota applies to gets no sensor at all (Kafka measures it against an
// unbounded limit), so it costs nothing. Sensors idle for an hour are dropped, as Kafka expires them.
import { Rate, type RateWindows } from './rate.js'
import { TokenBucket } from './token-bucket.js'

/** An entity name: a user or client id, DEFAULT_NAME for that type's <default> entity, ABSENT for no such part. */
export const DEFAULT_NAME: unique symbol = Symbol('<default>')
export const ABSENT: unique symbol = Symbol('absent')
type Part = string | typeof DEFAULT_NAME | typeof ABSENT

const SENSOR_IDLE_MS = 3_600_000
const SWEEP_EVERY_MS = 60_000

export function entityKey (user: Part, clientId: Part): string {
  return `${partKey(user)}\u0001${partKey(clientId)}`
}

const partKey = (part: Part): string => part === ABSENT ? '' : part === DEFAULT_NAME ? '\u0000' : `=${part}`

/** A client's measure against one quota: shared by every connection with the same metric tags. */
export interface QuotaSensor {
  /** Kafka's metric tags: '' for a level the matched entity does not name. */
  readonly user: string
  readonly clientId: string
  limit: number
  readonly rate: Rate
  /** controller_mutation_rate's credits; null for the other keys. */
  readonly bucket: TokenBucket | null
  throttleMsTotal: number
  throttles: number
}

export class ClientQuotaManager {
  /** Limits by entityKey(user, client-id); empty: this key is not enforced at all. */
  private limits = new Map<string, number>()
  private readonly sensors = new Map<string, QuotaSensor>()
  private lastSweepMs = 0
  /** Grows whenever a client's sensor may have changed (new limits, sensors dropped): cached ones are stale. */
  generation = 0

  constructor (
    readonly key: string,
    private readonly windows: RateWindows,
    private readonly maxThrottleMs: number,
    private readonly tokenBucket = false
  ) {}

  get enabled (): boolean { return this.limits.size > 0 }

  /** New limits take effect at once: existing sensors keep their rate and get their new limit (or go). */
  update (limits: Map<string, number>): void {
    this.limits = limits
    this.generation++
    for (const [tags, sensor] of this.sensors) {
      const limit = this.limitOf(sensor.user, sensor.clientId)
      if (limit === undefined) this.sensors.delete(tags)
      else sensor.limit = limit
    }
  }

  /** The sensor a client is measured by, null when no quota of this key applies to it. */
  sensorFor (user: string, clientId: string, nowMs: number): QuotaSensor | null {
    if (!this.enabled) return null
    const [tagUser, tagClient] = this.tagsOf(user, clientId)
    const limit = this.limitOf(tagUser, tagClient)
    if (limit === undefined) return null
    const tags = `${tagUser}\u0001${tagClient}`
    let sensor = this.sensors.get(tags)
    if (sensor === undefined) {
      this.sweep(nowMs)
      sensor = { user: tagUser, clientId: tagClient, limit, rate: new Rate(this.windows), bucket: this.tokenBucket ? new TokenBucket(this.windows) : null, throttleMsTotal: 0, throttles: 0 }
      sensor.rate.lastRecordMs = nowMs
      this.sensors.set(tags, sensor)
    }
    return sensor
  }

  /** Records `value` and answers how long the client must wait before its rate is back within its limit. */
  recordAndThrottleMs (sensor: QuotaSensor, value: number, nowMs: number): number {
    sensor.rate.record(value, nowMs)
    const rate = sensor.rate.measure(nowMs)
    if (rate <= sensor.limit) return 0
    const throttleMs = Math.round((rate - sensor.limit) / sensor.limit * sensor.rate.spanMs(nowMs))
    return Math.min(throttleMs, this.maxThrottleMs)
  }

  /** Records without a check: counted against the client's next request (Kafka's recordNoThrottle, unrecord). */
  recordOnly (sensor: QuotaSensor, value: number, nowMs: number): void {
    sensor.rate.record(value, nowMs)
  }

  /** The most one request may fetch without being throttled whatever came before (Kafka's maxValueInQuotaWindow). */
  maxValueInWindow (sensor: QuotaSensor): number {
    return sensor.limit * (this.windows.samples - 1) * this.windows.windowMs / 1000
  }

  /** Every sensor, for /metrics. */
  get measured (): Iterable<QuotaSensor> { return this.sensors.values() }

  /** Kafka's metric tags for the client: the levels of the entity its quota comes from. */
  private tagsOf (user: string, clientId: string): [string, string] {
    const has = (u: Part, c: Part): boolean => this.limits.has(entityKey(u, c))
    if (has(user, clientId) || has(user, DEFAULT_NAME)) return [user, clientId]
    if (has(user, ABSENT)) return [user, '']
    if (has(DEFAULT_NAME, clientId) || has(DEFAULT_NAME, DEFAULT_NAME)) return [user, clientId]
    if (has(DEFAULT_NAME, ABSENT)) return [user, '']
    return ['', clientId]
  }

  /** The limit for metric tags (Kafka's DefaultQuotaCallback.quotaLimit); undefined: none applies. */
  private limitOf (user: string, clientId: string): number | undefined {
    const get = (u: Part, c: Part): number | undefined => this.limits.get(entityKey(u, c))
    if (user !== '' && clientId !== '') {
      return get(user, clientId) ?? get(user, DEFAULT_NAME) ?? get(DEFAULT_NAME, clientId) ?? get(DEFAULT_NAME, DEFAULT_NAME)
    }
    if (user !== '') return get(user, ABSENT) ?? get(DEFAULT_NAME, ABSENT)
    if (clientId !== '') return get(ABSENT, clientId) ?? get(ABSENT, DEFAULT_NAME)
    return undefined
  }

  private sweep (nowMs: number): void {
    if (nowMs - this.lastSweepMs < SWEEP_EVERY_MS) return
    this.lastSweepMs = nowMs
    for (const [tags, sensor] of this.sensors) {
      if (nowMs - sensor.rate.lastRecordMs < SENSOR_IDLE_MS) continue
      this.sensors.delete(tags)
      this.generation++
    }
  }
}
