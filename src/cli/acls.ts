// `sluice acls`: a broker's ACLs through DescribeAcls, CreateAcls and DeleteAcls, with kafka-acls's
// options. create makes one ACL per principal and operation on the resource; list and delete take the
// same options as a filter (left out: any), and delete prints what it removed.
import { calls } from '../client/index.js'
import { check } from '../client/errors.js'
import { AclOperation, CLUSTER_NAME, PatternType, Permission, ResourceType, type AclBinding, type AclFilter } from '../broker/acl/bindings.js'
import { COMMON_HELP, parse, printJson, UsageError, withClient, writeOut } from './command.js'
import { table } from './table.js'

export const ACLS_HELP = `Usage: sluice acls list [filter options] [options]
       sluice acls create (--allow-principal P | --deny-principal P)... --operation OP... RESOURCE [--host H] [options]
       sluice acls delete [filter options] [options]

Lists, creates or deletes ACLs (a broker with authorizer.class.name; without one, SECURITY_DISABLED).
  RESOURCE: --topic NAME | --group NAME | --transactional-id NAME | --cluster
  --resource-pattern-type literal|prefixed (create; default literal) or any|match (filters; default any)
  --allow-principal P, --deny-principal P   a principal such as User:alice (repeatable)
  --operation OP    All, Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs,
                    AlterConfigs, IdempotentWrite (repeatable)
  --host H          the client host (default *; filters: any)

${COMMON_HELP}`

const OPTIONS = {
  topic: { type: 'string' },
  group: { type: 'string' },
  'transactional-id': { type: 'string' },
  cluster: { type: 'boolean' },
  'resource-pattern-type': { type: 'string' },
  'allow-principal': { type: 'string', multiple: true },
  'deny-principal': { type: 'string', multiple: true },
  operation: { type: 'string', multiple: true },
  host: { type: 'string' }
} as const

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values']

const names = (table: Record<string, number>): Map<number, string> => new Map(Object.entries(table).map(([name, code]) => [code, name]))
const OPERATION_NAMES = names(AclOperation)
const RESOURCE_NAMES = names(ResourceType)
const PATTERN_NAMES = names(PatternType)
const PERMISSION_NAMES = names(Permission)

export async function acls (argv: string[]): Promise<void> {
  const { values, positionals } = parse('acls', argv, OPTIONS)
  if (values.help === true) return await writeOut(ACLS_HELP + '\n')
  const [action, ...rest] = positionals
  if (rest.length > 0) throw new UsageError(`unexpected ${rest.join(' ')}`, 'acls')
  if (action === 'create') return await create(values)
  if (action !== 'list' && action !== 'delete') throw new UsageError(`expected list, create or delete, got ${action === undefined ? 'nothing' : `"${action}"`}`, 'acls')
  const filters = filtersFrom(values)
  await withClient(values, async client => {
    const connection = await client.controller()
    let found: AclBinding[] = []
    if (action === 'list') {
      for (const f of filters) {
        const response = await connection.request(calls.describeAcls, () => ({
          resourceTypeFilter: f.resourceType, resourceNameFilter: f.resourceName, patternTypeFilter: f.patternType,
          principalFilter: f.principal, hostFilter: f.host, operation: f.operation, permissionType: f.permissionType
        }))
        check(response.errorCode, 'DescribeAcls', response.errorMessage)
        found.push(...response.resources.flatMap(r => r.acls.map(a => ({ ...a, resourceType: r.resourceType, resourceName: r.resourceName, patternType: r.patternType }))))
      }
    } else {
      const response = await connection.request(calls.deleteAcls, () => ({
        filters: filters.map(f => ({
          resourceTypeFilter: f.resourceType, resourceNameFilter: f.resourceName, patternTypeFilter: f.patternType,
          principalFilter: f.principal, hostFilter: f.host, operation: f.operation, permissionType: f.permissionType
        }))
      }))
      for (const r of response.filterResults) check(r.errorCode, 'DeleteAcls', r.errorMessage)
      found = response.filterResults.flatMap(r => r.matchingAcls)
    }
    await print(found, values.json === true)
  })
}

async function create (values: Values): Promise<void> {
  const resource = resourceFrom(values, true)
  if (resource === null) throw new UsageError('create needs --topic, --group, --transactional-id or --cluster', 'acls')
  const principals = [
    ...(values['allow-principal'] ?? []).map(principal => ({ principal, permissionType: Permission.ALLOW })),
    ...(values['deny-principal'] ?? []).map(principal => ({ principal, permissionType: Permission.DENY }))
  ]
  const operations = operationsFrom(values)
  if (principals.length === 0 || operations.length === 0) throw new UsageError('create needs --allow-principal or --deny-principal, and --operation', 'acls')
  const bindings: AclBinding[] = principals.flatMap(p => operations.map(operation => ({
    resourceType: resource.resourceType, resourceName: resource.resourceName, patternType: resource.patternType,
    principal: p.principal, host: values.host ?? '*', operation, permissionType: p.permissionType
  })))
  await withClient(values, async client => {
    const connection = await client.controller()
    const response = await connection.request(calls.createAcls, () => ({
      creations: bindings.map(b => ({ ...b, resourcePatternType: b.patternType }))
    }))
    response.results.forEach((r, i) => { check(r.errorCode, `ACL ${describe(bindings[i]!)}`, r.errorMessage) })
    await print(bindings, values.json === true)
  })
}

