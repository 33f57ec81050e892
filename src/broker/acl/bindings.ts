// ACL bindings and binding filters as Kafka's clients send them (org.apache.kafka.common.acl and
// .resource): the codes of resource types, pattern types, operations and permissions; how a new
// binding is validated (AclControlManager.validateNewAcl, AclApis.handleCreateAcls) and how a filter
// of DescribeAcls / DeleteAcls selects bindings (AclBindingFilter.matches, ResourcePatternFilter).
import { ErrorCode, KafkaError } from '../../protocol/errors.js'

export const ResourceType = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 } as const
export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const
export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
  TWO_PHASE_COMMIT: 15
} as const
export const Permission = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const

/** The one name a CLUSTER resource has. */
export const CLUSTER_NAME = 'kafka-cluster'
/** A LITERAL resource name, principal or host that matches every one. */
export const WILDCARD = '*'
export const WILDCARD_PRINCIPAL = 'User:*'

export interface AclBinding {
  resourceType: number
  resourceName: string
  patternType: number
  principal: string
  host: string
  operation: number
  permissionType: number
}

/** null name, principal or host: any; ANY codes: any. */
export interface AclFilter {
  resourceType: number
  resourceName: string | null
  patternType: number
  principal: string | null
  host: string | null
  operation: number
  permissionType: number
}

const codes = (table: Record<string, number>, code: number): boolean => Object.values(table).includes(code)

/** Throws KafkaError(INVALID_REQUEST) unless `b` may be stored, with Kafka's messages. */
export function validateNewBinding (b: AclBinding): void {
  const invalid = (message: string): KafkaError => new KafkaError(ErrorCode.INVALID_REQUEST, message)
  if (b.resourceType === ResourceType.UNKNOWN || b.resourceType === ResourceType.ANY || !codes(ResourceType, b.resourceType)) throw invalid(`Invalid resourceType ${b.resourceType}`)
  if (b.patternType !== PatternType.LITERAL && b.patternType !== PatternType.PREFIXED) throw invalid(`Invalid patternType ${b.patternType}`)
  if (b.operation === AclOperation.UNKNOWN || b.operation === AclOperation.ANY || !codes(AclOperation, b.operation)) throw invalid(`Invalid operation ${b.operation}`)
  if (b.permissionType !== Permission.DENY && b.permissionType !== Permission.ALLOW) throw invalid(`Invalid permissionType ${b.permissionType}`)
  if (b.resourceType === ResourceType.CLUSTER && b.resourceName !== CLUSTER_NAME) throw invalid(`The only valid name for the CLUSTER resource is ${CLUSTER_NAME}`)
  if (b.resourceName === '') throw invalid('Resource name should not be empty')
  const colon = b.principal.indexOf(':')
  if (colon === -1) throw invalid(`Could not parse principal from \`${b.principal}\` (no colon is present separating the principal type from the principal name)`)
  if (colon === 0 || colon === b.principal.length - 1) throw invalid(`Invalid principal \`${b.principal}\`: expected principalType:principalName`)
}

/** Throws KafkaError(INVALID_REQUEST) for a filter with an UNKNOWN element (matches nothing in Kafka). */
export function validateFilter (f: AclFilter): void {
  if (f.resourceType === ResourceType.UNKNOWN || !codes(ResourceType, f.resourceType) ||
      f.patternType === PatternType.UNKNOWN || !codes(PatternType, f.patternType)) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Unknown patternFilter.')
  }
  if (f.operation === AclOperation.UNKNOWN || !codes(AclOperation, f.operation) ||
      f.permissionType === Permission.UNKNOWN || !codes(Permission, f.permissionType)) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Unknown entryFilter.')
  }
}

/** AclBindingFilter.matches: MATCH selects the bindings that would apply to the named resource. */
export function filterMatches (f: AclFilter, b: AclBinding): boolean {
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== b.resourceType) return false
  if (!patternMatches(f, b)) return false
  if (f.principal !== null && f.principal !== b.principal) return false
  if (f.host !== null && f.host !== b.host) return false
  if (f.operation !== AclOperation.ANY && f.operation !== b.operation) return false
  return f.permissionType === Permission.ANY || f.permissionType === b.permissionType
}

function patternMatches (f: AclFilter, b: AclBinding): boolean {
  if (f.patternType !== PatternType.ANY && f.patternType !== PatternType.MATCH && f.patternType !== b.patternType) return false
  if (f.resourceName === null) return true
  if (f.patternType !== PatternType.MATCH) return f.resourceName === b.resourceName
  if (b.patternType === PatternType.LITERAL) return b.resourceName === f.resourceName || b.resourceName === WILDCARD
  return f.resourceName.startsWith(b.resourceName)
}

/** A binding's identity, for duplicates: Kafka stores each distinct binding once. */
export const bindingKey = (b: AclBinding): string =>
  JSON.stringify([b.resourceType, b.resourceName, b.patternType, b.principal, b.host, b.operation, b.permissionType])
