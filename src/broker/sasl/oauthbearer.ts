// The server side of SASL/OAUTHBEARER (RFC 7628, KIP-255) with Kafka's rules and messages
// (OAuthBearerSaslServer, OAuthBearerClientInitialResponse) and its two token validators:
// - unsecured (OAuthBearerUnsecuredValidatorCallbackHandler, the default): a JWS with alg "none" and
//   an empty signature; exp required, iat optional, a principal claim, a required scope;
// - JWKS (OAuthBearerValidatorCallbackHandler, jose4j underneath): a JWS signed by a key of the JWKS,
//   exp and iat required, nbf, aud and iss checked as jose4j checks them, a sub claim.
// An invalid token is answered with RFC 7628's error JSON ({"status":"invalid_token"}); the client
// answers %x01 and the exchange fails with that JSON as the message, as on Kafka. Extensions are
// parsed and accepted, as both Kafka validators accept every extension.
import { constants, verify, type KeyObject } from 'node:crypto'
import type { JwksValidatorSettings, OAuthBearerSettings, UnsecuredValidatorSettings } from '../../config/listener-config.js'
import { SaslAuthenticationError, type MechanismServer } from './mechanisms.js'

const SEPARATOR = '\u0001'
/** RFC 7628 §3.1 / Kafka: saslname (no "," or "=" but as =2C, =3D), then key=value pairs each ended by %x01. */
const INITIAL_RESPONSE = /^n,(?:a=((?:[\x01-\x2B\x2D-\x3C\x3E-\x7F]|=2C|=3D)+))?,\x01((?:[A-Za-z]+=[\x21-\x7E \t\r\n]+\x01)*)\x01$/
const AUTH = /^(\w+) +([-_~+/.a-zA-Z0-9]+=*)$/

export interface ValidatedToken {
  principal: string
  /** Wall-clock ms at which the token expires: the session ends then (KIP-368). */
  expiresAt: number
}

/** A rejected token: the RFC 7628 error status (and the scope that was missing), and why, for the log. */
export class InvalidToken extends Error {
  constructor (reason: string, readonly status = 'invalid_token', readonly scope: string | null = null) { super(reason) }
}

export type TokenValidator = (token: string, now: number) => ValidatedToken

export function tokenValidator (settings: OAuthBearerSettings): TokenValidator {
  return settings.validator === 'unsecured'
    ? (token, now) => validateUnsecured(settings, token, now)
    : (token, now) => validateSigned(settings, token, now)
}

export class OAuthBearerServer implements MechanismServer {
  complete = false
  user = ''
  expiresAt = 0
  /** The error JSON we answered, until the client acknowledges it with %x01. */
  private errorMessage: string | null = null
  /** Why the token was refused, for the broker's log. */
  private refusal: string | null = null

  constructor (private readonly validate: TokenValidator) {}

  evaluate (response: Buffer): Buffer {
    if (this.complete) throw new Error('Unexpected response: the OAUTHBEARER exchange is complete')
    if (response.length === 1 && response[0] === 1 && this.errorMessage !== null) {
      throw new SaslAuthenticationError(this.errorMessage, { cause: new Error(this.refusal ?? '') })
    }
    this.errorMessage = null
    const { authzid, token } = parseInitialResponse(response.toString('utf8'))
    let validated: ValidatedToken
    try {
      validated = this.validate(token, Date.now())
    } catch (error) {
      if (!(error instanceof InvalidToken)) throw error
      this.refusal = error.message
      this.errorMessage = `{"status":"${error.status}"${error.scope === null ? '' : `, "scope":"${error.scope}"`}}`
      return Buffer.from(this.errorMessage)
    }
    if (authzid !== '' && authzid !== validated.principal) {
      throw new SaslAuthenticationError(`Authentication failed: Client requested an authorization id (${authzid}) that is different from the token's principal name (${validated.principal})`)
    }
    this.user = validated.principal
    this.expiresAt = validated.expiresAt
    this.complete = true
    return Buffer.alloc(0)
  }
}

