// `sluice produce TOPIC`: one record per line of stdin or --file. Records are queued without waiting
// for each answer (the producer batches and pipelines them, and reading pauses while too much waits);
// a failed record stops reading, and the command exits 1 once the records already queued are answered.
import { createReadStream, statSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { Producer, type Compression, type ProducerOptions } from '../client/index.js'
import { checkTopicName, COMMON_HELP, integer, keyValues, onePositional, parse, printJson, UsageError, withClient, writeOut } from './command.js'
import { lines, splitKey } from './lines.js'
import { Progress } from './progress.js'

export const PRODUCE_HELP = `Usage: sluice produce TOPIC [options]

Sends one record per line of standard input (or of --file) to TOPIC. Lines keep their bytes as they
are; a trailing "\\r" is dropped. The broker creates an unknown topic only if auto.create.topics.enable.

Options:
  -f, --file PATH            read lines from a file (with a progress bar on a terminal)
  -K, --key-separator SEP    the text before the first SEP is the key (a line without SEP: null key)
  -H, --header key=value     a header on every record (repeatable)
  -p, --partition N          send every record to partition N (default: by key, Java's partitioner)
      --acks all|1|0         what the broker confirms before answering (default all)
  -z, --compression CODEC    none, gzip, snappy, lz4 or zstd (default none)
      --linger-ms N          how long a batch waits for more records (default 5)
      --batch-size BYTES     a partition's batch is sent at this size (default 65536)

${COMMON_HELP}`

const TOOL = 'produce'
const COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

export async function produce (argv: string[]): Promise<void> {
  const { values, positionals } = parse(TOOL, argv, {
    file: { type: 'string', short: 'f' },
    'key-separator': { type: 'string', short: 'K' },
    header: { type: 'string', short: 'H', multiple: true },
    partition: { type: 'string', short: 'p' },
    acks: { type: 'string' },
    compression: { type: 'string', short: 'z' },
    'linger-ms': { type: 'string' },
    'batch-size': { type: 'string' }
  })
  if (values.help === true) return await writeOut(PRODUCE_HELP + '\n')
  const topic = checkTopicName(onePositional(positionals, 'topic', TOOL), TOOL)
  const options = producerOptions(values)
  const partition = integer(values.partition, '--partition', TOOL, 0)
  const headers = Object.entries(keyValues(values.header, '--header', TOOL)).map(([key, value]) => ({ key, value }))
  const separator = values['key-separator'] === undefined ? null : Buffer.from(values['key-separator'])
  if (separator?.length === 0) throw new UsageError('--key-separator must not be empty', TOOL)
  const file = values.file
  const size = file === undefined ? 0 : fileSize(file)
  await withClient(values, async client => {
    const meta = await client.topic(topic, { allowAutoTopicCreation: true })
    if (partition !== undefined && partition >= meta.partitions.length) {
      throw new UsageError(`--partition ${partition}: topic "${topic}" has ${meta.partitions.length} partitions (0-${meta.partitions.length - 1})`, TOOL)
    }
    const input = file === undefined ? process.stdin : createReadStream(file)
    let sent: number
    try {
      sent = await sendLines(new Producer(client, options), input, { topic, partition, headers, separator, progress: new Progress(size) })
    } finally {
      if (file !== undefined) (input as ReturnType<typeof createReadStream>).destroy()
    }
    if (values.json === true) await printJson({ topic, records: sent })
    else if (process.stderr.isTTY) process.stderr.write(`Produced ${sent} record${sent === 1 ? '' : 's'} to "${topic}".\n`)
  })
}

interface LineRecords {
  topic: string
  partition: number | undefined
  headers: Array<{ key: string, value: string }>
  separator: Buffer | null
  progress: Progress
}

/** Sends every line of `input` as a record; resolves with the count once all are answered. */
async function sendLines (producer: Producer, input: NodeJS.ReadableStream, records: LineRecords): Promise<number> {
  const { topic, partition, headers, separator, progress } = records
  let sent = 0
  try {
    for await (const batch of lines(input as Readable, n => progress.addBytes(n))) {
      for (const line of batch) {
        const { key, value } = splitKey(line, separator)
        producer.write({ topic, key, value, headers, partition })
      }
      sent += batch.length
      progress.addRecords(batch.length)
      const wait = producer.backpressure()
      if (wait !== null) await wait
      if (producer.failedWriteCount > 0) break
    }
    await producer.flush()
  } catch (error) {
    const failed = (error as Error & { failedRecords?: number }).failedRecords
    if (failed !== undefined) (error as Error).message = `${failed} of ${sent} records failed; the first: ${(error as Error).message}`
    throw error
  } finally {
    progress.done()
  }
  return sent
}

function fileSize (file: string): number {
  try {
    return statSync(file).size
  } catch (error) {
    throw new UsageError(`--file ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, TOOL)
  }
}

function producerOptions (values: { acks?: string, compression?: string, 'linger-ms'?: string, 'batch-size'?: string }): ProducerOptions {
  const acks = values.acks === undefined || values.acks === 'all' || values.acks === '-1' ? -1 : values.acks === '1' ? 1 : values.acks === '0' ? 0 : null
  if (acks === null) throw new UsageError(`--acks must be all, -1, 1 or 0, got "${String(values.acks)}"`, TOOL)
  const compression = values.compression ?? 'none'
  if (!COMPRESSIONS.includes(compression)) throw new UsageError(`--compression must be one of ${COMPRESSIONS.join(', ')}, got "${compression}"`, TOOL)
  return {
    acks,
    compression: compression as Compression,
    lingerMs: integer(values['linger-ms'], '--linger-ms', TOOL, 0),
    batchSize: integer(values['batch-size'], '--batch-size', TOOL, 1)
  }
}
