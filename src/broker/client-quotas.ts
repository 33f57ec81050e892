// Client quotas as Kafka's controller keeps them (ClientQuotaControlManager, ClientQuotasImage): values
// per entity, an entity being a user, a client id, a user and a client id together, or an IP; a null
// name is that type's default entity. Validation and matching follow Kafka 4.x:
//   - user / client-id entities take producer_byte_rate, consumer_byte_rate (whole numbers),
//     request_percentage and controller_mutation_rate; ip entities take connection_creation_rate
//     (a whole number up to INT32_MAX); every value must be > 0;
//   - an ip entity stands alone and names an IP address (Kafka also accepts a host name it can
//     resolve; Sluice does not resolve names);
//   - one alteration per entity in a request: a repeated entity, like a repeated key, is INVALID_REQUEST
//     (the entity's first alteration still applies, as in Kafka, whose answer has one entry per entity);
//   - describe filters: EXACT (0) a name, DEFAULT (1) the default entity, ANY (2) any entity with
//     that type; strict leaves out entities with other types.
// Kept in `<data dir>/quotas.json`, rewritten whole (temp file, fsync, rename) on every change; read
// at start, as the user and client-id quotas are enforced (quota/enforcer.ts, told of every change).
import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { join } from 'node:path'
import { ErrorCode, KafkaError } from '../protocol/errors.js'
import { writeFileDurably } from '../storage/durable-file.js'

export const USER = 'user'
export const CLIENT_ID = 'client-id'
export const IP = 'ip'
const ENTITY_TYPES = [USER, CLIENT_ID, IP]

export const MATCH_EXACT = 0
export const MATCH_DEFAULT = 1
export const MATCH_ANY = 2

type KeyType = 'long' | 'int' | 'double'
const CLIENT_KEYS: Record<string, KeyType> = { producer_byte_rate: 'long', consumer_byte_rate: 'long', request_percentage: 'double', controller_mutation_rate: 'double' }
const IP_KEYS: Record<string, KeyType> = { connection_creation_rate: 'int' }

/** Entity type to name (null: the type's default entity), in ENTITY_TYPES order. */
export type QuotaEntity = ReadonlyArray<readonly [type: string, name: string | null]>

export interface QuotaEntry { entity: QuotaEntity, values: Map<string, number> }

/** One entity's changes: a number sets the key, null removes it. */
export interface QuotaAlteration { entity: QuotaEntity, ops: Array<{ key: string, value: number | null }> }

export interface AlterResult { entity: QuotaEntity, errorCode: number, errorMessage: string | null }

export interface QuotaFilter { components: Array<{ entityType: string, matchType: number, match: string | null }>, strict: boolean }

export class ClientQuotas {
  private entries = new Map<string, QuotaEntry>()
  /** Called after every change that was made. */
  onChange: (() => void) | null = null

  private constructor (private readonly path: string) {}

