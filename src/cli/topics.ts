// `sluice topics create|list|describe|delete|alter|add-partitions`.
import type { KafkaClient, TopicMetadata } from '../client/index.js'
import {
  checkTopicName, COMMON_HELP, integer, keyValues, onePositional, parse, printJson, UsageError, withClient, writeOut
} from './command.js'
import { table } from './table.js'

export const TOPICS_HELP = `Usage: sluice topics <command> [options]

Commands:
  create NAME [--partitions N] [--replication-factor N] [--config key=value ...] [--if-not-exists]
      Creates a topic (partitions default to the broker's num.partitions).
  list [--internal]
      One topic name per line (--json: names, ids and partition counts).
  describe [NAME ...] [--all-configs]
      Partitions with leader, replicas, earliest and latest offsets and size on disk, then the topic's
      config overrides (--all-configs: every config with its source). No NAME: every topic.
  delete NAME ... [--if-exists]
  alter NAME [--config key=value ...] [--delete-config key ...]
      Sets or removes (back to the default) topic configs; other configs stay as they are.
  add-partitions NAME --partitions N
      Grows the topic to N partitions in total (Kafka never shrinks a topic).

${COMMON_HELP}`

const TOOL = 'topics'

export async function topics (argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  switch (command) {
    case 'create': return await create(rest)
    case 'list': return await list(rest)
    case 'describe': return await describe(rest)
    case 'delete': return await remove(rest)
    case 'alter': return await alter(rest)
    case 'add-partitions': return await addPartitions(rest)
    case undefined: case '--help': case '-h': case 'help':
      await writeOut(TOPICS_HELP + '\n')
      return
    default: throw new UsageError(`unknown topics command "${command}"`, TOOL)
  }
}

async function create (argv: string[]): Promise<void> {
  const { values, positionals } = parse(TOOL, argv, {
    partitions: { type: 'string', short: 'p' },
    'replication-factor': { type: 'string' },
    config: { type: 'string', multiple: true },
    'if-not-exists': { type: 'boolean' }
  })
  if (values.help === true) return await writeOut(TOPICS_HELP + '\n')
  const name = checkTopicName(onePositional(positionals, 'topic name', TOOL), TOOL)
  const partitions = integer(values.partitions, '--partitions', TOOL, 1)
  const replicationFactor = integer(values['replication-factor'], '--replication-factor', TOOL, 1)
  const configs = keyValues(values.config, '--config', TOOL)
  await withClient(values, async client => {
    if (values['if-not-exists'] === true) {
      const existing = (await client.metadata([name])).get(name)
      if (existing !== undefined && typeof existing !== 'number') {
        await report(values.json, { name, id: existing.id, partitions: existing.partitions.length, created: false }, `Topic "${name}" already exists.`)
        return
      }
    }
    const ids = await client.admin.createTopics([{ name, partitions, replicationFactor, configs }])
    const meta = await client.topic(name, { refresh: true })
    await report(values.json, { name, id: ids.get(name) ?? meta.id, partitions: meta.partitions.length, created: true },
      `Created topic "${name}" with ${meta.partitions.length} partition${meta.partitions.length === 1 ? '' : 's'}.`)
  })
}

async function list (argv: string[]): Promise<void> {
  const { values } = parse(TOOL, argv, { internal: { type: 'boolean' } })
  if (values.help === true) return await writeOut(TOPICS_HELP + '\n')
  await withClient(values, async client => {
    const all = (await client.admin.describeTopics(null)).filter(t => values.internal === true || !t.internal)
    if (values.json === true) {
      await printJson(all.map(t => ({ name: t.name, id: t.id, partitions: t.partitions.length, internal: t.internal })))
      return
    }
    await writeOut(all.map(t => t.name + '\n').join(''))
  })
}

interface PartitionRow { partition: number, leader: number, replicas: number[], isr: number[], earliest: number, latest: number, sizeBytes: number | null }

