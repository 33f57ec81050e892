// Routes request frames to the API handlers. What ApiVersions advertises is exactly the set of keys
// that have a handler here, so the broker never claims an API it does not serve.
//
// Protocol rules (protocol-notes.md §1, §5): an unknown API key, or an unsupported version of any API
// but ApiVersions, closes the connection without an answer; an ApiVersions request above our highest
// version gets the v0-body UNSUPPORTED_VERSION fallback so the client steps down.
//
// Every request is counted in broker.metrics (count, failures, latency per API key; bytes and records
// per topic for Produce and Fetch): GET /metrics on the gateway shows them. Requests for a key we do
// not serve all count under UNSERVED_API: the key is the peer's claim, and one histogram per claimed
// key let fuzzed frames grow the broker by ~13 KB for each of the 65,536 possible keys.
import {
  addOffsetsToTxnApi, addPartitionsToTxnApi, apiByKey, apiVersionsApi, deleteGroupsApi, describeGroupsApi, describeTransactionsApi, endTxnApi,
  ErrorCode, heartbeatApi, initProducerIdApi, joinGroupApi, leaveGroupApi, listGroupsApi, listTransactionsApi, metadataApi, offsetCommitApi, offsetDeleteApi,
  offsetFetchApi, syncGroupApi, txnOffsetCommitApi, decodeRequestHeader, encodeApiVersionsFallback, implementsVersion, peekApiKey, peekRequestHeader, ProtocolError, saslAuthenticateApi,
  saslHandshakeApi, Writer, type ApiVersionsResponse, type MetadataRequest, type MetadataResponse
} from '../protocol/index.js'
import type { Broker } from './broker.js'
import type { Answer, Connection, ConnectionHandler } from './connection.js'
import { handlers } from './handlers/index.js'
import { countTraffic } from './traffic.js'
import { SaslAuthenticationError } from './sasl/mechanisms.js'
import type { SaslSession } from './sasl/session.js'
import { SslAuthenticationError } from './tls/tls-socket.js'
import { UNSERVED_API } from './metrics.js'
import type { AnyHandler, RequestContext } from './handler.js'
import type { Charge } from './quota/enforcer.js'

const PRODUCE_KEY = 0

/** The requests a group or transaction coordinator answers: while the coordinators load their topics
 *  after a start, these wait for the load (at most COORDINATOR_LOAD_WAIT_MS) instead of being answered
 *  COORDINATOR_LOAD_IN_PROGRESS at once, which not every client retries. */
const COORDINATOR_KEYS = new Set([
  offsetCommitApi, offsetFetchApi, joinGroupApi, heartbeatApi, leaveGroupApi, syncGroupApi, describeGroupsApi, listGroupsApi, deleteGroupsApi,
  offsetDeleteApi, initProducerIdApi, addPartitionsToTxnApi, addOffsetsToTxnApi, endTxnApi, txnOffsetCommitApi, describeTransactionsApi,
  listTransactionsApi
].map(api => api.key))
/** Beyond this a loading coordinator answers COORDINATOR_LOAD_IN_PROGRESS, as Kafka does at once. */
const COORDINATOR_LOAD_WAIT_MS = 5000

export class Router implements ConnectionHandler {
  private broker: Broker | undefined
  private readonly byKey = new Map<number, AnyHandler>(handlers.map(h => [h.api.key, h]))
  private readonly stopping = new AbortController()

  bind (broker: Broker): void { this.broker = broker }

  get servedKeys (): ReadonlySet<number> { return new Set(this.byKey.keys()) }

  /** Wakes every long poll so shutdown does not wait for max_wait_ms. */
  shutdown (): void { this.stopping.abort() }

  /** Before authentication nothing overlaps (a frame may be a bare SASL token, not a request). */
  mayOverlap (frame: Buffer, connection: Connection): boolean {
    return (connection.sasl === null || connection.sasl.authenticated) && peekApiKey(frame) === PRODUCE_KEY
  }

  /** Produce reads its frame only until its appends settle (the answer waits for them); other
   *  handlers may keep views of request bytes (group metadata, assignments), so they get a copy. */
  readsOnlyUntilAnswered (frame: Buffer, connection: Connection): boolean {
    return (connection.sasl === null || connection.sasl.authenticated) && peekApiKey(frame) === PRODUCE_KEY
  }