function parseInitialResponse (message: string): { authzid: string, token: string } {
  const match = INITIAL_RESPONSE.exec(message)
  if (match === null) throw new Error('Invalid OAUTHBEARER client first message')
  const pairs = new Map<string, string>()
  for (const pair of (match[2] ?? '').split(SEPARATOR).filter(p => p !== '')) {
    const at = pair.indexOf('=')
    pairs.set(pair.slice(0, at), pair.slice(at + 1))
  }
  const auth = pairs.get('auth')
  if (auth === undefined) throw new Error("Invalid OAUTHBEARER client first message: 'auth' not specified")
  const authMatch = AUTH.exec(auth)
  if (authMatch === null) throw new Error("Invalid OAUTHBEARER client first message: invalid 'auth' format")
  if (authMatch[1]!.toLowerCase() !== 'bearer') throw new Error(`Invalid scheme in OAUTHBEARER client first message: ${authMatch[1]!}`)
  return { authzid: match[1] ?? '', token: authMatch[2]! }
}

type Claims = Record<string, unknown>

/** A JWS compact serialization's three parts, header and claims decoded. */
function decodeJws (token: string): { header: Claims, claims: Claims, signingInput: string, signature: string } {
  const parts = token.split('.')
  if (parts.length !== 3) throw new InvalidToken(`a JWS has 3 dot-separated Base64URL-encoded parts, this one ${parts.length}`)
  const [header, claims, signature] = parts as [string, string, string]
  return { header: jsonObject(header, 'header'), claims: jsonObject(claims, 'claims'), signingInput: `${header}.${claims}`, signature }
}

