// `sluice start`: runs a broker on an embedded default: data in ./sluice-data, the Kafka listener on
// localhost:9092, the HTTP gateway on 127.0.0.1:8080, no other service needed. Its first stdout line,
// `Sluice ready: Kafka on HOST:PORT[, listeners NAME://HOST:PORT,...][, HTTP on HOST:PORT], data in DIR (N ms)`
// (the listeners part when there are several; the first is HOST:PORT), is a contract:
// test/helpers/broker.ts and scripts wait for it.
import { parseArgs } from 'node:util'
import { loadConfig, readPropertiesFile } from '../config/broker-config.js'
import { ConfigError } from '../config/settings.js'
import type { Logger } from 'pino'
import type { Broker } from '../broker/broker.js'
import { openStore } from '../broker/open-store.js'
import { releaseShardThreads } from '../storage/shard-threads.js'
import { brokerStarted } from '../startup-hooks.js'

export const START_HELP = `Usage: sluice start [--data-dir DIR] [--port N] [--http-port N] [--config server.properties] [--set key=value ...]

--http-port N: the HTTP/WebSocket gateway's port (default 8080; 0: any free port; --http-port=-1: no gateway).

Starts a Kafka-compatible broker. Settings use Kafka's names (log.dirs, num.partitions,
log.retention.ms, auto.create.topics.enable, message.max.bytes, ...): from the config file, then
SLUICE_* environment variables (SLUICE_NUM_PARTITIONS=3), then --set flags.`

export async function start (argv: string[]): Promise<void> {
  const started = performance.now()
  const { values } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      'http-port': { type: 'string' },
      config: { type: 'string' },
      set: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' }
    },
    strict: true
  })
  if (values.help === true) {
    await releaseShardThreads()
    console.log(START_HELP)
    return
  }
  const flags: Record<string, string> = {}
  for (const pair of values.set ?? []) {
    const at = pair.indexOf('=')
    if (at <= 0) throw new ConfigError(pair, '', 'expected --set key=value')
    flags[pair.slice(0, at)] = pair.slice(at + 1)
  }
  if (values['data-dir'] !== undefined) flags['log.dirs'] = values['data-dir']
  if (values.port !== undefined) flags.listeners = `PLAINTEXT://localhost:${values.port}`
  if (values['http-port'] !== undefined) flags['http.port'] = values['http-port']
  const ignored: string[] = []
  const config = loadConfig({
    properties: values.config !== undefined ? readPropertiesFile(values.config) : undefined,
    env: process.env,
    flags,
    onIgnored: (key, why) => { ignored.push(`${key} (${why})`) }
  })
  // Signal handlers go in before the broker starts: a SIGTERM that arrives while it starts, or just
  // after the ready line, stops it gracefully (exit 0) instead of killing the process.
  let broker: Broker | null = null
  let log: Logger | null = null
  let stopSignal: string | null = null
  const stop = (): void => {
    log?.info({ signal: stopSignal }, 'shutting down')
    broker?.stop().then(() => process.exit(0), error => { log?.error({ err: error }, 'shutdown failed'); process.exit(1) })
  }
  const onSignal = (signal: string): void => {
    if (stopSignal !== null) return
    stopSignal = signal
    if (broker !== null) stop()
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  // The shard threads boot while this thread imports the logger (pino) and the broker's modules.
  const opening = openStore(config)
  opening.catch(() => {}) // Broker.start awaits it
  const [{ createLogger }, { Broker: BrokerClass }] = await Promise.all([import('./logger.js'), import('../broker/broker.js')])
  log = createLogger()
  if (ignored.length > 0) log.warn({ settings: ignored }, `${ignored.length} Kafka setting(s) have no effect on a single Sluice node and were ignored`)
  broker = await BrokerClass.start(config, log, opening)
  if (stopSignal !== null) { stop(); return }
  const { host, port } = broker.advertised
  const ms = Math.round(performance.now() - started)
  const http = broker.gateway === null ? '' : `, HTTP on ${broker.gateway.host}:${broker.gateway.port}`
  const listeners = broker.listenersBound.length < 2 ? '' : `, listeners ${broker.listenersBound.map(l => `${l.spec.name}://${l.advertised.host}:${l.advertised.port}`).join(',')}`
  process.stdout.write(`Sluice ready: Kafka on ${host}:${port}${listeners}${http}, data in ${broker.dataDir} (${ms} ms)\n`)
  brokerStarted()
}