  /** Not async: a handler that answers at once is answered at once, and one that waits costs one
   *  promise here, not an async frame and its awaits (garbage the network thread paid per request). */
  handle (frame: Buffer, connection: Connection): Promise<Answer> | Answer {
    const sasl = connection.sasl
    if (sasl !== null) {
      if (!sasl.authenticated) {
        if (sasl.expectsRawToken) return rawTokenAnswer(sasl, frame, connection)
        const refusal = admitBeforeAuthentication(sasl, frame, this.byKey)
        if (refusal !== null) {
          void connection.drain()
          return refusal
        }
      } else if (sasl.expiresAt !== 0 && sasl.expired) {
        throw new ProtocolError(`the SASL session of ${sasl.principal} expired (its token's exp or connections.max.reauth.ms) and was not re-authenticated`)
      }
    }
    const started = performance.now()
    if (this.broker?.coordinatorsLoading === true && COORDINATOR_KEYS.has(peekApiKey(frame))) {
      return this.broker.coordinatorsLoadedWithin(COORDINATOR_LOAD_WAIT_MS).then(() => this.dispatch(frame, connection, started))
    }
    return this.dispatch(frame, connection, started)
  }

  private dispatch (frame: Buffer, connection: Connection, started: number): Promise<Answer> | Answer {
    const { apiKey, apiVersion, correlationId } = peekRequestHeader(frame)
    const served = this.byKey.has(apiKey) ? apiKey : UNSERVED_API
    let exchange: Exchange
    let response: unknown
    try {
      if (apiKey === apiVersionsApi.key && apiVersion > apiVersionsApi.maxVersion) {
        this.broker?.metrics.recordRequest(served, performance.now() - started, false)
        return encodeApiVersionsFallback(correlationId)
      }
      const handler = this.byKey.get(apiKey)
      if (handler === undefined) throw new ProtocolError(`unsupported API key ${apiKey}`)
      if (!implementsVersion(handler.api, apiVersion)) throw new ProtocolError(`unsupported ${handler.api.name} version ${apiVersion}`)
      const header = decodeRequestHeader(frame)
      const request = handler.decode(header.body, apiVersion)
      const broker = this.broker!
      const handlingStarted = broker.quotaEnforcer.active ? performance.now() : 0
      exchange = new Exchange(handler, request, started, {
        broker, connection, router: this, apiVersion, correlationId, clientId: header.clientId, signal: this.stopping.signal
      })
      response = handler.handle(request, exchange.context)
      // Client quotas: the request's size and the handler's synchronous time (quota/enforcer.ts).
      if (handlingStarted > 0) exchange.measured(frame.length, performance.now() - handlingStarted)
    } catch (error) {
      this.broker?.metrics.recordRequest(served, performance.now() - started, true)
      throw error
    }
    if (!(response instanceof Promise)) return exchange.answer(response)
    return response.then(r => exchange.answer(r), (error: unknown) => exchange.fail(error))
  }

  onError (error: unknown, connection: Connection): void {
    if (error instanceof SaslAuthenticationError) {
      this.broker?.log.info({ remote: connection.remote, reason: error.message }, 'closing connection: SASL authentication failed')
      return
    }
    if (error instanceof SslAuthenticationError) {
      this.broker?.log.info({ remote: connection.remote, reason: error.message }, 'closing connection: SSL authentication failed')
      return
    }
    const log = this.broker?.log
    if (error instanceof ProtocolError) log?.info({ remote: connection.remote, reason: error.message }, 'closing connection: malformed or unsupported request')
    else log?.error({ remote: connection.remote, err: error }, 'closing connection: request failed unexpectedly')
  }
}

/** Kafka's getErrorResponse of Metadata (each requested topic with the error, no brokers) and ApiVersions. */
const NO_OPERATIONS = -2147483648
const SASL_STATE_ANSWERS = new Map<number, (request: never) => unknown>([
  [apiVersionsApi.key, (): ApiVersionsResponse => ({
    errorCode: ErrorCode.ILLEGAL_SASL_STATE, apiKeys: [], throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1, finalizedFeatures: [], zkMigrationReady: false
  })],
  [metadataApi.key, (request: MetadataRequest): MetadataResponse => ({
    throttleTimeMs: 0,
    brokers: [],
    clusterId: null,
    controllerId: -1,
    topics: (request.topics ?? []).map(t => ({
      errorCode: ErrorCode.ILLEGAL_SASL_STATE, name: t.name ?? '', topicId: t.topicId, isInternal: false, partitions: [], topicAuthorizedOperations: NO_OPERATIONS
    })),
    clusterAuthorizedOperations: NO_OPERATIONS
  })]
])