function jsonObject (part: string, what: string): Claims {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
  } catch {
    throw new InvalidToken(`the JWS ${what} is not Base64URL-encoded JSON`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidToken(`the JWS ${what} is not a JSON object`)
  return value as Claims
}

/** A NumericDate claim (seconds since the epoch), or undefined if absent. */
function seconds (claims: Claims, name: string): number | undefined {
  const value = claims[name]
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidToken(`the '${name}' claim is not a number`)
  return value
}

/** A scope claim: a string is one scope element, an array holds several (Kafka does not split on spaces). */
function scopeOf (claims: Claims, name: string): Set<string> {
  const value = claims[name]
  if (value === undefined) return new Set()
  if (typeof value === 'string') return new Set(value.trim() === '' ? [] : [value.trim()])
  if (!Array.isArray(value)) throw new InvalidToken(`the '${name}' claim is neither a string nor a list`)
  return new Set(value.map(v => String(v).trim()).filter(v => v !== ''))
}

/** OAuthBearerUnsecuredJws and OAuthBearerUnsecuredValidatorCallbackHandler. */
function validateUnsecured (settings: UnsecuredValidatorSettings, token: string, now: number): ValidatedToken {
  if (token.includes('..')) throw new InvalidToken("Malformed compact serialization contains '..'")
  const { header, claims, signature } = decodeJws(token)
  if (header.alg !== 'none') throw new InvalidToken("Unsecured JWS must have 'none' for an algorithm")
  if (signature !== '') throw new InvalidToken('Unsecured JWS must not contain a digital signature')
  const scope = scopeOf(claims, settings.scopeClaim)
  const exp = seconds(claims, 'exp')
  if (exp === undefined) throw new InvalidToken('No expiration time in JWT')
  const principal = claims[settings.principalClaim]
  if (principal !== undefined && typeof principal !== 'string') throw new InvalidToken(`The '${settings.principalClaim}' claim was not of type String`)
  if (principal === undefined || principal.trim() === '') throw new InvalidToken(`No principal name in JWT claim: ${settings.principalClaim}`)
  const iat = seconds(claims, 'iat')
  const skew = settings.clockSkewMs
  if (iat !== undefined && 1000 * iat > now + skew) throw new InvalidToken(`The Issued At value (${iat} seconds) was after the indicated time (${now} ms) plus allowable clock skew (${skew} ms)`)
  if (now - skew >= 1000 * exp) throw new InvalidToken(`The indicated time (${now} ms) minus allowable clock skew (${skew} ms) was on or after the Expiration Time value (${exp} seconds)`)
  if (iat !== undefined && exp <= iat) throw new InvalidToken(`The Expiration Time time (${exp} seconds) was not after the Issued At time (${iat} seconds)`)
  for (const required of settings.requiredScope) {
    if (!scope.has(required)) {
      // Kafka names the required scope as Java prints a list: [a, b]
      throw new InvalidToken(`The provided scope (${[...scope].join(', ')}) was missing a required scope (${required})`, 'insufficient_scope', `[${settings.requiredScope.join(', ')}]`)
    }
  }
  return { principal, expiresAt: Math.round(exp * 1000) }
}

/** The digest and key type each JWS algorithm (RFC 7518 §3) uses. */
const ALGORITHMS: Record<string, { digest: string | null, kty: string, padding?: number, saltLength?: number, p1363?: boolean }> = {
  RS256: { digest: 'sha256', kty: 'RSA' },
  RS384: { digest: 'sha384', kty: 'RSA' },
  RS512: { digest: 'sha512', kty: 'RSA' },
  PS256: { digest: 'sha256', kty: 'RSA', padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
  PS384: { digest: 'sha384', kty: 'RSA', padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 },
  PS512: { digest: 'sha512', kty: 'RSA', padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 },
  ES256: { digest: 'sha256', kty: 'EC', p1363: true },
  ES384: { digest: 'sha384', kty: 'EC', p1363: true },
  ES512: { digest: 'sha512', kty: 'EC', p1363: true },
  EdDSA: { digest: null, kty: 'OKP' }
}

/** BrokerJwtValidator: jose4j's JwtConsumer with exp and iat required and alg "none" refused. */
function validateSigned (settings: JwksValidatorSettings, token: string, now: number): ValidatedToken {
  const { header, claims, signingInput, signature } = decodeJws(token.trim())
  const alg = String(header.alg)
  const algorithm = ALGORITHMS[alg]
  if (algorithm === undefined) throw new InvalidToken(`JWS algorithm ${alg} is not allowed`)
  const kid = typeof header.kid === 'string' ? header.kid : undefined
  const candidates = settings.jwks.keys.filter(k => (kid === undefined || k.kid === kid) && k.kty === algorithm.kty &&
    (k.use === undefined || k.use === 'sig') && (k.alg === undefined || k.alg === alg))
  if (candidates.length === 0) {
    settings.jwks.onMissingKey?.()
    throw new InvalidToken(`Unable to find a suitable verification key for JWS w/ header ${JSON.stringify(header)}`)
  }
  const signed = Buffer.from(signingInput)
  const sig = Buffer.from(signature, 'base64url')
  const verifies = (key: KeyObject): boolean => {
    try {
      return verify(algorithm.digest, signed, { key, padding: algorithm.padding, saltLength: algorithm.saltLength, dsaEncoding: algorithm.p1363 === true ? 'ieee-p1363' : undefined }, sig)
    } catch {
      return false
    }
  }
  if (!candidates.some(k => verifies(k.key))) throw new InvalidToken('JWS signature is invalid')
  const skew = settings.clockSkewMs
  const exp = seconds(claims, 'exp')
  if (exp === undefined) throw new InvalidToken('No Expiration Time (exp) claim present')
  if (seconds(claims, 'iat') === undefined) throw new InvalidToken('No Issued At (iat) claim present')
  if (now >= Math.trunc(exp) * 1000 + skew) throw new InvalidToken(`The JWT is no longer valid - the evaluation time ${now} ms is on or after the Expiration Time (exp=${exp}) claim value (even when providing ${skew} ms of leeway)`)
  const nbf = seconds(claims, 'nbf')
  if (nbf !== undefined && now + skew < Math.trunc(nbf) * 1000) throw new InvalidToken(`The JWT is not yet valid as the evaluation time ${now} ms is before the Not Before (nbf=${nbf}) claim time`)
  const aud = claims.aud
  if (aud !== undefined || settings.audience.length > 0) {
    const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : []
    if (!audiences.some(a => settings.audience.includes(String(a)))) {
      throw new InvalidToken(`Audience (aud) claim ${JSON.stringify(aud ?? null)} doesn't contain an acceptable identifier. Expected ${JSON.stringify(settings.audience)}`)
    }
  }
  if (settings.issuer !== '' && claims.iss !== settings.issuer) throw new InvalidToken(`Issuer (iss) claim value (${String(claims.iss)}) doesn't match expected value of ${settings.issuer}`)
  scopeOf(claims, settings.scopeClaim) // no scope is required here, but a malformed one refuses the token, as on Kafka
  const sub = claims[settings.subClaim]
  if (sub !== undefined && typeof sub !== 'string') throw new InvalidToken(`Could not extract the '${settings.subClaim}' claim from the access token`)
  if (sub === undefined || sub.trim() === '') throw new InvalidToken(`${settings.subClaim} value must be non-null and non-empty`)
  return { principal: sub.trim(), expiresAt: Math.trunc(exp) * 1000 }
}
