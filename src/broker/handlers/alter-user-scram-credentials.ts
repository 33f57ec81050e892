// AlterUserScramCredentials: deletes and upserts SCRAM credentials, with Kafka's validation
// (ScramControlManager): a user altered twice in one request (deleted and upserted included) is
// DUPLICATE_RESOURCE; an empty name or an iteration count outside 4096..16384 UNACCEPTABLE_CREDENTIAL;
// a mechanism other than 1 (SCRAM-SHA-256) or 2 (SCRAM-SHA-512) UNSUPPORTED_SASL_MECHANISM; deleting
// a credential that does not exist RESOURCE_NOT_FOUND. The valid changes are stored together, durably,
// before the answer (sasl/scram-credentials.ts); if they cannot be, each is UNKNOWN_SERVER_ERROR. An
// upsertion carries the client's salt and SaltedPassword; only StoredKey and ServerKey derived from it are kept.
import {
  alterUserScramCredentialsApi, decodeAlterUserScramCredentialsRequest, encodeAlterUserScramCredentialsResponse, ErrorCode,
  type AlterUserScramCredentialsRequest, type AlterUserScramCredentialsResponse
} from '../../protocol/index.js'
import type { Broker } from '../broker.js'
import { AclOperation } from '../acl/bindings.js'
import { clusterAllowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'
import { SCRAM, SCRAM_MAX_ITERATIONS, SCRAM_MIN_ITERATIONS, scramKeys, type ScramMechanism } from '../sasl/mechanisms.js'

interface Refusal { errorCode: number, errorMessage: string }
type Upsertion = AlterUserScramCredentialsRequest['upsertions'][number]
interface Changes { deleting: Map<string, ScramMechanism>, upserting: Map<string, Upsertion>, refused: Map<string, Refusal> }

const mechanismOf = (type: number): ScramMechanism | undefined =>
  (Object.keys(SCRAM) as ScramMechanism[]).find(m => SCRAM[m].type === type)

const refusal = (errorCode: number, errorMessage: string): Refusal => ({ errorCode, errorMessage })

function nameOrMechanismRefusal (user: string, type: number): Refusal | null {
  if (user === '') return refusal(ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty')
  if (mechanismOf(type) === undefined) return refusal(ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism')
  return null
}

/** Sorts a request's changes into accepted and refused, user by user, as ScramControlManager does. */
function validate ({ deletions, upsertions }: AlterUserScramCredentialsRequest, broker: Broker): Changes {
  const changes: Changes = { deleting: new Map(), upserting: new Map(), refused: new Map() }
  const { deleting, upserting, refused } = changes
  const twice = (user: string): void => { refused.set(user, refusal(ErrorCode.DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request')) }
  for (const { name, mechanism } of deletions) {
    if (refused.has(name)) continue
    if (deleting.delete(name)) { twice(name); continue }
    const problem = nameOrMechanismRefusal(name, mechanism) ??
      (broker.scram.get(name, mechanismOf(mechanism)!) === undefined ? refusal(ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist') : null)
    if (problem !== null) refused.set(name, problem)
    else deleting.set(name, mechanismOf(mechanism)!)
  }
  for (const upsertion of upsertions) {
    const { name, mechanism, iterations } = upsertion
    if (refused.has(name)) continue
    if (deleting.delete(name) || upserting.delete(name)) { twice(name); continue }
    const problem = nameOrMechanismRefusal(name, mechanism) ??
      (iterations < SCRAM_MIN_ITERATIONS ? refusal(ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations') : null) ??
      (iterations > SCRAM_MAX_ITERATIONS ? refusal(ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too many iterations') : null)
    if (problem !== null) refused.set(name, problem)
    else upserting.set(name, upsertion)
  }
  return changes
}

/** Stores the accepted changes; if that fails, they become refusals. */
function store ({ deleting, upserting, refused }: Changes, broker: Broker): void {
  if (deleting.size + upserting.size === 0) return
  try {
    broker.scram.apply({
      deletions: [...deleting].map(([user, mechanism]) => ({ user, mechanism })),
      upsertions: [...upserting.values()].map(u => {
        const mechanism = mechanismOf(u.mechanism)!
        return { user: u.name, mechanism, credential: { salt: Buffer.from(u.salt), ...scramKeys(mechanism, u.saltedPassword), iterations: u.iterations } }
      })
    })
  } catch (error) {
    broker.log.error({ err: error }, 'could not store SCRAM credentials')
    const failed = refusal(ErrorCode.UNKNOWN_SERVER_ERROR, `The credentials could not be stored: ${(error as Error).message}`)
    for (const user of [...deleting.keys(), ...upserting.keys()]) refused.set(user, failed)
    deleting.clear()
    upserting.clear()
  }
}

export const alterUserScramCredentialsHandler = defineHandler<AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse>({
  api: alterUserScramCredentialsApi,
  decode: decodeAlterUserScramCredentialsRequest,
  encode: encodeAlterUserScramCredentialsResponse,
  handle (request, context) {
    const { broker } = context
    // With an authorizer, ALTER on the cluster, else every named user fails.
    if (!clusterAllowed(context, AclOperation.ALTER)) {
      const users = new Set([...request.deletions, ...request.upsertions].map(u => u.name))
      return { throttleTimeMs: 0, results: [...users].map(user => ({ user, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.' })) }
    }
    const changes = validate(request, broker)
    store(changes, broker)
    const accepted = [...changes.deleting.keys(), ...changes.upserting.keys()].map(user => ({ user, errorCode: ErrorCode.NONE, errorMessage: null }))
    return { throttleTimeMs: 0, results: [...accepted, ...[...changes.refused].map(([user, r]) => ({ user, ...r }))] }
  }
})