async function describe (argv: string[]): Promise<void> {
  const { values, positionals } = parse(TOOL, argv, { 'all-configs': { type: 'boolean' } })
  if (values.help === true) return await writeOut(TOPICS_HELP + '\n')
  for (const name of positionals) checkTopicName(name, TOOL)
  await withClient(values, async client => {
    const metas = (await client.admin.describeTopics(positionals.length === 0 ? null : positionals)).filter(t => positionals.length > 0 || !t.internal)
    const sizes = await client.admin.partitionSizes(metas)
    const described = []
    for (const meta of metas) {
      const partitions = await partitionRows(client, meta, sizes?.get(meta.name))
      const configs = (await client.admin.describeConfigs({ type: 'topic', name: meta.name }))
        .filter(c => values['all-configs'] === true || c.source === 'topic')
      described.push({ name: meta.name, id: meta.id, internal: meta.internal, partitions, configs })
    }
    if (values.json === true) {
      await printJson(described)
      return
    }
    const text = described.map(t => {
      const rows = t.partitions.map(p => [p.partition, p.leader, p.replicas.join(','), p.isr.join(','), p.earliest, p.latest, p.sizeBytes === null ? null : humanBytes(p.sizeBytes)])
      const headers = ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'EARLIEST', 'LATEST', ...(sizes === null ? [] : ['SIZE'])]
      const configs = t.configs.length === 0
        ? (values['all-configs'] === true ? '' : 'Configs: none set on the topic (broker defaults apply; --all-configs lists them)\n')
        : 'Configs:\n' + table(['NAME', 'VALUE', 'SOURCE'], t.configs.map(c => [c.name, c.isSensitive ? '(sensitive)' : c.value, c.source]))
      const note = sizes === null ? 'Sizes: not shown, the broker does not serve DescribeLogDirs.\n' : ''
      return `Topic: ${t.name}  id: ${t.id}  partitions: ${t.partitions.length}${t.internal ? '  (internal)' : ''}\n` +
        table(headers, rows.map(r => r.slice(0, headers.length))) + note + configs
    }).join('\n')
    await writeOut(text)
  })
}

async function partitionRows (client: KafkaClient, meta: TopicMetadata, sizes: Map<number, number> | undefined): Promise<PartitionRow[]> {
  const [earliest, latest] = await Promise.all([client.admin.listOffsets(meta.name, 'earliest'), client.admin.listOffsets(meta.name, 'latest')])
  return meta.partitions.map((p, i) => ({
    partition: p.partition,
    leader: p.leader,
    replicas: p.replicas,
    isr: p.isr,
    earliest: earliest[i]?.offset ?? -1,
    latest: latest[i]?.offset ?? -1,
    sizeBytes: sizes === undefined ? null : sizes.get(p.partition) ?? 0
  }))
}

async function remove (argv: string[]): Promise<void> {
  const { values, positionals } = parse(TOOL, argv, { 'if-exists': { type: 'boolean' } })
  if (values.help === true) return await writeOut(TOPICS_HELP + '\n')
  if (positionals.length === 0) throw new UsageError('missing topic name', TOOL)
  for (const name of positionals) checkTopicName(name, TOOL)
  await withClient(values, async client => {
    let names = positionals
    if (values['if-exists'] === true) {
      const known = await client.metadata(positionals)
      names = positionals.filter(n => typeof known.get(n) === 'object')
    }
    if (names.length > 0) await client.admin.deleteTopics(names)
    await report(values.json, { deleted: names }, names.map(n => `Deleted topic "${n}".`).join('\n') || 'Nothing to delete.')
  })
}

async function alter (argv: string[]): Promise<void> {
  const { values, positionals } = parse(TOOL, argv, {
    config: { type: 'string', multiple: true },
    'delete-config': { type: 'string', multiple: true }
  })
  if (values.help === true) return await writeOut(TOPICS_HELP + '\n')
  const name = checkTopicName(onePositional(positionals, 'topic name', TOOL), TOOL)
  const changes: Record<string, string | null> = keyValues(values.config, '--config', TOOL)
  for (const key of values['delete-config'] ?? []) changes[key] = null
  if (Object.keys(changes).length === 0) throw new UsageError('nothing to change: give --config key=value or --delete-config key', TOOL)
  await withClient(values, async client => {
    await client.admin.alterConfigs({ type: 'topic', name }, changes)
    const lines = Object.entries(changes).map(([k, v]) => v === null ? `  ${k} (removed, default applies)` : `  ${k}=${v}`)
    await report(values.json, { name, changes }, `Altered topic "${name}":\n${lines.join('\n')}`)
  })
}

async function addPartitions (argv: string[]): Promise<void> {
  const { values, positionals } = parse(TOOL, argv, { partitions: { type: 'string', short: 'p' } })
  if (values.help === true) return await writeOut(TOPICS_HELP + '\n')
  const name = checkTopicName(onePositional(positionals, 'topic name', TOOL), TOOL)
  const count = integer(values.partitions, '--partitions', TOOL, 1)
  if (count === undefined) throw new UsageError('missing --partitions N (the new total)', TOOL)
  await withClient(values, async client => {
    await client.admin.createPartitions(name, count)
    await report(values.json, { name, partitions: count }, `Topic "${name}" now has ${count} partitions.`)
  })
}

async function report (json: boolean | undefined, value: unknown, text: string): Promise<void> {
  if (json === true) await printJson(value)
  else await writeOut(text + '\n')
}

export function humanBytes (n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = n / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++ }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit] as string}`
}
