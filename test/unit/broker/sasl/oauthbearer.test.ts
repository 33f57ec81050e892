// The OAUTHBEARER server and Kafka's two token validators, claim by claim, at fixed times.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { JwksValidatorSettings, UnsecuredValidatorSettings } from '../../../../src/config/listener-config.js'
import { SaslAuthenticationError } from '../../../../src/broker/sasl/mechanisms.js'
import { InvalidToken, OAuthBearerServer, tokenValidator } from '../../../../src/broker/sasl/oauthbearer.js'

const NOW = 1_700_000_000_000
const S = NOW / 1000
const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
const unsecured = (claims: object, header: object = { alg: 'none' }, signature = ''): string => `${b64(header)}.${b64(claims)}.${signature}`

const UNSECURED: UnsecuredValidatorSettings = { validator: 'unsecured', principalClaim: 'sub', scopeClaim: 'scope', requiredScope: [], clockSkewMs: 0 }

function refusal (validate: () => unknown): InvalidToken {
  try {
    validate()
  } catch (error) {
    if (error instanceof InvalidToken) return error
    throw error
  }
  throw new Error('the token was accepted')
}

describe('the unsecured validator (OAuthBearerUnsecuredValidatorCallbackHandler)', () => {
  const validate = (token: string, settings: Partial<UnsecuredValidatorSettings> = {}): ReturnType<ReturnType<typeof tokenValidator>> =>
    tokenValidator({ ...UNSECURED, ...settings })(token, NOW)

  it('accepts an alg "none" JWS with sub and a future exp; the session ends at exp', () => {
    expect(validate(unsecured({ sub: 'alice', exp: S + 60.5, iat: S - 1 }))).toEqual({ principal: 'alice', expiresAt: NOW + 60_500 })
    expect(validate(unsecured({ user: 'bob', exp: S + 1 }), { principalClaim: 'user' }).principal).toBe('bob')
  })

  it('refuses a signed or malformed JWS, and a missing exp or principal', () => {
    expect(refusal(() => validate(unsecured({ sub: 'a', exp: S + 60 }, { alg: 'RS256' }))).message).toBe("Unsecured JWS must have 'none' for an algorithm")
    expect(refusal(() => validate(unsecured({ sub: 'a', exp: S + 60 }, { alg: 'none' }, 'c2ln'))).message).toBe('Unsecured JWS must not contain a digital signature')
    expect(refusal(() => validate(`${b64({ alg: 'none' })}..`)).message).toBe("Malformed compact serialization contains '..'")
    expect(refusal(() => validate(`${b64({ alg: 'none' })}.bm90IGpzb24.`)).message).toBe('the JWS claims is not Base64URL-encoded JSON')
    expect(refusal(() => validate(unsecured({ sub: 'a' }))).message).toBe('No expiration time in JWT')
    expect(refusal(() => validate(unsecured({ sub: ' ', exp: S + 60 }))).message).toBe('No principal name in JWT claim: sub')
    expect(refusal(() => validate(unsecured({ sub: 7, exp: S + 60 }))).message).toBe("The 'sub' claim was not of type String")
  })

  it('checks exp and iat against the clock, with the allowed skew', () => {
    expect(refusal(() => validate(unsecured({ sub: 'a', exp: S }))).message).toMatch(/on or after the Expiration Time/)
    expect(validate(unsecured({ sub: 'a', exp: S - 0.5 }), { clockSkewMs: 1000 }).principal).toBe('a')
    expect(refusal(() => validate(unsecured({ sub: 'a', exp: S + 60, iat: S + 2 }), { clockSkewMs: 1000 })).message).toMatch(/Issued At value .* was after/)
    expect(refusal(() => validate(unsecured({ sub: 'a', exp: S - 1, iat: S - 1 }), { clockSkewMs: 5000 })).message).toMatch(/was not after the Issued At time/)
  })

  it('requires every required scope element: a string claim is one element, a list several; the error names the required scope', () => {
    const settings = { requiredScope: ['read', 'write'] }
    expect(validate(unsecured({ sub: 'a', exp: S + 60, scope: ['write', ' read '] }), settings).principal).toBe('a')
    const missing = refusal(() => validate(unsecured({ sub: 'a', exp: S + 60, scope: 'read write' }), settings))
    expect([missing.status, missing.scope]).toEqual(['insufficient_scope', '[read, write]'])
    expect(refusal(() => validate(unsecured({ sub: 'a', exp: S + 60, scope: 3 }), settings)).status).toBe('invalid_token')
  })
})

