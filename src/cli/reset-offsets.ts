// `sluice groups reset-offsets`: computes new committed offsets for a group and commits them as an
// outside party. Like kafka-consumer-groups, it refuses while the group has members: a running
// consumer would overwrite the reset with its next commit (and the coordinator would refuse ours).
// Every new offset is kept within [log start, log end] of its partition.
import type { KafkaClient, PartitionOffset } from '../client/index.js'
import { ErrorCode, KafkaError } from '../protocol/index.js'
import { checkTopicName, integer, parseTime, printJson, UsageError, withClient, writeOut, type Options } from './command.js'
import { table } from './table.js'

const TOOL = 'groups'

export const RESET_OPTIONS = {
  topic: { type: 'string', multiple: true },
  'all-topics': { type: 'boolean' },
  'to-earliest': { type: 'boolean' },
  'to-latest': { type: 'boolean' },
  'to-datetime': { type: 'string' },
  'to-offset': { type: 'string' },
  'shift-by': { type: 'string' },
  'dry-run': { type: 'boolean' }
} as const satisfies Options

interface ResetValues {
  bootstrap?: string
  json?: boolean
  topic?: string[]
  'all-topics'?: boolean
  'to-earliest'?: boolean
  'to-latest'?: boolean
  'to-datetime'?: string
  'to-offset'?: string
  'shift-by'?: string
  'dry-run'?: boolean
}

type Target = { kind: 'earliest' } | { kind: 'latest' } | { kind: 'datetime', timestamp: number } | { kind: 'offset', offset: number } | { kind: 'shift', by: number }

interface Scope { topic: string, partitions: number[] | null }

const INACTIVE_STATES = new Set(['Empty', 'Dead'])

export async function resetOffsets (groupId: string, values: ResetValues): Promise<void> {
  const target = parseTarget(values)
  const scopes = parseScopes(values)
  await withClient(values, async client => {
    const group = await client.groups.describeGroup(groupId)
    if (!INACTIVE_STATES.has(group.state)) {
      throw new KafkaError(ErrorCode.NON_EMPTY_GROUP, `group "${groupId}" is ${group.state} with ${group.members.length} member(s); offsets can only be reset ` +
        'while it has none: stop its consumers first')
    }
    const committed = await client.groups.fetchOffsets(groupId)
    const current = new Map(committed.map(c => [`${c.topic}\0${c.partition}`, c.offset]))
    const wanted = scopes ?? [...new Set(committed.map(c => c.topic))].map(topic => ({
      topic, partitions: committed.filter(c => c.topic === topic).map(c => c.partition)
    }))
    const plan: Array<{ topic: string, partition: number, currentOffset: number | null, newOffset: number }> = []
    for (const scope of wanted) {
      const partitions = scope.partitions ?? (await client.topic(scope.topic)).partitions.map(p => p.partition)
      for (const p of await newOffsets(client, scope.topic, partitions, target, current)) {
        plan.push({ topic: scope.topic, partition: p.partition, currentOffset: current.get(`${scope.topic}\0${p.partition}`) ?? null, newOffset: p.offset })
      }
    }
    if (plan.length === 0) throw new UsageError(`group "${groupId}" has no committed offsets; name the topics with --topic`, TOOL)
    const dryRun = values['dry-run'] === true
    if (!dryRun) await client.groups.commitOffsets(groupId, plan.map(p => ({ topic: p.topic, partition: p.partition, offset: p.newOffset })))
    if (values.json === true) {
      await printJson({ groupId, dryRun, offsets: plan })
      return
    }
    await writeOut(table(['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'NEW-OFFSET'], plan.map(p => [p.topic, p.partition, p.currentOffset, p.newOffset])) +
      (dryRun ? '(dry run: nothing was committed)\n' : ''))
  })
}

function parseTarget (values: ResetValues): Target {
  const given: Target[] = []
  if (values['to-earliest'] === true) given.push({ kind: 'earliest' })
  if (values['to-latest'] === true) given.push({ kind: 'latest' })
  if (values['to-datetime'] !== undefined) given.push({ kind: 'datetime', timestamp: parseTime(values['to-datetime'], '--to-datetime', TOOL) })
  if (values['to-offset'] !== undefined) given.push({ kind: 'offset', offset: integer(values['to-offset'], '--to-offset', TOOL, 0) as number })
  if (values['shift-by'] !== undefined) given.push({ kind: 'shift', by: integer(values['shift-by'], '--shift-by', TOOL) as number })
  if (given.length !== 1) {
    throw new UsageError('give exactly one of --to-earliest, --to-latest, --to-datetime, --to-offset, --shift-by', TOOL)
  }
  return given[0] as Target
}

/** --topic T or T:0,2 (repeatable), or --all-topics (null: every topic with a committed offset). */
function parseScopes (values: ResetValues): Scope[] | null {
  const topics = values.topic ?? []
  if (values['all-topics'] === true) {
    if (topics.length > 0) throw new UsageError('give --topic or --all-topics, not both', TOOL)
    return null
  }
  if (topics.length === 0) throw new UsageError('name what to reset: --topic TOPIC[:PARTITIONS] or --all-topics', TOOL)
  return topics.map(spec => {
    const [topic = '', list] = spec.split(':')
    checkTopicName(topic, TOOL)
    if (list === undefined) return { topic, partitions: null }
    return { topic, partitions: list.split(',').map(p => integer(p, `--topic ${spec}`, TOOL, 0) as number) }
  })
}

async function newOffsets (
  client: KafkaClient, topic: string, partitions: number[], target: Target, current: Map<string, number>
): Promise<PartitionOffset[]> {
  const earliest = await client.admin.listOffsets(topic, 'earliest', partitions)
  const latest = await client.admin.listOffsets(topic, 'latest', partitions)
  const found = target.kind === 'datetime' ? await client.admin.listOffsets(topic, { timestamp: target.timestamp }, partitions) : []
  return partitions.map((partition, i) => {
    const low = earliest[i]?.offset ?? 0
    const high = latest[i]?.offset ?? 0
    let offset: number
    switch (target.kind) {
      case 'earliest': offset = low; break
      case 'latest': offset = high; break
      case 'datetime': offset = (found[i]?.offset ?? -1) < 0 ? high : (found[i] as PartitionOffset).offset; break
      case 'offset': offset = target.offset; break
      case 'shift': offset = (current.get(`${topic}\0${partition}`) ?? low) + target.by; break
    }
    return { partition, offset: Math.min(Math.max(offset, low), high), timestamp: -1 }
  })
}
