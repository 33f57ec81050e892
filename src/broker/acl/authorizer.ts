// The ACL authorizer (authorizer.class.name set): Kafka's StandardAuthorizer semantics over the ACLs
// kept in `<data dir>/acls.json`, rewritten whole (temp file, fsync, rename) before a change takes
// effect, so a crash leaves either the old or the new set and an answered CreateAcls survives it.
//
// authorize(principal, host, operation, resource) (StandardAuthorizerData.authorize):
//   - a super user (super.users) may do everything;
//   - the ACLs that apply to a resource are its LITERAL ones, the LITERAL `*` of its type, and the
//     PREFIXED ones whose name starts the resource's; of those, the ones for the principal or
//     `User:*`, for the host or `*`;
//   - a DENY for the operation (or ALL) wins over any ALLOW;
//   - ALLOW of ALL allows everything; ALLOW of READ, WRITE, DELETE or ALTER implies DESCRIBE, and
//     ALLOW of ALTER_CONFIGS implies DESCRIBE_CONFIGS (a DENY implies nothing);
//   - with no ACL at all on the resource (whoever it names), allow.everyone.if.no.acl.found decides.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ErrorCode, KafkaError } from '../../protocol/errors.js'
import { writeFileDurably } from '../../storage/durable-file.js'
import {
  AclOperation, bindingKey, filterMatches, PatternType, Permission, ResourceType, validateFilter, validateNewBinding,
  WILDCARD, WILDCARD_PRINCIPAL, type AclBinding, type AclFilter
} from './bindings.js'

const FILE = 'acls.json'
const NOT_STORED: AclResult = { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'The ACLs could not be stored.' }

export interface AuthorizerSettings {
  /** super.users: principals allowed everything. */
  superUsers: readonly string[]
  /** allow.everyone.if.no.acl.found */
  allowIfNoAcl: boolean
}

export interface AclResult { errorCode: number, errorMessage: string | null }
export interface DeleteResult extends AclResult { deleted: AclBinding[] }

/** The operations Kafka reports (authorized operations fields) for each resource type (AclEntry.supportedOperations). */
const SUPPORTED: Record<number, readonly number[]> = {
  [ResourceType.TOPIC]: [AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS],
  [ResourceType.GROUP]: [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE],
  [ResourceType.CLUSTER]: [AclOperation.CREATE, AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER, AclOperation.DESCRIBE],
  [ResourceType.TRANSACTIONAL_ID]: [AclOperation.DESCRIBE, AclOperation.WRITE, AclOperation.TWO_PHASE_COMMIT]
}

/** The bit field of every supported operation of a resource type, what Kafka answers without an authorizer. */
export function allOperations (resourceType: number): number {
  return (SUPPORTED[resourceType] ?? []).reduce((bits, op) => bits | (1 << op), 0)
}

/** ALLOW of the key implies the operations listed. */
const IMPLIES: Record<number, readonly number[]> = {
  [AclOperation.DESCRIBE]: [AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER],
  [AclOperation.DESCRIBE_CONFIGS]: [AclOperation.ALTER_CONFIGS]
}

export class Authorizer {
  /** Bumped by every change, so per-connection caches of decisions know they are stale. */
  generation = 0
  private bindings: AclBinding[] = []
  /** LITERAL bindings by resource type and name; PREFIXED ones by resource type. */
  private literal = new Map<string, AclBinding[]>()
  private prefixed = new Map<number, AclBinding[]>()
  private readonly superUsers: ReadonlySet<string>

  /** Told of a failed write of the ACL file (the change it carried is not made). */
  onStoreError: (error: unknown) => void = () => {}

  private constructor (private readonly path: string, private readonly settings: AuthorizerSettings) {
    this.superUsers = new Set(settings.superUsers)
  }

