// SASL with librdkafka (kcat) and kafka-python 2.0.2, whose exchange is SaslHandshake v0 and then bare
// SASL tokens; SCRAM credentials across a restart; and the start-up refusals of a bad SASL config.
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { alterUserScramCredentialsV0, Connection } from '@platformatic/kafka'
import { BROKER_ENTRY, startBroker, type RunningBroker } from '../helpers/broker.js'
import { has, kcat, run, runPython } from '../helpers/clients.js'
import { PLAIN_JAAS, saslSettings, SHA_256, SHA_512, upsertion } from '../helpers/sasl.js'

const SCRIPT = fileURLToPath(new URL('py/kafka_python_client.py', import.meta.url))
const CONFLUENT_SCRIPT = fileURLToPath(new URL('py/confluent_client.py', import.meta.url))

let broker: RunningBroker

async function addScramUsers (): Promise<void> {
  const admin = new Connection('sluice-sasl-clients-admin')
  try {
    await admin.connect('127.0.0.1', broker.listenerPorts.PLAINTEXT!)
    const altered = await alterUserScramCredentialsV0.api.async(admin, [], [upsertion('carol', SHA_256, 'carol-secret'), upsertion('dave', SHA_512, 'dave-secret')])
    expect(altered.results.every(r => r.errorCode === 0)).toBe(true)
  } finally {
    await admin.close()
  }
}

const rdkafka = (mechanism: string, user: string, password: string): string[] => [
  '-b', broker.bootstrap, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', `sasl.mechanisms=${mechanism}`, '-X', `sasl.username=${user}`, '-X', `sasl.password=${password}`
]

async function kcatRoundTrip (mechanism: string, user: string, password: string, topic: string): Promise<string> {
  await kcat([...rdkafka(mechanism, user, password), '-P', '-t', topic, '-p', '0'], { input: `via ${mechanism}\n` })
  return await kcat([...rdkafka(mechanism, user, password), '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q'])
}

beforeAll(async () => {
  broker = await startBroker({ settings: saslSettings() })
  await addScramUsers()
}, 30_000)

afterAll(async () => {
  await broker?.stop()
})

describe.skipIf(!has.kcat)('kcat (librdkafka) over SASL_PLAINTEXT', () => {
  it('produces and consumes with PLAIN and with SCRAM-SHA-256', async () => {
    expect(await kcatRoundTrip('PLAIN', 'alice', 'alice-secret', 'rd-plain')).toBe('via PLAIN\n')
    expect(await kcatRoundTrip('SCRAM-SHA-256', 'carol', 'carol-secret', 'rd-scram')).toBe('via SCRAM-SHA-256\n')
  }, 60_000)

  it('fails with a wrong password, and the broker stays up', async () => {
    const result = await run('kcat', [...rdkafka('SCRAM-SHA-256', 'carol', 'wrong'), '-L', '-m', '5'], { timeoutMs: 30_000 })
    expect(result.code).not.toBe(0)
    expect(result.stderr).toMatch(/Authentication failed/)
    expect(await kcatRoundTrip('PLAIN', 'alice', 'alice-secret', 'rd-after')).toBe('via PLAIN\n')
  }, 60_000)
})

describe.skipIf(!has.kafkaPython)('kafka-python 2.0.2 over SASL_PLAINTEXT (SaslHandshake v0, bare tokens)', () => {
  const call = <T>(op: string, request: object): Promise<T> => runPython<T>('kafka', SCRIPT, { op, bootstrap: broker.bootstrap, ...request })

  it('produces and consumes with PLAIN and with SCRAM-SHA-512', async () => {
    for (const [mechanism, username, password, topic] of [['PLAIN', 'alice', 'alice-secret', 'py-plain'], ['SCRAM-SHA-512', 'dave', 'dave-secret', 'py-scram']]) {
      const sasl = { mechanism, username, password }
      const sent = await call<Array<{ offset: number }>>('produce', { sasl, topic, records: [{ value: `py ${mechanism!}` }] })
      expect(sent).toEqual([{ partition: 0, offset: 0 }])
      const read = await call<Array<{ value: string }>>('consume', { sasl, topic, partitions: [0], count: 1 })
      expect(read.map(r => r.value)).toEqual([`py ${mechanism!}`])
    }
  }, 90_000)
})

describe.skipIf(!has.confluentKafka)('confluent-kafka (librdkafka) over SASL_PLAINTEXT', () => {
  it('produces and consumes with SCRAM-SHA-512', async () => {
    const config = { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'SCRAM-SHA-512', 'sasl.username': 'dave', 'sasl.password': 'dave-secret' }
    const request = { bootstrap: broker.bootstrap, topic: 'ck-scram', config }
    const sent = await runPython<{ undelivered: number, reports: Array<{ error: string | null }> }>('confluent_kafka', CONFLUENT_SCRIPT, { op: 'produce', ...request, records: [{ value: 'ck' }] })
    expect(sent).toEqual({ undelivered: 0, reports: [{ error: null, partition: 0, offset: 0 }] })
    const read = await runPython<Array<{ value: string }>>('confluent_kafka', CONFLUENT_SCRIPT, { op: 'consume', ...request, partitions: [0], count: 1 })
    expect(read.map(r => r.value)).toEqual(['ck'])
  }, 60_000)
})