/** The resource the options name (null: none); `creating` takes literal/prefixed, filters also any/match. */
function resourceFrom (values: Values, creating: boolean): { resourceType: number, resourceName: string, patternType: number } | null {
  const given = [
    values.topic !== undefined ? [ResourceType.TOPIC, values.topic] as const : null,
    values.group !== undefined ? [ResourceType.GROUP, values.group] as const : null,
    values['transactional-id'] !== undefined ? [ResourceType.TRANSACTIONAL_ID, values['transactional-id']] as const : null,
    values.cluster === true ? [ResourceType.CLUSTER, CLUSTER_NAME] as const : null
  ].filter(r => r !== null)
  if (given.length > 1) throw new UsageError('name one resource: --topic, --group, --transactional-id or --cluster', 'acls')
  const pattern = (values['resource-pattern-type'] ?? (creating ? 'literal' : 'any')).toUpperCase()
  const allowed = creating ? ['LITERAL', 'PREFIXED'] : ['ANY', 'MATCH', 'LITERAL', 'PREFIXED']
  if (!allowed.includes(pattern)) throw new UsageError(`--resource-pattern-type: expected ${allowed.join(', ').toLowerCase()}`, 'acls')
  const [resourceType, resourceName] = given[0] ?? [ResourceType.ANY, '']
  return given.length === 0 ? null : { resourceType, resourceName, patternType: PatternType[pattern as keyof typeof PatternType] }
}

function operationsFrom (values: Values): number[] {
  return (values.operation ?? []).map(given => {
    const key = given.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()
    const code = (AclOperation as Record<string, number>)[key]
    if (code === undefined || code === AclOperation.ANY || code === AclOperation.UNKNOWN) throw new UsageError(`--operation: unknown operation ${given}`, 'acls')
    return code
  })
}

/** One filter per principal given (any principal when none), each for every operation given (or any). */
function filtersFrom (values: Values): AclFilter[] {
  const resource = resourceFrom(values, false)
  const pattern = (values['resource-pattern-type'] ?? 'any').toUpperCase() as keyof typeof PatternType
  const principals = [
    ...(values['allow-principal'] ?? []).map(principal => ({ principal, permissionType: Permission.ALLOW as number })),
    ...(values['deny-principal'] ?? []).map(principal => ({ principal, permissionType: Permission.DENY as number }))
  ]
  const operations = values.operation === undefined ? [AclOperation.ANY as number] : operationsFrom(values)
  return (principals.length > 0 ? principals : [{ principal: null, permissionType: Permission.ANY as number }]).flatMap(p => operations.map(operation => ({
    resourceType: resource?.resourceType ?? ResourceType.ANY,
    resourceName: resource?.resourceName ?? null,
    patternType: resource?.patternType ?? PatternType[pattern],
    principal: p.principal,
    host: values.host ?? null,
    operation,
    permissionType: p.permissionType
  })))
}

function describe (b: AclBinding): string {
  return `${PERMISSION_NAMES.get(b.permissionType)} ${b.principal} ${OPERATION_NAMES.get(b.operation)} on ${RESOURCE_NAMES.get(b.resourceType)} ${PATTERN_NAMES.get(b.patternType)} "${b.resourceName}" from ${b.host}`
}

async function print (bindings: AclBinding[], json: boolean): Promise<void> {
  const rows = bindings.map(b => ({
    resourceType: RESOURCE_NAMES.get(b.resourceType) ?? String(b.resourceType),
    resourceName: b.resourceName,
    patternType: PATTERN_NAMES.get(b.patternType) ?? String(b.patternType),
    principal: b.principal,
    host: b.host,
    operation: OPERATION_NAMES.get(b.operation) ?? String(b.operation),
    permission: PERMISSION_NAMES.get(b.permissionType) ?? String(b.permissionType)
  }))
  if (json) return await printJson(rows)
  await writeOut(table(['RESOURCE', 'NAME', 'PATTERN', 'PRINCIPAL', 'HOST', 'OPERATION', 'PERMISSION'],
    rows.map(r => [r.resourceType, r.resourceName, r.patternType, r.principal, r.host, r.operation, r.permission])))
}