  static open (dataDir: string, settings: AuthorizerSettings): Authorizer {
    const authorizer = new Authorizer(join(dataDir, FILE), settings)
    try {
      const stored = JSON.parse(readFileSync(authorizer.path, 'utf8')) as { version: 1, acls: AclBinding[] }
      authorizer.replace(stored.acls)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    return authorizer
  }

  get size (): number { return this.bindings.length }

  /** Stores every valid creation (a duplicate of a stored binding is a success that stores nothing),
   *  on disk before it takes effect; a failed write throws and leaves the ACLs as they were. */
  create (creations: AclBinding[]): AclResult[] {
    const keys = new Set(this.bindings.map(bindingKey))
    const added: AclBinding[] = []
    const results = creations.map((given): AclResult => {
      const binding = copy(given)
      try {
        validateNewBinding(binding)
      } catch (error) {
        if (!(error instanceof KafkaError)) throw error
        return { errorCode: error.code, errorMessage: error.message }
      }
      const key = bindingKey(binding)
      if (!keys.has(key)) { keys.add(key); added.push(binding) }
      return { errorCode: ErrorCode.NONE, errorMessage: null }
    })
    if (added.length > 0 && !this.tryCommit([...this.bindings, ...added])) {
      return results.map(r => r.errorCode === ErrorCode.NONE ? NOT_STORED : r)
    }
    return results
  }

  /** The bindings a DescribeAcls filter selects; throws KafkaError(INVALID_REQUEST) for a bad filter. */
  describe (filter: AclFilter): AclBinding[] {
    validateFilter(filter)
    return this.bindings.filter(b => filterMatches(filter, b))
  }

  /** Removes the bindings each filter selects, answering them per filter (a binding two filters
   *  select is answered by the first); stored before it takes effect, like create(). */
  delete (filters: AclFilter[]): DeleteResult[] {
    const removed = new Set<AclBinding>()
    const results = filters.map((filter): DeleteResult => {
      try {
        validateFilter(filter)
      } catch (error) {
        if (!(error instanceof KafkaError)) throw error
        return { errorCode: error.code, errorMessage: error.message, deleted: [] }
      }
      const deleted = this.bindings.filter(b => !removed.has(b) && filterMatches(filter, b))
      for (const b of deleted) removed.add(b)
      return { errorCode: ErrorCode.NONE, errorMessage: null, deleted }
    })
    if (removed.size > 0 && !this.tryCommit(this.bindings.filter(b => !removed.has(b)))) {
      return results.map(r => r.errorCode === ErrorCode.NONE ? { ...NOT_STORED, deleted: [] } : r)
    }
    return results
  }

  isSuperUser (principal: string): boolean { return this.superUsers.has(principal) }

  authorize (principal: string, host: string, operation: number, resourceType: number, resourceName: string): boolean {
    if (this.superUsers.has(principal)) return true
    let found = false
    let allowed = false
    const consider = (acls: readonly AclBinding[] | undefined, prefixOf?: string): boolean => {
      if (acls === undefined) return false
      for (const acl of acls) {
        if (prefixOf !== undefined && !prefixOf.startsWith(acl.resourceName)) continue
        found = true
        if (acl.principal !== principal && acl.principal !== WILDCARD_PRINCIPAL) continue
        if (acl.host !== host && acl.host !== WILDCARD) continue
        if (acl.permissionType === Permission.DENY) {
          if (acl.operation === operation || acl.operation === AclOperation.ALL) return true
        } else if (acl.operation === operation || acl.operation === AclOperation.ALL || (IMPLIES[operation]?.includes(acl.operation) ?? false)) {
          allowed = true
        }
      }
      return false
    }
    if (consider(this.literal.get(literalKey(resourceType, resourceName))) ||
        consider(this.literal.get(literalKey(resourceType, WILDCARD))) ||
        consider(this.prefixed.get(resourceType), resourceName)) return false
    return found ? allowed : this.settings.allowIfNoAcl
  }

  /**
   * Whether some resource of the type may allow `operation` (Authorizer.authorizeByResourceType, for
   * an idempotent producer's InitProducerId): the principal's ALLOW ACLs of the type not wholly
   * covered by its DENY ACLs; a resource no ACL names (super users, allow.everyone.if.no.acl.found,
   * a wildcard ALLOW) allows.
   */
  authorizeAnyOfType (principal: string, host: string, operation: number, resourceType: number): boolean {
    if (this.authorize(principal, host, operation, resourceType, 'hardcode')) return true
    const applies = (b: AclBinding): boolean => b.resourceType === resourceType &&
      (b.principal === principal || b.principal === WILDCARD_PRINCIPAL) && (b.host === host || b.host === WILDCARD) &&
      (b.operation === operation || b.operation === AclOperation.ALL)
    const denies = this.bindings.filter(b => applies(b) && b.permissionType === Permission.DENY)
    if (denies.some(d => d.patternType === PatternType.LITERAL && d.resourceName === WILDCARD)) return false
    const covered = (allow: AclBinding): boolean => denies.some(d => d.patternType === PatternType.PREFIXED
      ? allow.resourceName.startsWith(d.resourceName)
      : allow.patternType === PatternType.LITERAL && d.resourceName === allow.resourceName)
    return this.bindings.some(b => applies(b) && b.permissionType === Permission.ALLOW && !covered(b))
  }

  /** The bit field of the supported operations of a resource that authorize() allows. */
  authorizedOperations (principal: string, host: string, resourceType: number, resourceName: string): number {
    let bits = 0
    for (const op of SUPPORTED[resourceType] ?? []) {
      if (this.authorize(principal, host, op, resourceType, resourceName)) bits |= 1 << op
    }
    return bits
  }

  /** Stores `next` and puts it in force; false (nothing changed) if it cannot be stored. */
  private tryCommit (next: AclBinding[]): boolean {
    try {
      writeFileDurably(this.path, JSON.stringify({ version: 1, acls: next }) + '\n')
    } catch (error) {
      this.onStoreError(error)
      return false
    }
    this.replace(next)
    return true
  }

  private replace (next: AclBinding[]): void {
    const literal = new Map<string, AclBinding[]>()
    const prefixed = new Map<number, AclBinding[]>()
    for (const b of next) {
      if (b.patternType === PatternType.LITERAL) push(literal, literalKey(b.resourceType, b.resourceName), b)
      else push(prefixed, b.resourceType, b)
    }
    this.bindings = next
    this.literal = literal
    this.prefixed = prefixed
    this.generation++
  }
}

const literalKey = (resourceType: number, name: string): string => `${resourceType}:${name}`

function push<K> (map: Map<K, AclBinding[]>, key: K, b: AclBinding): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [b])
  else list.push(b)
}

function copy (b: AclBinding): AclBinding {
  const { resourceType, resourceName, patternType, principal, host, operation, permissionType } = b
  return { resourceType, resourceName, patternType, principal, host, operation, permissionType }
}
