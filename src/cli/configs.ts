// `sluice configs describe|alter` for a topic (--topic NAME) or a broker (--broker [ID]; default: the
// controller) or the cluster-wide broker defaults (--broker-default, kafka-configs' --entity-default),
// or the client quotas of a user, a client id, both, or an IP (kafka-configs' --entity-type
// users|clients|ips). A broker alter sets dynamic broker configs; one the broker refuses (a setting
// read only at start) is answered with the reason, which is printed as it comes.
import type { ConfigResource, KafkaClient, QuotaEntity } from '../client/index.js'
import { checkTopicName, COMMON_HELP, keyValues, parse, printJson, UsageError, withClient, writeOut } from './command.js'
import { table } from './table.js'

export const CONFIGS_HELP = `Usage: sluice configs <command> (--topic NAME | --broker [ID] | QUOTA ENTITY) [options]

Commands:
  describe [--overrides]
      Every config with its value and source (topic, static-broker, default, ...); --overrides shows
      only the ones set on the resource itself.
  alter [--set key=value ...] [--delete key ...] [--dry-run]
      Sets or removes (back to the default) configs; the others stay as they are. --dry-run asks the
      broker to validate the change without applying it.

Resource:
      --topic NAME       a topic's configs
      --broker [ID]      a broker's settings (ID defaults to the controller)
      --broker-default   the dynamic broker configs every broker defaults to

Quota entity (client quotas: producer_byte_rate, consumer_byte_rate, request_percentage,
controller_mutation_rate; connection_creation_rate for an IP):
      --user NAME | --user-default             a user, or the default for users
      --client-id NAME | --client-id-default   a client id, or the default for client ids
      --ip ADDRESS | --ip-default              an IP address, or the default for IPs
      --quotas           (describe) every quota of every entity

${COMMON_HELP}`

const TOOL = 'configs'

export async function configs (argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  switch (command) {
    case 'describe': return await describe(rest)
    case 'alter': return await alter(rest)
    case undefined: case '--help': case '-h': case 'help':
      await writeOut(CONFIGS_HELP + '\n')
      return
    default: throw new UsageError(`unknown configs command "${command}"`, TOOL)
  }
}

const RESOURCE_OPTIONS = {
  topic: { type: 'string', short: 't' },
  broker: { type: 'boolean' },
  'broker-default': { type: 'boolean' },
  user: { type: 'string' },
  'user-default': { type: 'boolean' },
  'client-id': { type: 'string' },
  'client-id-default': { type: 'boolean' },
  ip: { type: 'string' },
  'ip-default': { type: 'boolean' }
} as const
const QUOTA_TYPES = ['user', 'client-id', 'ip'] as const
type ResourceValues = { topic?: string, broker?: boolean, 'broker-default'?: boolean } & Partial<Record<typeof QUOTA_TYPES[number], string> & Record<`${typeof QUOTA_TYPES[number]}-default`, boolean>>

async function describe (argv: string[]): Promise<void> {
  const { values, positionals } = parse(TOOL, argv, { ...RESOURCE_OPTIONS, overrides: { type: 'boolean' }, quotas: { type: 'boolean' } })
  if (values.help === true) return await writeOut(CONFIGS_HELP + '\n')
  const entity = quotaEntityOf(values, positionals)
  if (entity !== null || values.quotas === true) return await describeQuotas(values.quotas === true ? null : entity, values)
  await withClient(values, async client => {
    const resource = await resourceOf(client, values, positionals)
    const entries = (await client.admin.describeConfigs(resource))
      .filter(c => values.overrides !== true || c.source === 'topic' || c.source.startsWith('dynamic'))
    if (values.json === true) {
      await printJson({ resource, configs: entries })
      return
    }
    await writeOut(`${resource.type === 'topic' ? 'Topic' : 'Broker'}: ${resource.name}\n` +
      table(['NAME', 'VALUE', 'SOURCE', 'READ-ONLY'], entries.map(c => [c.name, c.isSensitive ? '(sensitive)' : c.value, c.source, c.readOnly ? 'yes' : 'no'])))
  })
}

