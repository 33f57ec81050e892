// Client certificates on an SSL listener: ssl.client.auth=required refuses a client without a trusted
// certificate (and the broker stays up), the ACL authorizer sees the certificate's principal as
// ssl.principal.mapping.rules maps it, and start-up with a PEM or JKS key store, or refused for a
// wrong key store password.
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AclOperationTypes as Op, AclPermissionTypes as Permission, AclResourceTypes as Resource, Kafka, logLevel, ResourcePatternTypes as Pattern, type KafkaConfig } from 'kafkajs'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { has, kcat, run } from '../helpers/clients.js'
import { makeCertificates, sslSettings, STORE_PASSWORD, type Certificates, type ClientCertificate } from '../helpers/tls.js'

let certs: Certificates
let broker: RunningBroker

const ALICE = 'User:CN=alice,OU=eng,O=Example,C=US'

const kafkaAs = (client: ClientCertificate | null): Kafka => new Kafka({
  clientId: 'sluice-tls-auth',
  brokers: [broker.bootstrap],
  logLevel: logLevel.NOTHING,
  retry: { retries: 0 },
  ssl: { ca: [certs.caPem], ...(client === null ? {} : { cert: client.certPem, key: client.keyPem }) }
} satisfies KafkaConfig)

const rdkafka = (client: ClientCertificate | null): string[] => [
  '-b', broker.bootstrap, '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${certs.ca}`,
  ...(client === null ? [] : ['-X', `ssl.certificate.location=${client.cert}`, '-X', `ssl.key.location=${client.key}`])
]

beforeAll(async () => {
  certs = makeCertificates()
  broker = await startBroker({
    settings: sslSettings(certs, {
      listeners: 'SSL://127.0.0.1:0',
      'ssl.client.auth': 'required',
      // The CA as a PKCS12 trust store (the clients suite trusts it as PEM).
      'ssl.truststore.type': 'PKCS12',
      'ssl.truststore.location': certs.trustP12,
      'ssl.truststore.password': STORE_PASSWORD,
      // bob (OU=ops) is User:BOB; everyone else keeps the whole DN.
      'ssl.principal.mapping.rules': 'RULE:^CN=([a-z]+),OU=ops,.*$/$1/U,DEFAULT',
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': ALICE
    })
  })
}, 60_000)

afterAll(async () => {
  await broker?.stop()
  certs?.remove()
})

describe('ssl.client.auth=required', () => {
  it.skipIf(!has.kcat)('refuses a client without a certificate and one the CA did not sign; a trusted one connects', async () => {
    for (const client of [null, certs.stranger]) {
      const refused = await run('kcat', [...rdkafka(client), '-L', '-m', '5'], { timeoutMs: 30_000 })
      expect(refused.code).not.toBe(0)
      expect(refused.stdout).not.toContain('broker 0 at')
    }
    const listed = await kcat([...rdkafka(certs.alice), '-L', '-m', '10'])
    expect(listed).toContain('1 brokers:')
  }, 90_000)

  it('refuses kafkajs without a certificate', async () => {
    const admin = kafkaAs(null).admin()
    await expect(admin.connect().then(async () => await admin.listTopics())).rejects.toThrow()
    await admin.disconnect()
  }, 60_000)
})

describe('ACLs on certificate principals', () => {
  it('the super user named by its DN administers; the mapped principal is allowed and denied by ACLs', async () => {
    const admin = kafkaAs(certs.alice).admin()
    await admin.connect()
    try {
      await admin.createTopics({ topics: [{ topic: 'granted' }, { topic: 'refused' }] })
      const acl = (resourceName: string, operation: number) =>
        ({ resourceType: Resource.TOPIC, resourceName, resourcePatternType: Pattern.LITERAL, principal: 'User:BOB', host: '*', operation, permissionType: Permission.ALLOW })
      await admin.createAcls({ acl: [acl('granted', Op.WRITE), acl('granted', Op.DESCRIBE)] })
    } finally {
      await admin.disconnect()
    }
    const producer = kafkaAs(certs.bob).producer({ retry: { retries: 0 } })
    await producer.connect()
    try {
      const [sent] = await producer.send({ topic: 'granted', messages: [{ value: 'bob was here' }] })
      expect(sent).toMatchObject({ topicName: 'granted', errorCode: 0 })
      await expect(producer.send({ topic: 'refused', messages: [{ value: 'not allowed' }] })).rejects.toThrow(/Not authorized to access topics: \[Topic authorization failed\]/)
    } finally {
      await producer.disconnect()
    }
  }, 60_000)
})

describe('start-up', () => {
  it.skipIf(!has.kcat)('serves with a PEM key store', async () => {
    const pem = await startBroker({ settings: { ...sslSettings(certs, { listeners: 'SSL://127.0.0.1:0' }), 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.serverPem, 'ssl.keystore.password': '' } })
    try {
      await kcat(['-b', pem.bootstrap, '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${certs.ca}`, '-P', '-t', 'pem', '-p', '0'], { input: 'pem\n' })
      expect(await kcat(['-b', pem.bootstrap, '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${certs.ca}`, '-C', '-t', 'pem', '-p', '0', '-o', 'beginning', '-e', '-q'])).toBe('pem\n')
    } finally {
      await pem.stop()
    }
  }, 60_000)

  it.skipIf(!has.kcat)('serves with a JKS key store made by keytool', async () => {
    const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/jks/${name}`, import.meta.url))
    const jks = await startBroker({
      settings: { listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.location': fixture('broker.jks'), 'ssl.keystore.password': 'store-secret', 'ssl.key.password': 'key-secret' }
    })
    try {
      expect(await kcat(['-b', jks.bootstrap, '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${fixture('broker.pem')}`, '-L', '-m', '10'])).toContain('1 brokers:')
    } finally {
      await jks.stop()
    }
  }, 60_000)

  it('stops with a wrong key store password, naming the key and not the password', async () => {
    const error = await startBroker({ settings: sslSettings(certs, { 'ssl.keystore.password': 'guessed-wrong' }), readyTimeoutMs: 15_000 })
      .then(async b => { await b.stop(); return null }, (e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toMatch(/invalid setting ssl\.keystore\.password="\[hidden\]": wrong password for the key store/)
    expect((error as Error).message).not.toContain('guessed-wrong')
  }, 30_000)
})
