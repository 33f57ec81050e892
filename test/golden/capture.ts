// Captures the request frames real clients send, as golden files for the protocol tests:
//   test/golden/<api-name>/v<N>-<client>.bin   one request, without its 4-byte size prefix
// (<api-name> is the kebab-case file name of the API module in src/protocol/apis).
//
//   npx tsx test/golden/capture.ts [--broker] [--clients kcat,kafka-python,confluent-kafka,kafkajs,platformatic]
//
// By default the capture server answers ApiVersions itself (every registered API at its advertised
// range, encoded by src/protocol) and nothing else, so each client goes on to send its Metadata
// request and then waits: that yields ApiVersions + Metadata from every client without a broker.
// With --broker (build first: npx tsc) a real broker runs behind the capture server, which forwards
// every byte both ways; the broker advertises the capture server's address, so every connection of
// the client passes through it, and each client runs a session of admin, produce, fetch and offset
// calls (client-scenarios.ts).
// An existing golden file is never overwritten: captures are evidence, replace them deliberately.
import { spawn, type ChildProcess } from 'node:child_process'
import { EventEmitter, once } from 'node:events'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { advertisedVersions, apiByKey, encodeApiVersionsFallback, encodeApiVersionsResponse, registeredApis } from '../../src/protocol/index.js'
import { startBroker } from '../helpers/broker.js'
import { pythonCommand } from '../helpers/clients.js'
import { FrameSplitter, peekRequestHeader, type RequestHeader } from '../helpers/wire.js'
import { prepareTopics, sessions, SETUP_CLIENT_ID, type ClientName } from './client-scenarios.js'

const GOLDEN_DIR = fileURLToPath(new URL('.', import.meta.url))
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const API_VERSIONS_KEY = 18
const METADATA_KEY = 3
const CLIENT_TIMEOUT_MS = 15_000

export interface CapturedRequest extends RequestHeader {
  /** The request without its size prefix: header and body exactly as the client sent them. */
  frame: Buffer
}

export interface CaptureServer {
  port: number
  requests: CapturedRequest[]
  /** Resolves true once `done(requests)` holds, false after timeoutMs. */
  waitFor (done: (requests: CapturedRequest[]) => boolean, timeoutMs: number): Promise<boolean>
  close (): Promise<void>
}

export type CaptureMode = { kind: 'answer-api-versions' } | { kind: 'proxy', host: string, port: number }