async function alter (argv: string[]): Promise<void> {
  const { values, positionals } = parse(TOOL, argv, {
    ...RESOURCE_OPTIONS,
    set: { type: 'string', multiple: true },
    delete: { type: 'string', multiple: true },
    'dry-run': { type: 'boolean' }
  })
  if (values.help === true) return await writeOut(CONFIGS_HELP + '\n')
  const changes: Record<string, string | null> = keyValues(values.set, '--set', TOOL)
  for (const key of values.delete ?? []) changes[key] = null
  if (Object.keys(changes).length === 0) throw new UsageError('nothing to change: give --set key=value or --delete key', TOOL)
  const entity = quotaEntityOf(values, positionals)
  if (entity !== null) return await alterQuotas(entity, changes, values)
  await withClient(values, async client => {
    const resource = await resourceOf(client, values, positionals)
    const dryRun = values['dry-run'] === true
    await client.admin.alterConfigs(resource, changes, { validateOnly: dryRun })
    if (values.json === true) {
      await printJson({ resource, changes, dryRun })
      return
    }
    const lines = Object.entries(changes).map(([k, v]) => v === null ? `  ${k} (removed, default applies)` : `  ${k}=${v}`)
    await writeOut(`${dryRun ? 'Valid, not applied (dry run)' : 'Altered'} ${resource.type} "${resource.name}":\n${lines.join('\n')}\n`)
  })
}

async function describeQuotas (entity: QuotaEntity | null, values: { json?: boolean, bootstrap?: string }): Promise<void> {
  await withClient(values, async client => {
    const entries = await client.admin.describeClientQuotas(entity)
    if (values.json === true) return await printJson({ quotas: entries })
    const rows = entries.flatMap(e => Object.entries(e.values).sort().map(([key, value]) => [entityText(e.entity), key, String(value)]))
    await writeOut(rows.length === 0 ? 'No client quotas.\n' : table(['ENTITY', 'QUOTA', 'VALUE'], rows))
  })
}

async function alterQuotas (entity: QuotaEntity, raw: Record<string, string | null>, values: { json?: boolean, bootstrap?: string, 'dry-run'?: boolean }): Promise<void> {
  const changes: Record<string, number | null> = {}
  for (const [key, text] of Object.entries(raw)) {
    const value = text === null ? null : Number(text)
    if (value !== null && (text?.trim() === '' || !Number.isFinite(value))) throw new UsageError(`--set ${key}: "${text ?? ''}" is not a number`, TOOL)
    changes[key] = value
  }
  const dryRun = values['dry-run'] === true
  await withClient(values, async client => {
    await client.admin.alterClientQuotas(entity, changes, { validateOnly: dryRun })
    if (values.json === true) return await printJson({ entity, changes, dryRun })
    const lines = Object.entries(changes).map(([k, v]) => v === null ? `  ${k} (removed)` : `  ${k}=${v}`)
    await writeOut(`${dryRun ? 'Valid, not applied (dry run)' : 'Altered'} quotas of ${entityText(entity)}:\n${lines.join('\n')}\n`)
  })
}

/** The quota entity the options name (null: none); a type takes a name or its -default flag, not both. */
function quotaEntityOf (values: ResourceValues, positionals: string[]): QuotaEntity | null {
  const entity: QuotaEntity = {}
  for (const type of QUOTA_TYPES) {
    const name = values[type]
    const byDefault = values[`${type}-default`] === true
    if (name !== undefined && byDefault) throw new UsageError(`give --${type} NAME or --${type}-default, not both`, TOOL)
    if (name !== undefined || byDefault) entity[type] = name ?? null
  }
  if (Object.keys(entity).length === 0) return null
  if (values.topic !== undefined || values.broker === true || values['broker-default'] === true) throw new UsageError('a quota entity is not a topic or broker: give one or the other', TOOL)
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] as string}"`, TOOL)
  return entity
}

/** As kafka-configs shows it: user=alice, client-id=<default>. */
function entityText (entity: QuotaEntity): string {
  return Object.entries(entity).map(([type, name]) => `${type}=${name ?? '<default>'}`).join(', ')
}

/** --topic NAME, or --broker with an optional ID as the positional argument. */
async function resourceOf (client: KafkaClient, values: { topic?: string, broker?: boolean, 'broker-default'?: boolean }, positionals: string[]): Promise<ConfigResource> {
  const named = [values.topic !== undefined, values.broker === true, values['broker-default'] === true].filter(Boolean).length
  if (named !== 1) throw new UsageError('give either --topic NAME, --broker [ID] or --broker-default (or a quota entity: --user, --client-id, --ip)', TOOL)
  if (values.topic !== undefined) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] as string}"`, TOOL)
    return { type: 'topic', name: checkTopicName(values.topic, TOOL) }
  }
  if (values['broker-default'] === true) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] as string}"`, TOOL)
    return { type: 'broker', name: '' }
  }
  if (positionals.length > 1) throw new UsageError(`expected one broker id, got ${positionals.join(' ')}`, TOOL)
  const id = positionals[0] ?? String((await client.admin.describeCluster()).controllerId)
  if (!/^\d+$/.test(id)) throw new UsageError(`--broker: "${id}" is not a broker id`, TOOL)
  return { type: 'broker', name: id }
}