/**
 * Before authentication Kafka serves only ApiVersions and SaslHandshake (anything else closes the
 * connection), then only SaslAuthenticate: another request is answered in its own API's format with
 * ILLEGAL_SASL_STATE and the connection closes after the answer (SaslServerAuthenticator.handleSaslToken).
 * We build that answer for Metadata, the request a client sends when it takes the exchange for done
 * (kafkajs, given a refused OAUTHBEARER token's error JSON), and ApiVersions; another closes without one.
 * Returns the refusal to send, or null when the request is admitted.
 */
function admitBeforeAuthentication (sasl: SaslSession, frame: Buffer, handlers: ReadonlyMap<number, AnyHandler>): Answer | null {
  const { apiKey, apiVersion, correlationId } = peekRequestHeader(frame)
  if (sasl.expectsHandshake ? apiKey === apiVersionsApi.key || apiKey === saslHandshakeApi.key : sasl.expectsAuthenticate && apiKey === saslAuthenticateApi.key) return null
  const name = apiByKey(apiKey)?.name ?? `API key ${apiKey}`
  const handler = handlers.get(apiKey)
  const refusal = SASL_STATE_ANSWERS.get(apiKey)
  if (!sasl.expectsAuthenticate || handler === undefined || refusal === undefined || !implementsVersion(handler.api, apiVersion)) {
    throw new ProtocolError(`unexpected ${name} request during SASL authentication`)
  }
  sasl.fail()
  return handler.encode(refusal(handler.decode(decodeRequestHeader(frame).body, apiVersion) as never), apiVersion, correlationId)
}

/** After a v0 SaslHandshake: the frame is a bare token, answered with a bare size-prefixed token. A
 *  failure closes the connection without an answer, as Kafka does for v0 clients. */
function rawTokenAnswer (sasl: SaslSession, token: Buffer, connection: Connection): Answer {
  const { challenge } = sasl.evaluate(token)
  if (sasl.authenticated) connection.capFrames(null)
  return new Writer({ framed: true }).raw(challenge).finish()
}

/** One request from its decoding to its answer: counts it in the metrics and encodes the response.
 *  With client quotas it is also what the enforcer charges (quota/enforcer.ts: Charge). */
class Exchange implements Charge {
  handlingMs = 0
  produceThrottleMs = 0

  constructor (
    private readonly handler: AnyHandler,
    readonly request: unknown,
    private readonly started: number,
    readonly context: RequestContext
  ) {}

  get connection (): Connection { return this.context.connection }
  get clientId (): string { return this.context.clientId }
  get apiKey (): number { return this.handler.api.key }

  encode (response: unknown): Buffer[] { return this.handler.encode(response, this.context.apiVersion, this.context.correlationId) }

  /** With client quotas: the handler's synchronous time; a Produce is charged now. */
  measured (requestBytes: number, handlingMs: number): void {
    this.handlingMs = handlingMs
    if (this.handler.api.key === PRODUCE_KEY) {
      this.produceThrottleMs = this.context.broker.quotaEnforcer.chargeProduce(this, (this.request as { acks: number }).acks, requestBytes)
    }
  }

  answer (response: unknown): Answer {
    const { broker } = this.context
    const apiKey = this.handler.api.key
    try {
      let answer: Answer
      // With client quotas the response may change (a throttled Fetch is answered empty): traffic counts what is sent.
      if (broker.quotaEnforcer.active) ({ response, answer } = broker.quotaEnforcer.charge(this, response))
      else answer = response === null ? null : this.encode(response)
      countTraffic(broker.metrics, broker.topics, apiKey, this.request, response)
      broker.metrics.recordRequest(apiKey, performance.now() - this.started, false)
      return answer
    } catch (error) {
      return this.fail(error)
    }
  }

  fail (error: unknown): never {
    this.context.broker.metrics.recordRequest(this.handler.api.key, performance.now() - this.started, true)
    throw error
  }
}
