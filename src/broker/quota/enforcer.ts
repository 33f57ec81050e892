// Client quota enforcement (KIP-13, KIP-55, KIP-124, KIP-219): what the router does with a request's
// answer when some user or client-id quota is configured (client-quotas.ts keeps them; every change
// reloads them here, so AlterClientQuotas takes effect at once). With none, `active` is false and the
// router, Produce and Fetch pay that one field test.
//
// As Kafka's KafkaApis does:
//   Produce  the request's size counts against producer_byte_rate, its handling time against
//            request_percentage (not for acks=0); the answer carries the larger throttle time.
//            Charged as soon as the handler has run, not at the answer (chargeProduce): Produce
//            requests overlap, and the client's next ones, already read, must not start once this
//            one throttles it, as Kafka reads none until the throttle ends.
//   Fetch    handling time first, then the answer's size against consumer_byte_rate; a throttled
//            fetch is answered empty (no partitions: the Java client accepts an empty full answer with
//            a throttle time, KIP-219) and its size is not counted. A fetch asks for at most what one
//            quota window allows (maxValueInWindow), so a big answer is not throttled for its size alone.
//   others   handling time against request_percentage, the throttle time in the answer; for
//            CreateTopics, CreatePartitions and DeleteTopics the larger of that and the handler's own
//            (controller_mutation_rate, KIP-599: mutationQuota).
// Then the connection is muted for the throttle time (Connection.throttle): the answer goes out at
// once, no further request is read or started until the time is up, acks=0 included.
//
// request_percentage is a share of one request-handling thread: Kafka measures the I/O thread's
// time on the request, and later the network thread's (sending), which counts for the next request.
// Sluice handles requests on its one network thread (decoding, handler, encoding) and leaves storage
// to the shard threads, so the I/O thread's part here is the handler's synchronous time on the
// network thread (decode and handle; a long poll's later read is not counted), and the network
// thread's part the encoding. Shard time is not charged, as Kafka does not charge its log threads.
import type { BrokerConfig } from '../../config/broker-config.js'
import { byteLength } from '../../protocol/codec/batch-peek.js'
import { ErrorCode, fetchApi, KafkaError, produceApi, saslAuthenticateApi, saslHandshakeApi } from '../../protocol/index.js'
import { principalOf } from '../acl/check.js'
import { CLIENT_ID, USER, type QuotaEntry } from '../client-quotas.js'
import type { Answer, Connection } from '../connection.js'
import type { RequestContext } from '../handler.js'
import { ABSENT, ClientQuotaManager, DEFAULT_NAME, entityKey, type QuotaSensor } from './client-quota-manager.js'
import type { RateWindows } from './rate.js'

export const PRODUCER_BYTE_RATE = 'producer_byte_rate'
export const CONSUMER_BYTE_RATE = 'consumer_byte_rate'
export const REQUEST_PERCENTAGE = 'request_percentage'
export const CONTROLLER_MUTATION_RATE = 'controller_mutation_rate'

/** Kafka's ClientRequestQuotaManager: a thread's busy time as a percentage of one second. */
const PERCENT_PER_MS = 100 / 1000

/** One client's measure against one quota, for /metrics (Kafka's byte-rate / request-time and throttle-time). */
export interface QuotaMetric {
  /** Kafka's quota type: Produce, Fetch or Request. */
  quota: string
  user: string
  clientId: string
  rate: number
  limit: number
  throttleMsTotal: number
  throttles: number
}

/** One connection's sensors, resolved for its current client id until the quotas change. */
export interface ConnectionSensors {
  generation: number
  principal: string
  clientId: string
  produce: QuotaSensor | null
  fetch: QuotaSensor | null
  request: QuotaSensor | null
  mutation: QuotaSensor | null
}

/** What the router knows of a request (its Exchange, read in place: charging allocates nothing). */
export interface Charge {
  readonly connection: Connection
  readonly clientId: string
  readonly apiKey: number
  readonly request: unknown
  /** The handler's synchronous time on the network thread. */
  readonly handlingMs: number
  /** A Produce's throttle time, from chargeProduce. */
  readonly produceThrottleMs: number
  encode: (response: unknown) => Buffer[]
}

export class QuotaEnforcer {
  /** Some user or client-id quota is configured: requests are measured. */
  active = false
  readonly produce: ClientQuotaManager
  readonly fetch: ClientQuotaManager
  readonly request: ClientQuotaManager
  readonly mutation: ClientQuotaManager

  constructor (config: BrokerConfig) {
    const windows: RateWindows = { samples: config['quota.window.num'], windowMs: config['quota.window.size.seconds'] * 1000 }
    this.produce = new ClientQuotaManager(PRODUCER_BYTE_RATE, windows, Number.MAX_SAFE_INTEGER)
    this.fetch = new ClientQuotaManager(CONSUMER_BYTE_RATE, windows, Number.MAX_SAFE_INTEGER)
    // Kafka caps a request-time throttle at one window (ClientRequestQuotaManager.maxThrottleTimeMs).
    this.request = new ClientQuotaManager(REQUEST_PERCENTAGE, windows, windows.windowMs)
    this.mutation = new ClientQuotaManager(CONTROLLER_MUTATION_RATE, windows, Number.MAX_SAFE_INTEGER, true)
  }

