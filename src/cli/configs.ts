// `sluice configs describe|alter` for a topic (--topic NAME) or a broker (--broker [ID]; default: the
// controller). Broker settings of a Sluice broker are static (set at start); the broker answers an
// alter with the reason, which is printed as it comes.
import type { ConfigResource, KafkaClient } from '../client/index.js'
import { checkTopicName, COMMON_HELP, keyValues, parse, printJson, UsageError, withClient, writeOut } from './command.js'
import { table } from './table.js'

export const CONFIGS_HELP = `Usage: sluice configs <command> (--topic NAME | --broker [ID]) [options]

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
  broker: { type: 'boolean' }
} as const

async function describe (argv: string[]): Promise<void> {
  const { values, positionals } = parse(TOOL, argv, { ...RESOURCE_OPTIONS, overrides: { type: 'boolean' } })
  if (values.help === true) return await writeOut(CONFIGS_HELP + '\n')
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

/** --topic NAME, or --broker with an optional ID as the positional argument. */
async function resourceOf (client: KafkaClient, values: { topic?: string, broker?: boolean }, positionals: string[]): Promise<ConfigResource> {
  if ((values.topic !== undefined) === (values.broker === true)) throw new UsageError('give either --topic NAME or --broker [ID]', TOOL)
  if (values.topic !== undefined) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] as string}"`, TOOL)
    return { type: 'topic', name: checkTopicName(values.topic, TOOL) }
  }
  if (positionals.length > 1) throw new UsageError(`expected one broker id, got ${positionals.join(' ')}`, TOOL)
  const id = positionals[0] ?? String((await client.admin.describeCluster()).controllerId)
  if (!/^\d+$/.test(id)) throw new UsageError(`--broker: "${id}" is not a broker id`, TOOL)
  return { type: 'broker', name: id }
}