  static open (dataDir: string): ClientQuotas {
    const quotas = new ClientQuotas(join(dataDir, 'quotas.json'))
    let saved: Array<{ entity: Array<[string, string | null]>, values: Record<string, number> }> = []
    try {
      saved = JSON.parse(readFileSync(quotas.path, 'utf8')).entries
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    for (const { entity, values } of saved) quotas.entries.set(entityKey(entity), { entity, values: new Map(Object.entries(values)) })
    return quotas
  }

  /** Applies every valid alteration (unless validateOnly) and answers one result per distinct entity. */
  alter (alterations: QuotaAlteration[], validateOnly: boolean): AlterResult[] {
    const results = new Map<string, AlterResult>()
    const changes = new Map<string, QuotaEntry>()
    for (const { entity: given, ops } of alterations) {
      const entity = canonical(given)
      const key = entityKey(entity)
      try {
        if (results.has(key)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Ignoring duplicate entity ${describeEntity(entity)}`)
        changes.set(key, { entity, values: this.changed(entity, ops) })
        results.set(key, { entity, errorCode: ErrorCode.NONE, errorMessage: null })
      } catch (error) {
        if (!(error instanceof KafkaError)) throw error
        results.set(key, { entity, errorCode: error.code, errorMessage: error.message })
      }
    }
    if (!validateOnly && changes.size > 0) {
      // On disk first: a failed write (thrown) leaves the quotas in force as they were.
      const next = new Map(this.entries)
      for (const [key, entry] of changes) {
        if (entry.values.size === 0) next.delete(key)
        else next.set(key, entry)
      }
      save(this.path, next)
      this.entries = next
      this.onChange?.()
    }
    return [...results.values()]
  }

  /** Every entry. */
  all (): QuotaEntry[] { return [...this.entries.values()] }

  /** The entries a DescribeClientQuotas filter selects; throws KafkaError for a bad filter. */
  describe ({ components, strict }: QuotaFilter): QuotaEntry[] {
    const exact = new Map<string, string | null>()
    const any = new Set<string>()
    for (const { entityType, matchType, match } of components) {
      if (entityType === '') throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Invalid empty entity type.')
      if (exact.has(entityType) || any.has(entityType)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Entity type ${entityType} cannot appear more than once in the filter.`)
      if (!ENTITY_TYPES.includes(entityType)) throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `Unsupported entity type ${entityType}`)
      if (matchType === MATCH_EXACT) {
        if (match === null) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Request specified MATCH_TYPE_EXACT, but set match string to null.')
        exact.set(entityType, match)
      } else if (matchType === MATCH_DEFAULT || matchType === MATCH_ANY) {
        const name = matchType === MATCH_DEFAULT ? 'MATCH_TYPE_DEFAULT' : 'MATCH_TYPE_SPECIFIED'
        if (match !== null) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Request specified ${name}, but also specified a match string.`)
        if (matchType === MATCH_DEFAULT) exact.set(entityType, null)
        else any.add(entityType)
      } else {
        throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown match type ${matchType}`)
      }
    }
    const has = (type: string): boolean => exact.has(type) || any.has(type)
    if (has(IP) && (has(USER) || has(CLIENT_ID))) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.')
    }
    return [...this.entries.values()].filter(({ entity }) => {
      if (strict && entity.length !== exact.size + any.size) return false
      const names = new Map(entity)
      for (const [type, name] of exact) if (!names.has(type) || names.get(type) !== name) return false
      for (const type of any) if (!names.has(type)) return false
      return true
    })
  }

  /** The entity's values after `ops`, validated as Kafka's controller does. */
  private changed (entity: QuotaEntity, ops: QuotaAlteration['ops']): Map<string, number> {
    const validKeys = keysFor(entity)
    const values = new Map(this.entries.get(entityKey(entity))?.values)
    const seen = new Set<string>()
    for (const { key } of ops) {
      if (seen.has(key)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Duplicate quota key ${key} not updating quota for this entity ${describeEntity(entity)}`)
      seen.add(key)
    }
    for (const { key, value } of ops) {
      if (value === null) {
        values.delete(key)
        continue
      }
      const type = validKeys[key]
      if (type === undefined) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Invalid configuration key ${key}`)
      if (!(value > 0)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Quota ${key} must be greater than 0`)
      if (type === 'int' && value > 2147483647) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Proposed value for ${key} is too large for an INT.`)
      if (type !== 'double' && Math.abs(value % 1) > 1e-6) throw new KafkaError(ErrorCode.INVALID_REQUEST, `${key} cannot be a fractional value.`)
      values.set(key, value)
    }
    return values
  }

}

function save (path: string, quotas: Map<string, QuotaEntry>): void {
  const entries = [...quotas.values()].map(({ entity, values }) => ({ entity, values: Object.fromEntries(values) }))
  writeFileDurably(path, JSON.stringify({ version: 1, entries }, null, 1))
}

/** Validates the entity's types and combination and answers the keys it may carry. */
function keysFor (entity: QuotaEntity): Record<string, KeyType> {
  if (entity.length === 0) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Invalid empty client quota entity')
  for (const [type, name] of entity) {
    if (!ENTITY_TYPES.includes(type)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unhandled client quota entity type: ${type}`)
    if (name === '') throw new KafkaError(ErrorCode.INVALID_REQUEST, `Empty ${type} not supported`)
  }
  const ip = entity.find(([type]) => type === IP)
  if (ip === undefined) return CLIENT_KEYS
  if (entity.length > 1) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Invalid quota entity combination, IP entity should not be combined with User or ClientId')
  if (ip[1] !== null && isIP(ip[1]) === 0) throw new KafkaError(ErrorCode.INVALID_REQUEST, `${ip[1]} is not a valid IP or resolvable host.`)
  return IP_KEYS
}

/** Types in ENTITY_TYPES order (unknown ones after, by name); a type given twice keeps its last name, as Kafka's map does. */
function canonical (entity: QuotaEntity): QuotaEntity {
  const rank = (type: string): number => { const i = ENTITY_TYPES.indexOf(type); return i < 0 ? ENTITY_TYPES.length : i }
  return [...new Map(entity)].sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
}

const entityKey = (entity: QuotaEntity): string => JSON.stringify(canonical(entity))

function describeEntity (entity: QuotaEntity): string {
  return `ClientQuotaEntity(entries={${entity.map(([type, name]) => `${type}=${name ?? 'null'}`).join(', ')}})`
}