  private get managers (): ClientQuotaManager[] { return [this.produce, this.fetch, this.request, this.mutation] }

  /** Applies the configured quotas (all of them, after every change). */
  load (entries: readonly QuotaEntry[]): void {
    const byKey = new Map(this.managers.map(m => [m.key, new Map<string, number>()]))
    for (const { entity, values } of entries) {
      const names = new Map(entity)
      if (!names.has(USER) && !names.has(CLIENT_ID)) continue // ip entities: connection_creation_rate, not enforced
      const key = entityKey(part(names, USER), part(names, CLIENT_ID))
      for (const [name, value] of values) byKey.get(name)?.set(key, value)
    }
    for (const manager of this.managers) manager.update(byKey.get(manager.key)!)
    this.active = this.managers.some(m => m.enabled)
  }

  /** The largest Fetch the client may ask for (KafkaApis: max_bytes within the quota's windows but one). */
  fetchMaxBytes (connection: Connection, clientId: string, maxBytes: number): number {
    const sensor = this.sensorsOf(connection, clientId, Date.now()).fetch
    return sensor === null ? maxBytes : Math.min(maxBytes, Math.floor(this.fetch.maxValueInWindow(sensor)))
  }

  /**
   * The controller mutation quota of a CreateTopics, CreatePartitions or DeleteTopics request (null:
   * none applies). Strict (the versions that know THROTTLING_QUOTA_EXCEEDED): a topic is refused
   * while the client's credits are below zero; permissive (older versions): every topic is done.
   * Either way the answer then carries the time to earn the credits back, and the connection waits it.
   */
  mutationQuota (connection: Connection, clientId: string, strict: boolean): MutationQuota | null {
    if (!this.mutation.enabled) return null
    const sensor = this.sensorsOf(connection, clientId, Date.now()).mutation
    return sensor === null ? null : new MutationQuota(this.mutation, sensor, strict)
  }

  /** Charges a Produce whose handler has run (its appends may be in flight), mutes the connection
   *  if it went over a quota, and answers the throttle time its answer carries. */
  chargeProduce (c: Charge, acks: number, requestBytes: number): number {
    const { connection, handlingMs } = c
    const nowMs = Date.now()
    const { produce, request } = this.sensorsOf(connection, c.clientId, nowMs)
    // Kafka exempts acks=0 from the request quota: it is not answered.
    const requestThrottleMs = request === null || acks === 0 ? 0 : this.request.recordAndThrottleMs(request, handlingMs * PERCENT_PER_MS, nowMs)
    const produceThrottleMs = produce === null ? 0 : this.produce.recordAndThrottleMs(produce, requestBytes, nowMs)
    if (produceThrottleMs > requestThrottleMs) {
      throttle(connection, produce!, produceThrottleMs)
      return produceThrottleMs
    }
    if (requestThrottleMs > 0) throttle(connection, request!, requestThrottleMs)
    return requestThrottleMs
  }

  /** Measures an answered request, mutes its connection if it went over a quota, and encodes the
   *  answer with the throttle time (a throttled Fetch answered empty). Answers the response sent. */
  charge (c: Charge, response: unknown): { response: unknown, answer: Answer } {
    const { connection, apiKey } = c
    // Before authentication the requests are the authenticator's, not the client's (as in Kafka).
    const sasl = connection.sasl
    if (sasl !== null && (!sasl.authenticated || apiKey === saslHandshakeApi.key || apiKey === saslAuthenticateApi.key)) {
      return { response, answer: response === null ? null : c.encode(response) }
    }
    const nowMs = Date.now()
    const sensors = this.sensorsOf(connection, c.clientId, nowMs)
    const request = sensors.request
    const produce = apiKey === produceApi.key
    const acksZero = produce && (c.request as { acks: number }).acks === 0
    // A Produce was charged by chargeProduce.
    let throttleMs = produce ? 0 : request === null ? 0 : this.request.recordAndThrottleMs(request, c.handlingMs * PERCENT_PER_MS, nowMs)
    let throttledBy = request
    // A handler's own throttle (MutationQuota), already counted in its sensor.
    const handlerThrottleMs = response === null ? 0 : (response as { throttleTimeMs?: number }).throttleTimeMs ?? 0
    if (handlerThrottleMs > throttleMs) {
      throttleMs = handlerThrottleMs
      throttledBy = null
      connection.throttle(throttleMs)
    }
    let answer: Answer = null
    const encodeStarted = performance.now()
    if (apiKey === fetchApi.key && sensors.fetch !== null) {
      // Throttled already (request quota), a Fetch's size is not counted: Kafka records, then unrecords it.
      if (throttleMs === 0) {
        answer = c.encode(response)
        const fetchThrottleMs = this.fetchThrottleMs(sensors.fetch, answer, nowMs)
        if (fetchThrottleMs > 0) { throttleMs = fetchThrottleMs; throttledBy = sensors.fetch; answer = null }
      }
      // Throttled, a Fetch is answered with no partitions (KIP-219).
      if (throttleMs > 0) response = { ...(response as object), responses: [] }
    }
    const answeredThrottleMs = produce ? c.produceThrottleMs : throttleMs
    if (answer === null && response !== null) answer = c.encode(answeredThrottleMs > 0 ? { ...(response as object), throttleTimeMs: answeredThrottleMs } : response)
    // The network thread's share (encoding), counted against the client's next request.
    if (request !== null && !acksZero) this.request.recordOnly(request, (performance.now() - encodeStarted) * PERCENT_PER_MS, nowMs)
    if (throttleMs > 0 && throttledBy !== null) throttle(connection, throttledBy, throttleMs)
    return { response, answer }
  }