describe('the sluice CLI', () => {
  const sluice = (port: number, args: string[], env: Record<string, string> = {}): ReturnType<typeof run> =>
    run(process.execPath, [BROKER_ENTRY, ...args, '-b', `127.0.0.1:${port}`], { env: { ...process.env, ...env } })

  it('sets a SCRAM user with `sluice users`, then works as that user on the SASL listener', async () => {
    const set = await sluice(broker.listenerPorts.PLAINTEXT!, ['users', 'set', 'frank', '--mechanism', 'SCRAM-SHA-512', '--iterations', '8192'], { SLUICE_USER_PASSWORD: 'frank-secret' })
    expect(set).toMatchObject({ code: 0, stdout: 'Set SCRAM-SHA-512 credential of user "frank".\n' })
    const asFrank = { SLUICE_SASL_USERNAME: 'frank', SLUICE_SASL_PASSWORD: 'frank-secret' }
    const sasl = broker.listenerPorts.SASL_PLAINTEXT!
    const listed = await sluice(sasl, ['users', 'list', '--json', '--sasl-mechanism', 'SCRAM-SHA-512'], asFrank)
    expect(listed.code).toBe(0)
    expect(JSON.parse(listed.stdout)).toContainEqual({ user: 'frank', mechanism: 'SCRAM-SHA-512', iterations: 8192 })
    const produced = await run(process.execPath, [BROKER_ENTRY, 'produce', 'cli-sasl', '-b', `127.0.0.1:${sasl}`, '--sasl-mechanism', 'PLAIN', '--sasl-username', 'alice', '--sasl-password', 'alice-secret'], { input: 'one\n' })
    expect(produced.code).toBe(0)
    const wrong = await sluice(sasl, ['topics', 'list', '--sasl-mechanism', 'SCRAM-SHA-512'], { ...asFrank, SLUICE_SASL_PASSWORD: 'nope' })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain('SASL_AUTHENTICATION_FAILED')
    const deleted = await sluice(broker.listenerPorts.PLAINTEXT!, ['users', 'delete', 'frank', '--mechanism', 'SCRAM-SHA-512'])
    expect(deleted).toMatchObject({ code: 0, stdout: 'Deleted SCRAM-SHA-512 credential of user "frank".\n' })
  }, 60_000)
})

describe('SCRAM credentials', () => {
  it.skipIf(!has.kcat)('survive a restart', async () => {
    await broker.restart()
    expect(await kcatRoundTrip('SCRAM-SHA-256', 'carol', 'carol-secret', 'rd-restart')).toBe('via SCRAM-SHA-256\n')
  }, 60_000)
})

describe('a bad SASL config stops start-up, naming the key', () => {
  const refusal = async (settings: Record<string, string | number>): Promise<string> => {
    const error = await startBroker({ settings, readyTimeoutMs: 15_000 }).then(async b => { await b.stop(); return null }, (e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    return (error as Error).message
  }

  it('an unsupported mechanism', async () => {
    expect(await refusal(saslSettings({ 'sasl.enabled.mechanisms': 'PLAIN,GSSAPI' }))).toMatch(/sasl\.enabled\.mechanisms.*GSSAPI is not supported/)
  }, 30_000)

  it('PLAIN on a SASL listener without users', async () => {
    const settings = saslSettings()
    delete settings['listener.name.sasl_plaintext.plain.sasl.jaas.config']
    expect(await refusal(settings)).toMatch(/listener\.name\.sasl_plaintext\.plain\.sasl\.jaas\.config.*no users are configured/)
  }, 30_000)

  it('a malformed JAAS config, without echoing its passwords', async () => {
    const message = await refusal(saslSettings({ 'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_JAAS.replace(';', '') }))
    expect(message).toMatch(/listener\.name\.sasl_plaintext\.plain\.sasl\.jaas\.config.*malformed JAAS login module/)
    expect(message).not.toContain('alice-secret')
  }, 30_000)

  it('a SASL_SSL listener without a key store', async () => {
    expect(await refusal({ listeners: 'SASL_SSL://127.0.0.1:0', 'listener.name.sasl_ssl.plain.sasl.jaas.config': PLAIN_JAAS }))
      .toMatch(/ssl\.keystore\.location.*listener SASL_SSL is SASL_SSL and needs a key store/)
  }, 30_000)
})
