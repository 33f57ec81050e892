// `sluice groups list|describe|delete|reset-offsets`.
import type { CommittedOffset, GroupDescription, KafkaClient } from '../client/index.js'
import { ErrorCode, KafkaError } from '../protocol/index.js'
import { COMMON_HELP, onePositional, parse, printJson, UsageError, withClient, writeOut } from './command.js'
import { RESET_OPTIONS, resetOffsets } from './reset-offsets.js'
import { table } from './table.js'

export const GROUPS_HELP = `Usage: sluice groups <command> [options]

Commands:
  list
      Every consumer group with its state and protocol type.
  describe GROUP
      State, members, and per partition the committed offset, the log end offset and the lag.
  delete GROUP ...
      Deletes groups and their committed offsets (only groups without members).
  reset-offsets GROUP (--topic TOPIC[:P,P...] ... | --all-topics) TARGET [--dry-run]
      Moves the committed offsets of an inactive group (no members), as kafka-consumer-groups does.
      TARGET is one of:
        --to-earliest          the log start
        --to-latest            the log end
        --to-datetime TIME     the first offset at or after TIME (ISO 8601, or ms since the epoch)
        --to-offset N          offset N (kept within the log)
        --shift-by N           the committed offset plus N (negative: back; kept within the log)
      --dry-run prints the new offsets without committing them.

${COMMON_HELP}`

const TOOL = 'groups'

export async function groups (argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  switch (command) {
    case 'list': return await list(rest)
    case 'describe': return await describe(rest)
    case 'delete': return await remove(rest)
    case 'reset-offsets': return await reset(rest)
    case undefined: case '--help': case '-h': case 'help':
      await writeOut(GROUPS_HELP + '\n')
      return
    default: throw new UsageError(`unknown groups command "${command}"`, TOOL)
  }
}

async function list (argv: string[]): Promise<void> {
  const { values } = parse(TOOL, argv, {})
  if (values.help === true) return await writeOut(GROUPS_HELP + '\n')
  await withClient(values, async client => {
    const all = await client.groups.listGroups()
    if (values.json === true) await printJson(all)
    else await writeOut(table(['GROUP', 'STATE', 'PROTOCOL-TYPE'], all.map(g => [g.groupId, g.state, g.protocolType])))
  })
}

export interface OffsetRow {
  topic: string
  partition: number
  currentOffset: number | null
  logEndOffset: number | null
  lag: number | null
  memberId: string | null
  clientId: string | null
  host: string | null
}

async function describe (argv: string[]): Promise<void> {
  const { values, positionals } = parse(TOOL, argv, {})
  if (values.help === true) return await writeOut(GROUPS_HELP + '\n')
  const groupId = onePositional(positionals, 'group', TOOL)
  await withClient(values, async client => {
    const group = await client.groups.describeGroup(groupId)
    const committed = await client.groups.fetchOffsets(groupId)
    if (group.state === 'Dead' && committed.length === 0) {
      throw new KafkaError(ErrorCode.GROUP_ID_NOT_FOUND, `group "${groupId}" does not exist (sluice groups list shows the groups)`)
    }
    const rows = await offsetRows(client, group, committed)
    if (values.json === true) {
      await printJson({ ...group, offsets: rows })
      return
    }
    const header = `Group: ${group.groupId}  state: ${group.state}  protocol: ${group.protocol === '' ? '-' : group.protocol}  members: ${group.members.length}\n`
    await writeOut(header + table(
      ['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
      rows.map(r => [r.topic, r.partition, r.currentOffset, r.logEndOffset, r.lag, r.memberId, r.host, r.clientId])
    ))
  })
}

/** One row per partition that has a committed offset or an owner, with lag = log end - committed. */
async function offsetRows (client: KafkaClient, group: GroupDescription, committed: CommittedOffset[]): Promise<OffsetRow[]> {
  const rows = new Map<string, OffsetRow>()
  const row = (topic: string, partition: number): OffsetRow => {
    const id = `${topic}\0${partition}`
    let found = rows.get(id)
    if (found === undefined) {
      found = { topic, partition, currentOffset: null, logEndOffset: null, lag: null, memberId: null, clientId: null, host: null }
      rows.set(id, found)
    }
    return found
  }
  for (const c of committed) row(c.topic, c.partition).currentOffset = c.offset
  for (const m of group.members) {
    for (const a of m.assignment) {
      for (const p of a.partitions) Object.assign(row(a.topic, p), { memberId: m.memberId, clientId: m.clientId, host: m.clientHost })
    }
  }
  const topics = [...new Set([...rows.values()].map(r => r.topic))]
  for (const topic of topics) {
    const partitions = [...rows.values()].filter(r => r.topic === topic).map(r => r.partition)
    const ends = await client.admin.listOffsets(topic, 'latest', partitions).catch((error: unknown) => {
      if (error instanceof KafkaError) return [] // a deleted topic: its rows show no end and no lag
      throw error
    })
    for (const end of ends) {
      const r = row(topic, end.partition)
      r.logEndOffset = end.offset
      r.lag = r.currentOffset === null ? null : Math.max(0, end.offset - r.currentOffset)
    }
  }
  return [...rows.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
}

async function remove (argv: string[]): Promise<void> {
  const { values, positionals } = parse(TOOL, argv, {})
  if (values.help === true) return await writeOut(GROUPS_HELP + '\n')
  if (positionals.length === 0) throw new UsageError('missing group', TOOL)
  await withClient(values, async client => {
    await client.groups.deleteGroups(positionals)
    if (values.json === true) await printJson({ deleted: positionals })
    else await writeOut(positionals.map(g => `Deleted group "${g}".\n`).join(''))
  })
}

async function reset (argv: string[]): Promise<void> {
  const { values, positionals } = parse(TOOL, argv, RESET_OPTIONS)
  if (values.help === true) return await writeOut(GROUPS_HELP + '\n')
  const groupId = onePositional(positionals, 'group', TOOL)
  await resetOffsets(groupId, values)
}