  /** Counts a Fetch answer's size against consumer_byte_rate; over it, the answer is not sent, so
   *  its size is taken back (Kafka's unrecordQuotaSensor). */
  private fetchThrottleMs (fetch: QuotaSensor, answer: Buffer[], nowMs: number): number {
    const size = byteLength(answer)
    const throttleMs = this.fetch.recordAndThrottleMs(fetch, size, nowMs)
    if (throttleMs > 0) this.fetch.recordOnly(fetch, -size, nowMs)
    return throttleMs
  }

  /** Every client measured, with its current rate. */
  metrics (nowMs = Date.now()): QuotaMetric[] {
    const rows: QuotaMetric[] = []
    for (const [quota, manager] of [['Produce', this.produce], ['Fetch', this.fetch], ['Request', this.request], ['ControllerMutation', this.mutation]] as const) {
      for (const s of manager.measured) {
        rows.push({ quota, user: s.user, clientId: s.clientId, rate: s.rate.measure(nowMs), limit: s.limit, throttleMsTotal: s.throttleMsTotal, throttles: s.throttles })
      }
    }
    return rows
  }

  private get generation (): number {
    return this.produce.generation + this.fetch.generation + this.request.generation + this.mutation.generation
  }

  private sensorsOf (connection: Connection, clientId: string, nowMs: number): ConnectionSensors {
    const generation = this.generation
    const principal = principalOf(connection)
    let sensors = connection.quotaSensors
    if (sensors !== null && sensors.generation === generation && sensors.clientId === clientId && sensors.principal === principal) return sensors
    const user = principal.slice(principal.indexOf(':') + 1)
    sensors = {
      generation,
      principal,
      clientId,
      produce: this.produce.sensorFor(user, clientId, nowMs),
      fetch: this.fetch.sensorFor(user, clientId, nowMs),
      request: this.request.sensorFor(user, clientId, nowMs),
      mutation: this.mutation.sensorFor(user, clientId, nowMs)
    }
    // Creating a sensor may have dropped idle ones (a new generation): cache under the current one.
    sensors.generation = this.generation
    connection.quotaSensors = sensors
    return sensors
  }
}

const THROTTLING_QUOTA_EXCEEDED_MESSAGE = 'The throttling quota has been exceeded.'

/** One mutating request's controller_mutation_rate (Kafka's Strict/PermissiveControllerMutationQuota). */
export class MutationQuota {
  constructor (private readonly manager: ClientQuotaManager, private readonly sensor: QuotaSensor, private readonly strict: boolean) {}

  /** Takes `partitions` credits for one topic; strict, throws THROTTLING_QUOTA_EXCEEDED while none are left. */
  record (partitions: number): void {
    const nowMs = Date.now()
    const bucket = this.sensor.bucket!
    if (this.strict && bucket.measure(this.sensor.limit, nowMs) < 0) throw new KafkaError(ErrorCode.THROTTLING_QUOTA_EXCEEDED, THROTTLING_QUOTA_EXCEEDED_MESSAGE)
    bucket.record(this.sensor.limit, partitions, nowMs)
    this.manager.recordOnly(this.sensor, partitions, nowMs)
  }

  /** The time until the credits are back at zero (Kafka's ControllerMutationQuotaManager.throttleTimeMs), counted as a throttle. */
  throttleMs (): number {
    const credits = this.sensor.bucket!.measure(this.sensor.limit, Date.now())
    if (credits >= 0) return 0
    const throttleMs = Math.round(-credits / this.sensor.limit * 1000)
    this.sensor.throttleMsTotal += throttleMs
    this.sensor.throttles++
    return throttleMs
  }
}

/** A mutating request's controller_mutation_rate quota (null: none applies), strict from `strictFrom`. */
export function mutationQuota (context: RequestContext, strictFrom: number): MutationQuota | null {
  const enforcer = context.broker.quotaEnforcer
  return enforcer.active ? enforcer.mutationQuota(context.connection, context.clientId, context.apiVersion >= strictFrom) : null
}

function throttle (connection: Connection, by: QuotaSensor, throttleMs: number): void {
  by.throttleMsTotal += throttleMs
  by.throttles++
  connection.throttle(throttleMs)
}

function part (names: Map<string, string | null>, type: string): string | typeof DEFAULT_NAME | typeof ABSENT {
  if (!names.has(type)) return ABSENT
  return names.get(type) ?? DEFAULT_NAME
}

