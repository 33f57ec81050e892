// SCRAM credentials, kept in `<data dir>/scram-credentials.json`: per user and mechanism the salt,
// StoredKey, ServerKey and iteration count (RFC 5802), never a password or a SaltedPassword. Changed
// only by AlterUserScramCredentials, one whole-file rewrite per request (temp file, fsync, rename),
// so a crash leaves either the old or the new set.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeFileDurably } from '../../storage/durable-file.js'
import type { ScramCredential, ScramMechanism } from './mechanisms.js'

const FILE = 'scram-credentials.json'

interface StoredCredential { salt: string, storedKey: string, serverKey: string, iterations: number }
type StoredFile = { version: 1, users: Record<string, Partial<Record<ScramMechanism, StoredCredential>>> }

export class ScramCredentials {
  private constructor (private readonly path: string, private users: Map<string, Map<ScramMechanism, ScramCredential>>) {}

  static open (dataDir: string): ScramCredentials {
    const path = join(dataDir, FILE)
    const users = new Map<string, Map<ScramMechanism, ScramCredential>>()
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new ScramCredentials(path, users)
      throw error
    }
    const stored = JSON.parse(text) as StoredFile
    for (const [user, byMechanism] of Object.entries(stored.users)) {
      const credentials = new Map<ScramMechanism, ScramCredential>()
      for (const [mechanism, c] of Object.entries(byMechanism) as Array<[ScramMechanism, StoredCredential]>) {
        credentials.set(mechanism, {
          salt: Buffer.from(c.salt, 'base64'), storedKey: Buffer.from(c.storedKey, 'base64'), serverKey: Buffer.from(c.serverKey, 'base64'), iterations: c.iterations
        })
      }
      users.set(user, credentials)
    }
    return new ScramCredentials(path, users)
  }

  get (user: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.users.get(user)?.get(mechanism)
  }

  /** The users with at least one credential, and theirs. */
  entries (): IterableIterator<[string, ReadonlyMap<ScramMechanism, ScramCredential>]> {
    return this.users.entries()
  }

  credentialsOf (user: string): ReadonlyMap<ScramMechanism, ScramCredential> | undefined {
    return this.users.get(user)
  }

  /** Applies a request's changes together, persisted before they take effect: a failed write
   *  (disk full) leaves the credentials as they were, on disk and here. */
  apply (changes: { deletions: Array<{ user: string, mechanism: ScramMechanism }>, upsertions: Array<{ user: string, mechanism: ScramMechanism, credential: ScramCredential }> }): void {
    const next = new Map([...this.users].map(([user, credentials]) => [user, new Map(credentials)]))
    for (const { user, mechanism } of changes.deletions) {
      const credentials = next.get(user)
      credentials?.delete(mechanism)
      if (credentials?.size === 0) next.delete(user)
    }
    for (const { user, mechanism, credential } of changes.upsertions) {
      let credentials = next.get(user)
      if (credentials === undefined) next.set(user, credentials = new Map())
      credentials.set(mechanism, credential)
    }
    const stored: StoredFile = { version: 1, users: {} }
    for (const [user, credentials] of next) {
      stored.users[user] = Object.fromEntries([...credentials].map(([mechanism, c]) => [mechanism, {
        salt: c.salt.toString('base64'), storedKey: c.storedKey.toString('base64'), serverKey: c.serverKey.toString('base64'), iterations: c.iterations
      }]))
    }
    writeFileDurably(this.path, JSON.stringify(stored) + '\n')
    this.users = next
  }
}
