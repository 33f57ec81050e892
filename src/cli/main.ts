#!/usr/bin/env node
// The `sluice` command: `sluice start` runs a broker; the other tools talk to one over the Kafka
// protocol with our own client (src/client). Exit codes, for scripts:
//   0 ok · 1 Kafka or runtime error (no broker, unknown topic, a refused request) · 2 usage or config error
import { EXIT, UsageError } from './exit.js'

interface Tool { run: (argv: string[]) => Promise<void>, help: string }

// Each tool's module is imported only when it runs (or for help): `sluice start` never loads the
// client, the tools never load the broker.
const TOOLS: Record<string, { summary: string, load: () => Promise<Tool> }> = {
  start: {
    summary: 'run a broker (data in ./sluice-data, Kafka on localhost:9092)',
    load: async () => { const m = await import('./start.js'); return { run: m.start, help: m.START_HELP } }
  },
  topics: {
    summary: 'create, list, describe, alter, add-partitions, delete topics',
    load: async () => { const m = await import('./topics.js'); return { run: m.topics, help: m.TOPICS_HELP } }
  },
  produce: {
    summary: 'send lines of stdin or a file as records',
    load: async () => { const m = await import('./produce.js'); return { run: m.produce, help: m.PRODUCE_HELP } }
  },
  consume: {
    summary: 'print records (plain, json or a kcat-style template)',
    load: async () => { const m = await import('./consume.js'); return { run: m.consume, help: m.CONSUME_HELP } }
  },
  groups: {
    summary: 'list, describe (with lag), delete consumer groups, reset offsets',
    load: async () => { const m = await import('./groups.js'); return { run: m.groups, help: m.GROUPS_HELP } }
  },
  configs: {
    summary: 'describe and alter topic and broker configs',
    load: async () => { const m = await import('./configs.js'); return { run: m.configs, help: m.CONFIGS_HELP } }
  },
  users: {
    summary: 'list, set, delete SCRAM users (SASL_PLAINTEXT listeners)',
    load: async () => { const m = await import('./users.js'); return { run: m.users, help: m.USERS_HELP } }
  },
  acls: {
    summary: 'list, create, delete ACLs (brokers with authorizer.class.name)',
    load: async () => { const m = await import('./acls.js'); return { run: m.acls, help: m.ACLS_HELP } }
  },
  cluster: {
    summary: 'brokers, controller, cluster id and served API versions',
    load: async () => { const m = await import('./cluster.js'); return { run: m.cluster, help: m.CLUSTER_HELP } }
  }
}

const USAGE = `Usage: sluice <tool> [options]     (sluice <tool> --help for its options)

Tools:
${Object.entries(TOOLS).map(([name, tool]) => `  ${name.padEnd(9)} ${tool.summary}`).join('\n')}

Every tool but start takes --bootstrap HOST:PORT (-b; default $SLUICE_BOOTSTRAP or localhost:9092), and
--sasl-mechanism, --sasl-username, --sasl-password (or --sasl-oauth-token, --sasl-oauth-token-file for
OAUTHBEARER) for a SASL_PLAINTEXT or SASL_SSL listener; --tls, --tls-ca, --tls-cert, --tls-key for an SSL
or SASL_SSL listener.
Exit codes: 0 ok, 1 Kafka or runtime error, 2 usage or config error.`

async function fullHelp (): Promise<string> {
  const tools = await Promise.all(Object.values(TOOLS).map(async tool => await tool.load()))
  return USAGE + '\n\n' + tools.map(tool => tool.help).join('\n\n')
}


async function main (): Promise<void> {
  const [name, ...rest] = process.argv.slice(2)
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' && rest[0] !== undefined ? TOOLS[rest[0]] : undefined
    process.stdout.write((topic !== undefined ? (await topic.load()).help : await fullHelp()) + '\n')
    return
  }
  const tool = TOOLS[name]
  if (tool === undefined) throw new UsageError(`unknown tool "${name}"\n\n${USAGE}`)
  await (await tool.load()).run(rest)
}

/** The message and exit code for anything a tool throws. The error classes are imported here, only
 *  on failure: `sluice start` spends no time on the protocol's modules before its shard threads start. */
async function describeFailure (error: unknown): Promise<{ message: string, code: number }> {
  const [{ ConfigError }, { BrokerUnreachableError, ConnectionError, UnsupportedApiError }, { ErrorCode, KafkaError }] =
    await Promise.all([import('../config/settings.js'), import('../client/errors.js'), import('../protocol/errors.js')])
  // Codes that say the request itself was wrong (a name or value the user gave), not that Kafka failed.
  const usageCodes = new Set<number>([
    ErrorCode.INVALID_TOPIC_EXCEPTION, ErrorCode.INVALID_PARTITIONS, ErrorCode.INVALID_REPLICATION_FACTOR, ErrorCode.INVALID_CONFIG
  ])
  if (error instanceof UsageError) {
    const hint = error.tool !== undefined ? `\n(sluice ${error.tool} --help lists the options)` : ''
    return { message: error.message + hint, code: EXIT.USAGE }
  }
  if (error instanceof ConfigError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
    return { message: error.message, code: EXIT.USAGE }
  }
  if (error instanceof KafkaError) {
    const hint = error.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? ' (sluice topics list shows the topics; sluice topics create makes one)' : ''
    return { message: error.message + hint, code: usageCodes.has(error.code) ? EXIT.USAGE : EXIT.FAILED }
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

main().catch(async (error: unknown) => {
  const { message, code } = await describeFailure(error)
  process.stderr.write(`sluice: ${message}\n`)
  process.exit(code)
})
