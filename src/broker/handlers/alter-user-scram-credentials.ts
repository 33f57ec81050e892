// AlterUserScramCredentials: deletes and upserts SCRAM credentials, with Kafka's validation
// (ScramControlManager): a user altered twice in one request (deleted and upserted included) is
// DUPLICATE_RESOURCE; an empty name or an iteration count outside 4096..16384 UNACCEPTABLE_CREDENTIAL;
// a mechanism other than 1 (SCRAM-SHA-256) or 2 (SCRAM-SHA-512) UNSUPPORTED_SASL_MECHANISM; deleting
// a credential that does not exist RESOURCE_NOT_FOUND. The valid changes are stored together, durably,
// before the answer (sasl/scram-credentials.ts). An upsertion carries the client's salt and
// SaltedPassword; only StoredKey and ServerKey derived from it are kept.
import {
  alterUserScramCredentialsApi, decodeAlterUserScramCredentialsRequest, encodeAlterUserScramCredentialsResponse, ErrorCode,
  type AlterUserScramCredentialsRequest, type AlterUserScramCredentialsResponse
} from '../../protocol/index.js'
import { defineHandler } from '../handler.js'
import { SCRAM, SCRAM_MAX_ITERATIONS, SCRAM_MIN_ITERATIONS, scramKeys, type ScramMechanism } from '../sasl/mechanisms.js'

interface Refusal { errorCode: number, errorMessage: string }

const mechanismOf = (type: number): ScramMechanism | undefined =>
  (Object.keys(SCRAM) as ScramMechanism[]).find(m => SCRAM[m].type === type)

function refusal (user: string, type: number): Refusal | null {
  if (user === '') return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Username must not be empty' }
  if (mechanismOf(type) === undefined) return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, errorMessage: 'Unknown SCRAM mechanism' }
  return null
}

export const alterUserScramCredentialsHandler = defineHandler<AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse>({
  api: alterUserScramCredentialsApi,
  decode: decodeAlterUserScramCredentialsRequest,
  encode: encodeAlterUserScramCredentialsResponse,
  handle ({ deletions, upsertions }, { broker }) {
    const refused = new Map<string, Refusal>()
    const deleting = new Map<string, ScramMechanism>()
    const upserting = new Map<string, (typeof upsertions)[number]>()
    const twice = (user: string): void => { refused.set(user, { errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: 'A user credential cannot be altered twice in the same request' }) }
    for (const { name, mechanism } of deletions) {
      if (refused.has(name)) continue
      if (deleting.delete(name)) { twice(name); continue }
      const problem = refusal(name, mechanism) ??
        (broker.scram.get(name, mechanismOf(mechanism)!) === undefined ? { errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'Attempt to delete a user credential that does not exist' } : null)
      if (problem !== null) refused.set(name, problem)
      else deleting.set(name, mechanismOf(mechanism)!)
    }
    for (const upsertion of upsertions) {
      const { name, mechanism, iterations } = upsertion
      if (refused.has(name)) continue
      if (deleting.delete(name) || upserting.delete(name)) { twice(name); continue }
      const problem = refusal(name, mechanism) ??
        (iterations < SCRAM_MIN_ITERATIONS ? { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Too few iterations' } : null) ??
        (iterations > SCRAM_MAX_ITERATIONS ? { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Too many iterations' } : null)
      if (problem !== null) refused.set(name, problem)
      else upserting.set(name, upsertion)
    }
    broker.scram.apply({
      deletions: [...deleting].map(([user, mechanism]) => ({ user, mechanism })),
      upsertions: [...upserting.values()].map(u => {
        const mechanism = mechanismOf(u.mechanism)!
        return { user: u.name, mechanism, credential: { salt: Buffer.from(u.salt), ...scramKeys(mechanism, u.saltedPassword), iterations: u.iterations } }
      })
    })
    const ok = (user: string): { user: string, errorCode: number, errorMessage: null } => ({ user, errorCode: ErrorCode.NONE, errorMessage: null })
    const results = [...[...deleting.keys()].map(ok), ...[...upserting.keys()].map(ok), ...[...refused].map(([user, r]) => ({ user, ...r }))]
    return { throttleTimeMs: 0, results }
  }
})
