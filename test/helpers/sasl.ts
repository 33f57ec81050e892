// A broker with a SASL_PLAINTEXT listener, and SCRAM credentials as Kafka admin clients build them,
// for the SASL suites (test/integration/sasl*.test.ts).
import { pbkdf2Sync, randomBytes } from 'node:crypto'

/** AlterUserScramCredentials mechanism types. */
export const SHA_256 = 1
export const SHA_512 = 2

export const PLAIN_JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" ' +
  'user_admin="admin-secret" user_alice="alice-secret";'

/** The settings of a broker with a SASL_PLAINTEXT listener first (the bootstrap) and a PLAINTEXT one. */
export function saslSettings (extra: Record<string, string | number> = {}): Record<string, string | number> {
  return {
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0,PLAINTEXT://127.0.0.1:0',
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_JAAS,
    ...extra
  }
}

/** The settings of saslSettings() with Kafka's StandardAuthorizer, super user admin, and PLAIN users
 *  admin, alice and bob (password `<user>-secret`), for the ACL suites (test/integration/acls*.test.ts). */
export function aclSettings (extra: Record<string, string | number> = {}): Record<string, string | number> {
  return saslSettings({
    'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_JAAS.replace('user_alice="alice-secret";', 'user_alice="alice-secret" user_bob="bob-secret";'),
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': 'User:admin',
    ...extra
  })
}

/** An upsertion as a Kafka admin client builds it: a fresh salt, and the password salted by PBKDF2. */
export function upsertion (name: string, mechanism: number, password: string, iterations = 4096): { name: string, mechanism: number, iterations: number, salt: Buffer, saltedPassword: Buffer } {
  const salt = randomBytes(32)
  const [digest, length] = mechanism === SHA_512 ? ['sha512', 64] as const : ['sha256', 32] as const
  return { name, mechanism, iterations, salt, saltedPassword: pbkdf2Sync(password, salt, iterations, length, digest) }
}

