// How listeners, their security protocols, advertised addresses and SASL settings are read from Kafka's
// keys, and which mistakes stop start-up (each naming its key).
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config/broker-config.js'
import { listenerSpecs } from '../../../src/config/listener-config.js'

const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="a\\"b";'
const OAUTH = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required'
const specs = (flags: Record<string, string>): ReturnType<typeof listenerSpecs> => listenerSpecs(loadConfig({ flags }))

describe('listener config', () => {
  it('reads named listeners, their protocols from the map, and advertised addresses by name', () => {
    const listeners = specs({
      listeners: 'INTERNAL://127.0.0.1:9092,CLIENT://[::1]:9093,CONTROLLER://:9094',
      'listener.security.protocol.map': 'INTERNAL:PLAINTEXT,CLIENT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
      'controller.listener.names': 'CONTROLLER',
      'advertised.listeners': 'CLIENT://broker.example:19093',
      'listener.name.client.sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      'listener.name.client.connections.max.reauth.ms': '60000'
    })
    expect(listeners).toEqual([
      { name: 'INTERNAL', protocol: 'PLAINTEXT', host: '127.0.0.1', port: 9092, advertised: null, sasl: null, tls: null },
      { name: 'CLIENT', protocol: 'SASL_PLAINTEXT', host: '::1', port: 9093, advertised: { name: 'CLIENT', host: 'broker.example', port: 19093 }, sasl: { mechanisms: ['SCRAM-SHA-512'], plainUsers: new Map(), reauthMs: 60_000, oauthbearer: null }, tls: null }
    ])
  })

  it('takes PLAIN users from the listener\'s PlainLoginModule, escapes included', () => {
    const [listener] = specs({ listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS })
    expect(listener?.sasl).toEqual({ mechanisms: ['PLAIN'], plainUsers: new Map([['admin', 'admin-secret'], ['alice', 'a"b']]), reauthMs: 0, oauthbearer: null })
  })

  it('reads the unsecured OAUTHBEARER validator\'s options from the OAuthBearerLoginModule, with Kafka\'s defaults', () => {
    const base = { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'OAUTHBEARER' }
    const [defaults] = specs({ ...base, 'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config': `${OAUTH};` })
    expect(defaults?.sasl?.oauthbearer).toEqual({ validator: 'unsecured', principalClaim: 'sub', scopeClaim: 'scope', requiredScope: [], clockSkewMs: 0 })
    const [given] = specs({
      ...base,
      'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config': `${OAUTH} unsecuredValidatorPrincipalClaimName="user" unsecuredValidatorScopeClaimName=scp ` +
        'unsecuredValidatorRequiredScope="read  write" unsecuredValidatorAllowableClockSkewMs="500";'
    })
    expect(given?.sasl?.oauthbearer).toEqual({ validator: 'unsecured', principalClaim: 'user', scopeClaim: 'scp', requiredScope: ['read', 'write'], clockSkewMs: 500 })
  })

  it('leaves an https JWKS to the broker to fetch, with the listener\'s refresh interval', () => {
    const [listener] = specs({
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
      'sasl.enabled.mechanisms': 'OAUTHBEARER',
      'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config': `${OAUTH};`,
      'listener.name.sasl_plaintext.oauthbearer.sasl.server.callback.handler.class': 'org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerValidatorCallbackHandler',
      'sasl.oauthbearer.jwks.endpoint.url': 'https://idp.example/jwks',
      'listener.name.sasl_plaintext.oauthbearer.sasl.oauthbearer.jwks.endpoint.refresh.ms': '60000'
    })
    expect(listener?.sasl?.oauthbearer).toMatchObject({
      validator: 'jwks', jwks: { keys: [], remote: { url: 'https://idp.example/jwks', refreshMs: 60_000 } }, audience: [], issuer: '', subClaim: 'sub', scopeClaim: 'scope', clockSkewMs: 30_000
    })
  })

  it('ignores sasl.jaas.config without a listener prefix, as a Kafka broker does', () => {
    const ignored: string[] = []
    loadConfig({ flags: { 'sasl.jaas.config': JAAS }, onIgnored: key => ignored.push(key) })
    expect(ignored).toEqual(['sasl.jaas.config'])
  })

  it.each([
    [{ 'advertised.listeners': 'OTHER://h:1' }, /advertised\.listeners.*listener OTHER is not in listeners/],
    [{ listeners: 'CLIENT://127.0.0.1:0' }, /listener\.security\.protocol\.map.*no security protocol for listener CLIENT/],
    [{ listeners: 'SSL://127.0.0.1:0' }, /ssl\.keystore\.location.*listener SSL is SSL and needs a key store/],
    [{ listeners: 'CLIENT://127.0.0.1:0', 'listener.security.protocol.map': 'CLIENT:TLS' }, /listener\.security\.protocol\.map.*expected one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL/],
    [{ listeners: 'A://h:1,A://h:2' }, /listeners.*listener name A appears twice/],
    [{ listeners: 'PLAINTEXT://h' }, /listeners.*expected NAME:\/\/HOST:PORT/],
    [{ 'listener.name.plaintext.ssl.keystore.secret': '/k' }, /listener\.name\.plaintext\.ssl\.keystore\.secret.*unknown setting/],
    [{ 'listener.name.other.ssl.keystore.location': '/k' }, /listener\.name\.other\.ssl\.keystore\.location="\/k": listener OTHER is not in listeners/],
    [{ 'listener.name.other.ssl.keystore.password': 'secret' }, /listener\.name\.other\.ssl\.keystore\.password="\[hidden\]": listener OTHER is not in listeners/],
    [{ 'listener.name.other.plain.sasl.jaas.config': JAAS }, /listener\.name\.other\.plain\.sasl\.jaas\.config="\[hidden\]": listener OTHER is not in listeners/],
    [{ 'listener.name.other.sasl.enabled.mechanisms': 'PLAIN' }, /listener\.name\.other\.sasl\.enabled\.mechanisms.*listener OTHER is not in listeners/],
    [{ listeners: 'SASL_PLAINTEXT://h:1', 'sasl.enabled.mechanisms': 'GSSAPI' }, /sasl\.enabled\.mechanisms.*GSSAPI is not supported/],
    [{ listeners: 'SASL_PLAINTEXT://h:1', 'sasl.enabled.mechanisms': 'OAUTHBEARER' }, /listener\.name\.sasl_plaintext\.oauthbearer\.sasl\.jaas\.config.*needs a login module/],
    [{ listeners: 'SASL_PLAINTEXT://h:1', 'sasl.enabled.mechanisms': 'OAUTHBEARER', 'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config': `${OAUTH} unsecuredValidatorAllowableClockSkewMs="-1";` },
      /unsecuredValidatorAllowableClockSkewMs: expected a non-negative integer/],
    [{ listeners: 'SASL_PLAINTEXT://h:1' }, /listener\.name\.sasl_plaintext\.plain\.sasl\.jaas\.config.*no users are configured/],
    [{ listeners: 'SASL_PLAINTEXT://h:1', 'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="a";' },
      /names no users/],
    [{ listeners: 'SASL_PLAINTEXT://h:1', 'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required;' },
      /expected org\.apache\.kafka\.common\.security\.plain\.PlainLoginModule/]
  ])('refuses %j', (flags, message) => {
    expect(() => loadConfig({ flags })).toThrow(message)
  })
})
