// The SASL state of one connection on a SASL_PLAINTEXT listener, as Kafka's SaslServerAuthenticator
// keeps it:
//   start         ApiVersions and SaslHandshake only; any other request closes the connection
//   authenticate  after a v1 handshake: SaslAuthenticate only (the router answers Metadata and ApiVersions
//                 ILLEGAL_SASL_STATE, then the connection closes: fail())
//   raw           after a v0 handshake: each frame is a bare SASL token, answered with a bare token
//   complete      every request is served; with connections.max.reauth.ms or an OAUTHBEARER token the
//                 session expires (at the earlier of the two) and a SaslHandshake starts a
//                 re-authentication (KIP-368), which must keep the principal
//   failed        the failure answer is on its way and the connection closes after it
// The router tests `authenticated` (a field) before anything else: a PLAINTEXT connection has no
// session at all, an authenticated one pays that test and, with re-authentication on, a clock read.
import type { SaslMechanism, SaslSettings } from '../../config/listener-config.js'
import { isScram, PlainServer, SaslAuthenticationError, ScramServer, type MechanismServer, type ScramCredential, type ScramMechanism } from './mechanisms.js'
import { OAuthBearerServer, tokenValidator } from './oauthbearer.js'

type State = 'start' | 'authenticate' | 'raw' | 'complete' | 'failed'

/** Kafka's KafkaChannel: a client may begin re-authenticating at most once a second. */
const MIN_REAUTH_INTERVAL_MS = 1000

export interface ScramLookup { get: (user: string, mechanism: ScramMechanism) => ScramCredential | undefined }

export class SaslSession {
  private state: State = 'start'
  /** True once a mechanism exchange completed and until the session fails or re-authenticates. */
  authenticated = false
  /** Wall-clock ms after which a request closes the connection; 0: never. */
  expiresAt = 0
  principal = 'User:ANONYMOUS'
  private mechanism: SaslMechanism | null = null
  private server: MechanismServer | null = null
  /** While re-authenticating: why it must fail (another mechanism), or null. */
  private reauthRefusal: string | null = null
  private reauthStartedAt = 0

  constructor (readonly settings: SaslSettings, private readonly scram: ScramLookup) {}

  get mechanisms (): SaslMechanism[] { return this.settings.mechanisms }
  get expectsRawToken (): boolean { return this.state === 'raw' }
  get expectsAuthenticate (): boolean { return this.state === 'authenticate' }
  get expectsHandshake (): boolean { return this.state === 'start' }
  get expired (): boolean { return this.expiresAt !== 0 && Date.now() >= this.expiresAt }

  /** A SaslHandshake before authentication: false (and the session fails) for a mechanism not enabled. */
  handshake (mechanism: string, version: number): boolean {
    if (!(this.settings.mechanisms as string[]).includes(mechanism)) {
      this.state = 'failed'
      return false
    }
    this.begin(mechanism as SaslMechanism, version)
    return true
  }

  /** A SaslHandshake on an authenticated connection: whether it starts a re-authentication (else
   *  the handshake is answered ILLEGAL_SASL_STATE, as Kafka answers one when re-authentication is off). */
  reauthenticate (mechanism: string, version: number): boolean {
    const now = Date.now()
    if (this.expiresAt === 0 || version < 1 || now - this.reauthStartedAt < MIN_REAUTH_INTERVAL_MS) return false
    if (!(this.settings.mechanisms as string[]).includes(mechanism)) return false
    this.reauthStartedAt = now
    this.reauthRefusal = mechanism === this.mechanism
      ? null
      : `SASL mechanism '${mechanism}' requested by client is not supported for re-authentication of mechanism '${this.mechanism ?? ''}'`
    this.authenticated = false
    this.begin(mechanism as SaslMechanism, version)
    return true
  }

  /**
   * Evaluates one client token; returns the server's challenge and, once complete, the session
   * lifetime in ms (0: no expiry). Throws SaslAuthenticationError (message for the client) or Error
   * (generic message) and the session fails.
   */
  evaluate (token: Buffer): { challenge: Buffer, lifetimeMs: number } {
    const reauthenticating = this.principal !== 'User:ANONYMOUS'
    try {
      if (this.reauthRefusal !== null) throw new SaslAuthenticationError(this.reauthRefusal)
      const challenge = this.server!.evaluate(token)
      if (!this.server!.complete) return { challenge, lifetimeMs: 0 }
      const principal = `User:${this.server!.user}`
      if (reauthenticating && principal !== this.principal) {
        throw new SaslAuthenticationError(`Cannot change principals during re-authentication from ${this.principal.replace(':', '.')}: ${principal.replace(':', '.')}`)
      }
      this.principal = principal
      this.state = 'complete'
      this.authenticated = true
      const now = Date.now()
      const lifetimeMs = sessionLifetimeMs(this.server instanceof OAuthBearerServer ? this.server.expiresAt : null, this.settings.reauthMs, now)
      this.expiresAt = lifetimeMs === null ? 0 : now + lifetimeMs
      this.server = null
      return { challenge, lifetimeMs: lifetimeMs ?? 0 }
    } catch (error) {
      this.state = 'failed'
      this.authenticated = false
      if (error instanceof SaslAuthenticationError) throw error
      throw new SaslAuthenticationError(`Authentication failed during ${reauthenticating ? 're-authentication' : 'authentication'} ` +
        `due to invalid credentials with SASL mechanism ${this.mechanism ?? ''}`, { cause: error })
    }
  }

  /** A request the exchange does not allow was refused: the connection closes after the answer. */
  fail (): void {
    this.state = 'failed'
    this.server = null
  }

  private begin (mechanism: SaslMechanism, version: number): void {
    this.mechanism = mechanism
    this.server = isScram(mechanism)
      ? new ScramServer(mechanism, user => this.scram.get(user, mechanism))
      : mechanism === 'OAUTHBEARER' ? new OAuthBearerServer(tokenValidator(this.settings.oauthbearer!)) : new PlainServer(this.settings.plainUsers)
    this.state = version === 0 ? 'raw' : 'authenticate'
  }
}

/** Kafka's SaslServerAuthenticator: the session ends when the credential (an OAUTHBEARER token)
 *  expires or after connections.max.reauth.ms, whichever is first; null: it never ends. */
function sessionLifetimeMs (credentialExpiresAt: number | null, reauthMs: number, now: number): number | null {
  if (credentialExpiresAt === null) return reauthMs === 0 ? null : reauthMs
  const remaining = Math.max(0, credentialExpiresAt - now)
  return reauthMs === 0 ? remaining : Math.min(remaining, reauthMs)
}
