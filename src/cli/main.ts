#!/usr/bin/env node
// The `sluice` command: `sluice start` runs a broker; the other tools talk to one over the Kafka
// protocol with our own client (src/client). Exit codes, for scripts:
//   0 ok · 1 Kafka or runtime error (no broker, unknown topic, a refused request) · 2 usage or config error
import { ConfigError } from '../config/settings.js'
import { BrokerUnreachableError, ConnectionError, UnsupportedApiError } from '../client/index.js'
import { ErrorCode, KafkaError } from '../protocol/index.js'
import { cluster, CLUSTER_HELP } from './cluster.js'
import { EXIT, UsageError } from './command.js'
import { configs, CONFIGS_HELP } from './configs.js'
import { consume, CONSUME_HELP } from './consume.js'
import { groups, GROUPS_HELP } from './groups.js'
import { produce, PRODUCE_HELP } from './produce.js'
import { start, START_HELP } from './start.js'
import { topics, TOPICS_HELP } from './topics.js'

interface Tool { run: (argv: string[]) => Promise<void>, help: string, summary: string }

const TOOLS: Record<string, Tool> = {
  start: { run: start, help: START_HELP, summary: 'run a broker (data in ./sluice-data, Kafka on localhost:9092)' },
  topics: { run: topics, help: TOPICS_HELP, summary: 'create, list, describe, alter, add-partitions, delete topics' },
  produce: { run: produce, help: PRODUCE_HELP, summary: 'send lines of stdin or a file as records' },
  consume: { run: consume, help: CONSUME_HELP, summary: 'print records (plain, json or a kcat-style template)' },
  groups: { run: groups, help: GROUPS_HELP, summary: 'list, describe (with lag), delete consumer groups, reset offsets' },
  configs: { run: configs, help: CONFIGS_HELP, summary: 'describe and alter topic and broker configs' },
  cluster: { run: cluster, help: CLUSTER_HELP, summary: 'brokers, controller, cluster id and served API versions' }
}

const USAGE = `Usage: sluice <tool> [options]     (sluice <tool> --help for its options)

Tools:
${Object.entries(TOOLS).map(([name, tool]) => `  ${name.padEnd(9)} ${tool.summary}`).join('\n')}

Every tool but start takes --bootstrap HOST:PORT (-b; default $SLUICE_BOOTSTRAP or localhost:9092).
Exit codes: 0 ok, 1 Kafka or runtime error, 2 usage or config error.`

const FULL_HELP = USAGE + '\n\n' + Object.values(TOOLS).map(tool => tool.help).join('\n\n')

// Codes that say the request itself was wrong (a name or value the user gave), not that Kafka failed.
const USAGE_CODES = new Set<number>([
  ErrorCode.INVALID_TOPIC_EXCEPTION, ErrorCode.INVALID_PARTITIONS, ErrorCode.INVALID_REPLICATION_FACTOR, ErrorCode.INVALID_CONFIG
])

async function main (): Promise<void> {
  const [name, ...rest] = process.argv.slice(2)
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined
    process.stdout.write((topic !== undefined && TOOLS[topic] !== undefined ? TOOLS[topic].help : FULL_HELP) + '\n')
    return
  }
  const tool = TOOLS[name]
  if (tool === undefined) throw new UsageError(`unknown tool "${name}"\n\n${USAGE}`)
  await tool.run(rest)
}

/** The message and exit code for anything a tool throws. */
function describeFailure (error: unknown): { message: string, code: number } {
  if (error instanceof UsageError) {
    const hint = error.tool !== undefined ? `\n(sluice ${error.tool} --help lists the options)` : ''
    return { message: error.message + hint, code: EXIT.USAGE }
  }
  if (error instanceof ConfigError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
    return { message: error.message, code: EXIT.USAGE }
  }
  if (error instanceof KafkaError) {
    const hint = error.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? ' (sluice topics list shows the topics; sluice topics create makes one)' : ''
    return { message: error.message + hint, code: USAGE_CODES.has(error.code) ? EXIT.USAGE : EXIT.FAILED }
  }
  if (error instanceof BrokerUnreachableError || error instanceof ConnectionError || error instanceof UnsupportedApiError) {
    return { message: error.message, code: EXIT.FAILED }
  }
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'EADDRINUSE') return { message: `the port is already in use (${(error as Error).message}); pick another with --port`, code: EXIT.FAILED }
  return { message: error instanceof Error ? (error.stack ?? error.message) : String(error), code: EXIT.FAILED }
}

// A reader that goes away (`sluice consume t | head -1`) ends the output, not in an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT.OK)
  throw error
})

main().catch((error: unknown) => {
  const { message, code } = describeFailure(error)
  process.stderr.write(`sluice: ${message}\n`)
  process.exit(code)
})
