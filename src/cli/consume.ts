// `sluice consume TOPIC`: prints records as they arrive, from assigned partitions (no group) or as a
// member of a consumer group (--group), which commits the offset after each record it printed. Stops
// at --max-messages, at the end of the log (--end), after --timeout-ms without records, or on Ctrl-C.
import { Consumer, GroupConsumer, type ConsumedRecord, type KafkaClient, type StartOffset } from '../client/index.js'
import { checkTopicName, COMMON_HELP, integer, onePositional, parse, parseTime, UsageError, withClient, writeOut } from './command.js'
import { recordFormatter, type RecordFormatter } from './record-format.js'

export const CONSUME_HELP = `Usage: sluice consume TOPIC [options]

Prints the records of TOPIC. Without --group it reads every partition (or --partition) from the end,
--from-beginning or --offset; with --group it joins that consumer group (range assignor), starts at the
group's committed offsets and commits what it printed.

Options:
      --from-beginning       start at the earliest offset (with --group: when nothing is committed)
  -o, --offset OFFSET        N (absolute), -N (N before the end), earliest, latest, or @TIME (the first
                             record at or after TIME: ISO 8601 or ms since the epoch); applies to
                             every partition read
  -p, --partition N          read only partition N (repeatable)
  -g, --group GROUP          consume as a member of GROUP
  -n, --max-messages N       exit after N records
  -e, --end                  exit once every partition is read to its end
      --timeout-ms N         exit after N ms without a record
  -f, --format FORMAT        plain (the value), json (one object per line with topic, partition, offset,
                             timestamp, key, value, headers) or a template of kcat -f tokens:
                             %t topic %p partition %o offset %T timestamp %k key %K key length
                             %s value %S value length %h headers (k=v,...) %% and \\n \\t \\r \\\\
                             (default plain)

${COMMON_HELP}`

const TOOL = 'consume'

interface Source {
  poll: () => Promise<ConsumedRecord[]>
  atEnd: () => boolean
  commit: (offsets: Array<{ topic: string, partition: number, offset: number }>) => Promise<unknown>
  close: () => Promise<void>
}

export async function consume (argv: string[]): Promise<void> {
  const { values, positionals } = parse(TOOL, argv, {
    'from-beginning': { type: 'boolean' },
    offset: { type: 'string', short: 'o' },
    partition: { type: 'string', short: 'p', multiple: true },
    group: { type: 'string', short: 'g' },
    'max-messages': { type: 'string', short: 'n' },
    end: { type: 'boolean', short: 'e' },
    'timeout-ms': { type: 'string' },
    format: { type: 'string', short: 'f' }
  })
  if (values.help === true) return await writeOut(CONSUME_HELP + '\n')
  const topic = checkTopicName(onePositional(positionals, 'topic', TOOL), TOOL)
  let format: RecordFormatter
  try {
    format = recordFormatter(values.format ?? 'plain')
  } catch (error) {
    throw new UsageError((error as Error).message, TOOL)
  }
  const partitions = (values.partition ?? []).map(p => integer(p, '--partition', TOOL, 0) as number)
  const start = startOffset(values.offset, values['from-beginning'] === true)
  if (values.group !== undefined && (values.offset !== undefined || partitions.length > 0)) {
    throw new UsageError('--group assigns partitions and starts at committed offsets; it cannot be combined with --offset or --partition', TOOL)
  }
  const limits = {
    maxMessages: integer(values['max-messages'], '--max-messages', TOOL, 1),
    timeoutMs: integer(values['timeout-ms'], '--timeout-ms', TOOL, 0),
    end: values.end === true
  }
  await withClient(values, async client => {
    const meta = await client.topic(topic)
    for (const p of partitions) {
      if (p >= meta.partitions.length) throw new UsageError(`--partition ${p}: topic "${topic}" has ${meta.partitions.length} partitions`, TOOL)
    }
    const source = values.group !== undefined
      ? groupSource(client, topic, values.group, values['from-beginning'] === true)
      : await assignedSource(client, topic, partitions.length > 0 ? partitions : meta.partitions.map(p => p.partition), start)
    try {
      await printLoop(source, format, limits)
    } finally {
      await source.close()
    }
  })
}

function startOffset (offset: string | undefined, fromBeginning: boolean): StartOffset {
  if (offset === undefined) return fromBeginning ? 'earliest' : 'latest'
  if (fromBeginning) throw new UsageError('give --from-beginning or --offset, not both', TOOL)
  if (offset === 'earliest' || offset === 'beginning') return 'earliest'
  if (offset === 'latest' || offset === 'end') return 'latest'
  if (offset.startsWith('@')) return { timestamp: parseTime(offset.slice(1), '--offset', TOOL) }
  const n = integer(offset, '--offset', TOOL) as number
  return n < 0 ? { fromEnd: -n } : n
}

async function assignedSource (client: KafkaClient, topic: string, partitions: number[], offset: StartOffset): Promise<Source> {
  const consumer = new Consumer(client, { autoOffsetReset: 'earliest' })
  await consumer.assign(partitions.map(partition => ({ topic, partition, offset })))
  return { poll: async () => await consumer.poll(), atEnd: () => consumer.atEnd(), commit: async () => {}, close: async () => {} }
}

function groupSource (client: KafkaClient, topic: string, groupId: string, fromBeginning: boolean): Source {
  const consumer = new GroupConsumer(client, { groupId, topics: [topic], autoOffsetReset: fromBeginning ? 'earliest' : 'latest' })
  return {
    poll: async () => await consumer.poll(),
    atEnd: () => consumer.atEnd(),
    commit: async offsets => await consumer.commit(offsets),
    close: async () => await consumer.close()
  }
}

async function printLoop (source: Source, format: RecordFormatter, limits: { maxMessages?: number, timeoutMs?: number, end: boolean }): Promise<void> {
  let stopping = false
  const stop = (): void => {
    if (stopping) process.exit(130)
    stopping = true
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  let printed = 0
  let lastRecordAt = performance.now()
  try {
    while (!stopping && !(limits.end && source.atEnd())) {
      const records = await source.poll()
      const out: Array<string | Buffer> = []
      const next = new Map<string, { topic: string, partition: number, offset: number }>()
      for (const record of records) {
        if (limits.maxMessages !== undefined && printed >= limits.maxMessages) break
        format(record, out)
        printed++
        next.set(`${record.topic}\0${record.partition}`, { topic: record.topic, partition: record.partition, offset: record.offset + 1 })
      }
      if (out.length > 0) await writeOut(Buffer.concat(out.map(piece => typeof piece === 'string' ? Buffer.from(piece) : piece)))
      if (next.size > 0) await source.commit([...next.values()])
      if (records.length > 0) lastRecordAt = performance.now()
      if (limits.maxMessages !== undefined && printed >= limits.maxMessages) break
      if (limits.end && source.atEnd()) break
      if (limits.timeoutMs !== undefined && performance.now() - lastRecordAt >= limits.timeoutMs) break
    }
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
}