export async function startCaptureServer (mode: CaptureMode): Promise<CaptureServer> {
  const requests: CapturedRequest[] = []
  const events = new EventEmitter()
  const sockets = new Set<Socket>()
  const server: Server = createServer(client => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.on('error', () => client.destroy()) // a client killed mid-request resets; nothing to report
    const upstream = mode.kind === 'proxy' ? netConnect({ host: mode.host, port: mode.port }) : undefined
    if (upstream !== undefined) {
      sockets.add(upstream)
      upstream.on('close', () => { sockets.delete(upstream); client.destroy() })
      upstream.on('error', () => client.destroy())
      client.on('close', () => upstream.destroy())
      upstream.pipe(client)
    }
    const splitter = new FrameSplitter()
    client.on('data', (chunk: Buffer) => {
      upstream?.write(chunk)
      for (const frame of splitter.push(chunk)) {
        const request = { ...peekRequestHeader(frame), frame: Buffer.from(frame) }
        requests.push(request)
        if (upstream === undefined && request.apiKey === API_VERSIONS_KEY) answerApiVersions(client, request)
        events.emit('request')
      }
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('capture server has no TCP address')

  return {
    port: address.port,
    requests,
    async waitFor (done, timeoutMs) {
      if (done(requests)) return true
      return await new Promise<boolean>(resolve => {
        const timer = setTimeout(() => { events.off('request', check); resolve(false) }, timeoutMs)
        function check (): void {
          if (!done(requests)) return
          clearTimeout(timer)
          events.off('request', check)
          resolve(true)
        }
        events.on('request', check)
      })
    },
    async close () {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

function answerApiVersions (client: Socket, request: CapturedRequest): void {
  const apiVersions = apiByKey(API_VERSIONS_KEY)
  if (apiVersions === undefined) throw new Error('ApiVersions is not registered in src/protocol')
  if (request.apiVersion > apiVersions.maxVersion) {
    for (const chunk of encodeApiVersionsFallback(request.correlationId)) client.write(chunk)
    return
  }
  const apiKeys = advertisedVersions(new Set(registeredApis().map(api => api.key)))
  const response = encodeApiVersionsResponse({ errorCode: 0, apiKeys, throttleTimeMs: 0 }, request.apiVersion, request.correlationId)
  for (const chunk of response) client.write(chunk)
}

/** `ApiVersions` -> `api-versions`, the module file name in src/protocol/apis. */
export function apiFolder (apiKey: number): string {
  const name = apiByKey(apiKey)?.name
  return name === undefined ? `key-${apiKey}` : name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()
}

// Each launcher bootstraps one client against `address` doing the least that makes it send Metadata.
const launchers: Record<ClientName, (address: string) => ChildProcess> = {
  kcat: address => spawn('kcat', ['-L', '-b', address, '-m', '10'], { stdio: 'ignore' }),
  'kafka-python': address => spawn(pythonCommand('kafka'), ['-c',
    'import sys; from kafka import KafkaAdminClient; KafkaAdminClient(bootstrap_servers=sys.argv[1], api_version_auto_timeout_ms=10000).list_topics()',
    address], { stdio: 'ignore' }),
  'confluent-kafka': address => spawn(pythonCommand('confluent_kafka'), ['-c',
    'import sys; from confluent_kafka.admin import AdminClient; AdminClient({"bootstrap.servers": sys.argv[1]}).list_topics(timeout=10)',
    address], { stdio: 'ignore' }),
  kafkajs: address => spawn(process.execPath, ['--input-type=module', '-e',
    `import { Kafka, logLevel } from 'kafkajs'
     const admin = new Kafka({ brokers: [${JSON.stringify(address)}], clientId: 'sluice-capture', logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin()
     await admin.connect(); await admin.fetchTopicMetadata()`], { stdio: 'ignore', cwd: REPO_ROOT }),
  platformatic: address => spawn(process.execPath, ['--input-type=module', '-e',
    `import { Admin } from '@platformatic/kafka'
     await new Admin({ clientId: 'sluice-capture', bootstrapBrokers: [${JSON.stringify(address)}], retries: 0 }).listTopics()`], { stdio: 'ignore', cwd: REPO_ROOT })
}

const sawBootstrap = (requests: CapturedRequest[]): boolean =>
  requests.some(r => r.apiKey === API_VERSIONS_KEY) && requests.some(r => r.apiKey === METADATA_KEY)

async function captureClient (client: ClientName, mode: CaptureMode): Promise<string[]> {
  const server = await startCaptureServer(mode)
  const child = launchers[client](`127.0.0.1:${server.port}`)
  const exited = once(child, 'exit')
  const complete = await server.waitFor(sawBootstrap, CLIENT_TIMEOUT_MS)
  child.kill('SIGKILL')
  await exited
  await server.close()
  if (!complete) console.warn(`${client}: no ApiVersions + Metadata within ${CLIENT_TIMEOUT_MS} ms; writing what arrived`)
  return writeGoldenFiles(client, server.requests)
}

function writeGoldenFiles (client: ClientName, requests: CapturedRequest[]): string[] {
  const written: string[] = []
  for (const request of requests) {
    const dir = join(GOLDEN_DIR, apiFolder(request.apiKey))
    const file = join(dir, `v${request.apiVersion}-${client}.bin`)
    if (existsSync(file)) continue
    mkdirSync(dir, { recursive: true })
    writeFileSync(file, request.frame)
    written.push(file)
  }
  return written
}

/** Runs every client's session through one capture server in front of one real broker. */
async function captureWithBroker (clients: ClientName[]): Promise<Map<ClientName, string[]>> {
  const brokerPort = await freePort()
  const server = await startCaptureServer({ kind: 'proxy', host: '127.0.0.1', port: brokerPort })
  const broker = await startBroker({
    port: brokerPort,
    settings: { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${server.port}`, 'auto.create.topics.enable': false }
  })
  const written = new Map<ClientName, string[]>()
  try {
    const bootstrap = `127.0.0.1:${server.port}`
    await prepareTopics(bootstrap)
    for (const client of clients) {
      const from = server.requests.length
      await sessions[client](bootstrap)
      const own = server.requests.slice(from).filter(r => r.clientId !== SETUP_CLIENT_ID)
      written.set(client, writeGoldenFiles(client, own))
    }
  } finally {
    await broker.stop()
    await server.close()
  }
  return written
}

async function freePort (): Promise<number> {
  const probe = createServer()
  probe.listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const address = probe.address()
  await new Promise<void>(resolve => probe.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  return address.port
}

function parseArgs (argv: string[]): { withBroker: boolean, clients: ClientName[] } {
  let withBroker = false
  let clients = Object.keys(launchers) as ClientName[]
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--broker') {
      withBroker = true
    } else if (argv[i] === '--clients') {
      clients = (argv[++i] ?? '').split(',').filter((c): c is ClientName => c in launchers)
    } else {
      throw new Error(`unknown argument ${String(argv[i])}`)
    }
  }
  return { withBroker, clients }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { withBroker, clients } = parseArgs(process.argv.slice(2))
  const results = new Map<ClientName, string[]>()
  if (withBroker) {
    for (const [client, files] of await captureWithBroker(clients)) results.set(client, files)
  } else {
    for (const client of clients) results.set(client, await captureClient(client, { kind: 'answer-api-versions' }))
  }
  for (const [client, files] of results) {
    console.log(`${client}: ${files.length === 0 ? 'nothing new' : files.map(f => f.slice(GOLDEN_DIR.length)).join(', ')}`)
  }
}
