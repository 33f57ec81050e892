// Embedding: start a broker inside the current process, for users' own test suites.
//
//   import { startBroker } from 'sluice'
//   const broker = await startBroker()          // free port, temporary data directory
//   ... new Kafka({ brokers: [broker.bootstrap] }) ...
//   await broker.stop()                         // removes the temporary data
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { Broker } from './broker/broker.js'
import { loadConfig } from './config/broker-config.js'
import { brokerStarted } from './startup-hooks.js'

export interface StartBrokerOptions {
  /** Data directory; default a new temporary directory that stop() removes. */
  dataDir?: string
  /** Kafka listener port; default 0 (a free port). */
  port?: number
  /** HTTP/WebSocket gateway port; default 0 (a free port), -1 turns the gateway off. */
  httpPort?: number
  /** Any broker setting by its Kafka name, e.g. { 'num.partitions': '3' }. */
  settings?: Record<string, string>
}

export interface RunningBroker {
  /** host:port for Kafka clients' bootstrap list. */
  bootstrap: string
  host: string
  port: number
  /** http://host:port of the gateway, or null when it is off. */
  httpUrl: string | null
  dataDir: string
  stop: () => Promise<void>
}

export async function startBroker (options: StartBrokerOptions = {}): Promise<RunningBroker> {
  const temporary = options.dataDir === undefined
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sluice-'))
  const config = loadConfig({
    flags: {
      listeners: `PLAINTEXT://127.0.0.1:${options.port ?? 0}`,
      'http.port': String(options.httpPort ?? 0),
      // The threads are the host process's: their scheduling policy stays its own unless asked for.
      'threads.sched.batch': 'false',
      ...options.settings,
      'log.dirs': dataDir
    }
  })
  const broker = await Broker.start(config, pino({ level: process.env.SLUICE_LOG_LEVEL ?? 'warn' }))
  const { host, port } = broker.advertised
  brokerStarted()
  return {
    bootstrap: `${host}:${port}`,
    host,
    port,
    httpUrl: broker.gateway === null ? null : `http://${broker.gateway.host}:${broker.gateway.port}`,
    dataDir,
    async stop () {
      await broker.stop()
      if (temporary) rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

export { Broker } from './broker/broker.js'
export type { BrokerConfig } from './config/broker-config.js'