describe('the JWKS validator (OAuthBearerValidatorCallbackHandler)', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const ed = generateKeyPairSync('ed25519')
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const SETTINGS: JwksValidatorSettings = {
    validator: 'jwks',
    jwks: {
      keys: [
        { kid: 'r', alg: undefined, use: 'sig', kty: 'RSA', key: rsa.publicKey },
        { kid: 'e', alg: 'ES256', use: undefined, kty: 'EC', key: ec.publicKey },
        { kid: 'd', alg: undefined, use: undefined, kty: 'OKP', key: ed.publicKey },
        { kid: 'enc', alg: undefined, use: 'enc', kty: 'RSA', key: other.publicKey }
      ],
      remote: null,
      onMissingKey: null
    },
    audience: ['kafka'],
    issuer: 'https://idp',
    subClaim: 'sub',
    scopeClaim: 'scope',
    clockSkewMs: 30_000
  }
  const CLAIMS = { sub: 'alice', iat: S, exp: S + 600, aud: 'kafka', iss: 'https://idp' }

  function jwt (claims: object, alg: string, kid: string | undefined, key: KeyObject): string {
    const input = `${b64({ alg, kid })}.${b64(claims)}`
    const signature = alg === 'EdDSA'
      ? sign(null, Buffer.from(input), key)
      : alg.startsWith('PS')
        ? sign('sha256', Buffer.from(input), { key, padding: 6, saltLength: 32 })
        : sign('sha256', Buffer.from(input), alg.startsWith('ES') ? { key, dsaEncoding: 'ieee-p1363' } : key)
    return `${input}.${signature.toString('base64url')}`
  }
  const validate = (token: string, settings: Partial<JwksValidatorSettings> = {}): ReturnType<ReturnType<typeof tokenValidator>> =>
    tokenValidator({ ...SETTINGS, ...settings })(token, NOW)

  it('verifies RS256, PS256, ES256 and EdDSA signatures with the JWKS key the header names (or any that fits)', () => {
    expect(validate(jwt(CLAIMS, 'RS256', 'r', rsa.privateKey))).toEqual({ principal: 'alice', expiresAt: NOW + 600_000 })
    expect(validate(jwt(CLAIMS, 'PS256', undefined, rsa.privateKey)).principal).toBe('alice')
    expect(validate(jwt(CLAIMS, 'ES256', 'e', ec.privateKey)).principal).toBe('alice')
    expect(validate(jwt(CLAIMS, 'EdDSA', 'd', ed.privateKey)).principal).toBe('alice')
  })

  it('refuses a wrong signature, a key not for signing, an algorithm the key does not allow, a tampered payload and alg none', () => {
    expect(refusal(() => validate(jwt(CLAIMS, 'RS256', 'r', other.privateKey))).message).toBe('JWS signature is invalid')
    expect(refusal(() => validate(jwt(CLAIMS, 'RS256', 'enc', other.privateKey))).message).toMatch(/Unable to find a suitable verification key/)
    expect(refusal(() => validate(jwt(CLAIMS, 'ES384', 'e', ec.privateKey))).message).toMatch(/Unable to find a suitable verification key/)
    const [header, , signature] = jwt(CLAIMS, 'RS256', 'r', rsa.privateKey).split('.')
    expect(refusal(() => validate(`${header!}.${b64({ ...CLAIMS, sub: 'admin' })}.${signature!}`)).message).toBe('JWS signature is invalid')
    expect(refusal(() => validate(unsecured(CLAIMS))).message).toBe('JWS algorithm none is not allowed')
  })

  it('checks exp, iat, nbf (with the skew), aud, iss and the sub claim as jose4j and Kafka do', () => {
    const token = (claims: object): string => jwt({ ...CLAIMS, ...claims }, 'RS256', 'r', rsa.privateKey)
    expect(validate(token({ exp: S - 10 })).principal).toBe('alice')
    expect(refusal(() => validate(token({ exp: S - 31 }))).message).toMatch(/no longer valid/)
    expect(refusal(() => validate(token({ iat: undefined }))).message).toMatch(/No Issued At/)
    expect(refusal(() => validate(token({ nbf: S + 60 }))).message).toMatch(/not yet valid/)
    expect(validate(token({ aud: ['x', 'kafka'] })).principal).toBe('alice')
    expect(refusal(() => validate(token({ aud: 'x' }))).message).toMatch(/Audience/)
    expect(refusal(() => validate(token({ aud: undefined }))).message).toMatch(/Audience/)
    expect(refusal(() => validate(token({}), { audience: [] })).message).toMatch(/Audience/)
    expect(validate(token({ aud: undefined }), { audience: [] }).principal).toBe('alice')
    expect(refusal(() => validate(token({ iss: 'https://other' }))).message).toMatch(/Issuer/)
    expect(validate(token({ iss: 'https://other' }), { issuer: '' }).principal).toBe('alice')
    expect(validate(token({ client_id: 'svc' }), { subClaim: 'client_id' }).principal).toBe('svc')
    expect(refusal(() => validate(token({ sub: undefined }))).message).toMatch(/sub value must be non-null/)
  })
})

