// `sluice users`: the SCRAM credentials a broker's SASL_PLAINTEXT listeners accept, through
// DescribeUserScramCredentials and AlterUserScramCredentials (what `kafka-configs --entity-type users
// --alter --add-config 'SCRAM-SHA-256=[iterations=8192,password=x]'` sends). As Kafka's admin
// clients do, the password is salted here: the broker receives the salt and the SaltedPassword only.
import { pbkdf2Sync, randomBytes } from 'node:crypto'
import { calls } from '../client/index.js'
import { check } from '../client/errors.js'
import { COMMON_HELP, integer, onePositional, parse, printJson, UsageError, withClient, writeOut } from './command.js'
import { table } from './table.js'

export const USERS_HELP = `Usage: sluice users list [options]
       sluice users set NAME --mechanism SCRAM-SHA-256|SCRAM-SHA-512 [--password P] [--iterations N] [options]
       sluice users delete NAME --mechanism SCRAM-SHA-256|SCRAM-SHA-512 [options]

Lists, sets or deletes SCRAM credentials (users of SASL_PLAINTEXT listeners with SCRAM-SHA-*).
  --password P      the user's password (default $SLUICE_USER_PASSWORD, which keeps it out of ps)
  --iterations N    PBKDF2 iterations, 4096 to 16384 (default 4096)

${COMMON_HELP}`

const MECHANISMS: Record<string, { type: number, hash: 'sha256' | 'sha512', bytes: number }> = {
  'SCRAM-SHA-256': { type: 1, hash: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { type: 2, hash: 'sha512', bytes: 64 }
}

export async function users (argv: string[]): Promise<void> {
  const { values, positionals } = parse('users', argv, {
    mechanism: { type: 'string' }, password: { type: 'string' }, iterations: { type: 'string' }
  })
  if (values.help === true) return await writeOut(USERS_HELP + '\n')
  const [action, ...rest] = positionals
  if (action === 'list') {
    await withClient(values, async client => {
      const connection = await client.controller()
      const response = await connection.request(calls.describeUserScramCredentials, () => ({ users: null }))
      check(response.errorCode, 'DescribeUserScramCredentials', response.errorMessage)
      const rows = response.results.flatMap(r => r.credentialInfos.map(c => ({
        user: r.user, mechanism: Object.keys(MECHANISMS).find(m => MECHANISMS[m]!.type === c.mechanism) ?? `type ${c.mechanism}`, iterations: c.iterations
      })))
      if (values.json === true) await printJson(rows)
      else await writeOut(table(['USER', 'MECHANISM', 'ITERATIONS'], rows.map(r => [r.user, r.mechanism, r.iterations])))
    })
    return
  }
  if (action !== 'set' && action !== 'delete') throw new UsageError(`expected list, set or delete, got ${action === undefined ? 'nothing' : `"${action}"`}`, 'users')
  const name = onePositional(rest, 'user name', 'users')
  const mechanism = MECHANISMS[values.mechanism ?? '']
  if (mechanism === undefined) throw new UsageError(`--mechanism: expected ${Object.keys(MECHANISMS).join(' or ')}`, 'users')
  let upsertions: Array<{ name: string, mechanism: number, iterations: number, salt: Buffer, saltedPassword: Buffer }> = []
  if (action === 'set') {
    const password = values.password ?? process.env.SLUICE_USER_PASSWORD
    if (password === undefined || password === '') throw new UsageError('set needs --password or $SLUICE_USER_PASSWORD', 'users')
    const iterations = integer(values.iterations, '--iterations', 'users', 1) ?? 4096
    const salt = randomBytes(32)
    upsertions = [{ name, mechanism: mechanism.type, iterations, salt, saltedPassword: pbkdf2Sync(password, salt, iterations, mechanism.bytes, mechanism.hash) }]
  }
  await withClient(values, async client => {
    const connection = await client.controller()
    const response = await connection.request(calls.alterUserScramCredentials, () => ({
      deletions: action === 'delete' ? [{ name, mechanism: mechanism.type }] : [], upsertions
    }))
    for (const result of response.results) check(result.errorCode, `user "${result.user}"`, result.errorMessage)
    await writeOut(`${action === 'set' ? 'Set' : 'Deleted'} ${values.mechanism ?? ''} credential of user "${name}".\n`)
  })
}