describe('the OAUTHBEARER server (OAuthBearerSaslServer)', () => {
  const validator = tokenValidator(UNSECURED)
  const response = (text: string): Buffer => Buffer.from(text)
  const good = unsecured({ sub: 'alice', exp: Date.now() / 1000 + 60 })

  it('reads the GS2 header, the auth pair and extensions; a matching authzid is accepted', () => {
    const server = new OAuthBearerServer(validator)
    expect(server.evaluate(response(`n,a=alice,\u0001auth=bearer ${good}\u0001ext=v a l\u0001\u0001`))).toEqual(Buffer.alloc(0))
    expect([server.complete, server.user]).toEqual([true, 'alice'])
    expect(server.expiresAt).toBeGreaterThan(Date.now())
  })

  it('refuses malformed messages (generic failure) and another authzid (Kafka\'s message)', () => {
    for (const text of [`n,,auth=Bearer ${good}`, 'n,,\u0001\u0001', `n,,\u0001auth=Basic ${good}\u0001\u0001`, `n,,\u0001auth=Bearer a b\u0001\u0001`, `y,,\u0001auth=Bearer ${good}\u0001\u0001`]) {
      expect(() => new OAuthBearerServer(validator).evaluate(response(text))).toThrow(/Invalid|scheme/)
    }
    expect(() => new OAuthBearerServer(validator).evaluate(response(`n,a=bob,\u0001auth=Bearer ${good}\u0001\u0001`)))
      .toThrow(new SaslAuthenticationError("Authentication failed: Client requested an authorization id (bob) that is different from the token's principal name (alice)"))
  })

  it('answers an invalid token with the error JSON; %x01 then fails with it, another token tries again', () => {
    const server = new OAuthBearerServer(validator)
    const expired = unsecured({ sub: 'alice', exp: 1 })
    expect(server.evaluate(response(`n,,\u0001auth=Bearer ${expired}\u0001\u0001`)).toString()).toBe('{"status":"invalid_token"}')
    expect(server.complete).toBe(false)
    expect(() => server.evaluate(Buffer.from([1]))).toThrow(new SaslAuthenticationError('{"status":"invalid_token"}'))
    const retried = new OAuthBearerServer(validator)
    retried.evaluate(response(`n,,\u0001auth=Bearer ${expired}\u0001\u0001`))
    retried.evaluate(response(`n,,\u0001auth=Bearer ${good}\u0001\u0001`))
    expect(retried.complete).toBe(true)
  })
})
