// The single-node broker: opens the data directory, the storage shards and the topic registry, and
// serves the Kafka protocol on the configured listener until stopped. The HTTP/WebSocket gateway
// (src/gateway) starts after the Kafka listener, unless http.enabled is false or http.port is -1,
// and stops first; its module (and uWebSockets.js) is imported only then.
//
// The internal topics are created on first need, as Kafka does: __consumer_offsets on the first
// FindCoordinator for a group (or the first group write), __transaction_state on the first
// transactional producer. If they exist, their coordinators load their state once the broker serves
// requests, as Kafka loads them in the background: a start is not held up by every group's and
// transaction's history. Meanwhile a group or transactional request waits for the load, for at most
// COORDINATOR_LOAD_WAIT_MS (router.ts), and only then is answered COORDINATOR_LOAD_IN_PROGRESS as
// Kafka answers it at once: not every client retries that code (kafkajs's admin.fetchOffsets does not),
// and a load takes milliseconds unless the offsets topic is large.
// The listener is bound while the logs open (listeners.ts).
import type { Socket } from 'node:net'
import { constants } from 'node:os'
import { resolve } from 'node:path'
import type { Logger } from 'pino'
import type { BrokerConfig } from '../config/broker-config.js'
import { GroupCoordinator } from '../groups/coordinator.js'
import { groupSettingsFrom } from '../groups/group-settings.js'
import { OFFSETS_TOPIC, OFFSETS_TOPIC_CONFIGS } from '../groups/offsets-topic.js'
import type { Gateway } from '../gateway/gateway.js'
import { batchScheduling } from '../storage/native.js'
import type { PartitionStore, StoreRecovery } from '../storage/partition-store.js'
import { TransactionCoordinator } from '../txn/coordinator.js'
import { ProducerIdAllocator } from '../txn/producer-ids.js'
import { TXN_TOPIC, TXN_TOPIC_CONFIGS } from '../txn/txn-log.js'
import { Authorizer } from './acl/authorizer.js'
import { ClientQuotas } from './client-quotas.js'
import { Connection } from './connection.js'
import { DynamicBrokerConfigs } from './dynamic-broker-configs.js'
import { SlabPool } from './frame-reader.js'
import { Listeners, type BoundListener, type BrokerAddress } from './listeners.js'
import { QuotaEnforcer } from './quota/enforcer.js'
import { BrokerMetrics } from './metrics.js'
import { openStore } from './open-store.js'
import { Router } from './router.js'
import { ScramCredentials } from './sasl/scram-credentials.js'
import { SaslSession } from './sasl/session.js'
import { JwksRefreshers } from './sasl/jwks.js'
import { TopicRegistry } from './topic-registry.js'
import { Topics } from './topics.js'

export type { BrokerAddress } from './listeners.js'

const { ENOSYS } = constants.errno

/** The process's threads (shards included, started or not) under SCHED_BATCH (see batchScheduling). */
function useBatchScheduling (log: Logger): void {
  const errno = batchScheduling()
  if (errno !== 0 && errno !== ENOSYS) log.warn({ errno }, 'could not put the broker\'s threads under SCHED_BATCH; they keep the default policy')
}

/** Idle read slabs (1 MiB each) kept for reuse across connections. */
const IDLE_SLABS = 32

/** How long a stop waits for the requests already received to be answered before it cuts connections. */
const DRAIN_MS = 5_000

interface BrokerParts {
  config: BrokerConfig
  log: Logger
  store: PartitionStore
  topics: Topics
  groups: GroupCoordinator
  txn: TransactionCoordinator
  router: Router
  listeners: Listeners
  scram: ScramCredentials
  authorizer: Authorizer | null
  dynamicConfigs: DynamicBrokerConfigs
}

export class Broker {
  private readonly connections = new Set<Connection>()
  private readonly slabs = new SlabPool(IDLE_SLABS)
  private clientQuotas: ClientQuotas | undefined
  private stopping: Promise<void> | null = null
  private httpGateway: Gateway | null = null
  /** Keeps the http(s) JWKS of OAUTHBEARER listeners fresh (sasl/jwks.ts). */
  private jwks: JwksRefreshers | undefined
  /** The coordinators' load (started once the broker serves); never rejects. */
  private coordinatorsLoaded: Promise<void> = Promise.resolve()
  /** True until the coordinators' load has ended (loaded, failed or given up). */
  coordinatorsLoading = false
  readonly metrics = new BrokerMetrics()

  readonly config: BrokerConfig
  readonly log: Logger
  readonly store: PartitionStore
  readonly topics: Topics
  readonly groups: GroupCoordinator
  readonly txn: TransactionCoordinator
  /** SCRAM credentials (AlterUserScramCredentials; SCRAM-SHA-* on SASL_PLAINTEXT listeners). */
  readonly scram: ScramCredentials
  /** The ACL authorizer (authorizer.class.name); null: every client may do everything. */
  readonly authorizer: Authorizer | null
  /** Broker configs altered at run time (AlterConfigs on a broker resource), written into `config`. */
  readonly dynamicConfigs: DynamicBrokerConfigs
  /** Enforces the client quotas (quota/enforcer.ts); reloaded on every change. */
  readonly quotaEnforcer: QuotaEnforcer
  private readonly router: Router
  private readonly listeners: Listeners

  private constructor (parts: BrokerParts) {
    this.config = parts.config
    this.log = parts.log
    this.store = parts.store
    this.topics = parts.topics
    this.groups = parts.groups
    this.txn = parts.txn
    this.scram = parts.scram
    this.authorizer = parts.authorizer
    this.dynamicConfigs = parts.dynamicConfigs
    this.quotaEnforcer = new QuotaEnforcer(parts.config)
    this.router = parts.router
    this.listeners = parts.listeners
  }

  /** `opening`: the store, if the caller began opening it already (openStore, src/cli/start.ts). */
  static async start (config: BrokerConfig, log: Logger, opening: Promise<PartitionStore> = openStore(config)): Promise<Broker> {
    opening.catch(() => {}) // awaited below; a failure must not count as unhandled meanwhile
    if (config['threads.sched.batch']) useBatchScheduling(log)
    const http = config['http.enabled'] && config['http.port'] >= 0
    if (!http && config['authorizer.class.name'] !== '') log.info('HTTP gateway off: it does not authenticate its clients, and an authorizer is set (authorizer.class.name)')
    // Loads while the shards start; a failed import is reported where it is awaited.
    const gatewayModule = http ? import('../gateway/gateway.js') : null
    gatewayModule?.catch(() => {})
    const dataDir = resolve(config['log.dirs'])
    const listening = Listeners.bind(config, log)
    listening.catch(() => {}) // awaited below
    let jwks: JwksRefreshers | undefined
    const release = async (): Promise<void> => {
      jwks?.close()
      await Promise.all([opening.then(async store => { await store.close() }, () => {}), listening.then(async l => { await l.close() }, () => {})])
    }
    let registry: TopicRegistry
    let store: PartitionStore
    let listeners: Listeners
    try {
      registry = TopicRegistry.open(dataDir, config['node.id'])
      await registry.saved
      ;[store, listeners] = await Promise.all([opening, listening])
      jwks = await JwksRefreshers.start(listeners.bound, log)
    } catch (error) {
      await release()
      throw error
    }
    // Until the Broker exists to stop itself, a failure must give back the shards and the ports.
    let parts: Pick<BrokerParts, 'topics' | 'groups' | 'txn' | 'scram' | 'authorizer' | 'dynamicConfigs'>
    try {
      logRecovery(log, store.recovery)
      const dynamicConfigs = DynamicBrokerConfigs.open(dataDir, config)
      const topics = await Topics.open(config, registry, store, log)
      // The store reopened every log with the static defaults.
      if (dynamicConfigs.changesLogDefaults) await topics.reapplyConfigs()
      const offsetsTopic = new InternalTopic(topics, OFFSETS_TOPIC, config['offsets.topic.num.partitions'], OFFSETS_TOPIC_CONFIGS)
      const txnTopic = new InternalTopic(topics, TXN_TOPIC, config['transaction.state.log.num.partitions'], TXN_TOPIC_CONFIGS)
      const groups = GroupCoordinator.open({
        store,
        log,
        settings: groupSettingsFrom(config),
        offsetsPartitions: offsetsTopic.partitions,
        createOffsetsTopic: offsetsTopic.exists ? undefined : async () => { await offsetsTopic.create() }
      })
      const txn = TransactionCoordinator.open({
        store,
        log,
        settings: {
          maxTimeoutMs: config['transaction.max.timeout.ms'],
          abortCheckIntervalMs: config['transaction.abort.timed.out.transaction.cleanup.interval.ms'],
          idExpirationMs: config['transactional.id.expiration.ms']
        },
        ids: ProducerIdAllocator.open(dataDir),
        txnPartitions: txnTopic.exists ? txnTopic.partitions : null,
        createTxnTopic: async () => { await txnTopic.create(); return txnTopic.partitions },
        groups: {
          offsetsTopic: OFFSETS_TOPIC,
          offsetsPartitionFor: id => groups.partitionFor(id),
          ensureOffsetsTopic: async () => { await groups.ensureOffsetsTopic() },
          completeTxn: (pid, commit) => groups.completeTxn(pid, commit)
        },
        partitionExists: (topic, partition) => { const t = topics.get(topic); return t !== undefined && partition >= 0 && partition < t.partitions }
      })
      parts = { topics, groups, txn, scram: ScramCredentials.open(dataDir), authorizer: openAuthorizer(config, dataDir, log), dynamicConfigs }
    } catch (error) {
      await release()
      throw error
    }
    const broker = new Broker({ config, log, store, ...parts, router: new Router(), listeners })
    broker.jwks = jwks
    broker.router.bind(broker)
    try {
      broker.loadQuotas()
    } catch (error) {
      // As before enforcement: the rest is served, the quota requests fail until the file is readable.
      log.error({ err: error }, 'could not read the client quotas; they are not enforced')
    }
    // The load starts before the first connection is served, so no request finds it not yet begun.
    broker.coordinatorsLoading = true
    broker.coordinatorsLoaded = broker.loadCoordinators().finally(() => { broker.coordinatorsLoading = false })
    try {
      listeners.serve((socket, listener) => { broker.accept(socket, listener) })
      if (gatewayModule !== null) broker.httpGateway = await (await gatewayModule).Gateway.start(broker)
    } catch (error) {
      await broker.stop()
      throw error
    }
    return broker
  }

  /** Groups first: the transaction coordinator completes half-ended transactions' offsets into them.
   *  A stop gives up a load not yet done. */
  private async loadCoordinators (): Promise<void> {
    const stopping = (): boolean => this.stopping !== null
    for (const coordinator of [this.groups, this.txn]) {
      await coordinator.load(stopping).catch((error: unknown) => { this.log.error({ err: error }, 'loading a coordinator failed; it answers COORDINATOR_NOT_AVAILABLE') })
    }
  }

  /** Resolves once the coordinators' load has ended, or after `ms`, whichever comes first. */
  async coordinatorsLoadedWithin (ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<void>(resolve => { timer = setTimeout(resolve, ms) })
    await Promise.race([this.coordinatorsLoaded, late])
    clearTimeout(timer)
  }

  /** The HTTP/WebSocket gateway, null when it is turned off. */
  get gateway (): Gateway | null { return this.httpGateway }
  /** Open Kafka protocol connections. */
  get kafkaConnections (): number { return this.connections.size }

  get dataDir (): string { return resolve(this.config['log.dirs']) }
  /** Client quotas (AlterClientQuotas), read from the data directory at start (or, if it could not be
   *  read then, at the next quota request), enforced from then on. */
  get quotas (): ClientQuotas { return this.clientQuotas ?? this.loadQuotas() }

  private loadQuotas (): ClientQuotas {
    const quotas = ClientQuotas.open(this.dataDir)
    quotas.onChange = () => { this.quotaEnforcer.load(quotas.all()) }
    this.quotaEnforcer.load(quotas.all())
    this.clientQuotas = quotas
    return quotas
  }
  get clusterId (): string { return this.topics.registry.clusterId }
  get nodeId (): number { return this.config['node.id'] }

  /** The first listener's advertised address (each connection's own: Connection.advertised). */
  get advertised (): BrokerAddress { return this.listeners.advertised }
  /** Every Kafka listener, in the order `listeners` names them. */
  get listenersBound (): readonly BoundListener[] { return this.listeners.bound }

  private accept (socket: Socket, listener: BoundListener): void {
    if (this.stopping !== null) { socket.destroy(); return }
    const connection = new Connection(socket, this.slabs, this.router, {
      maxFrameBytes: this.config['socket.request.max.bytes'],
      maxQueuedRequests: this.config['queued.max.requests'],
      idleMs: this.config['connections.max.idle.ms'],
      maxPendingWriteBytes: 64 * 1024 * 1024
    }, listener.spec.tls)
    connection.listener = listener
    const sasl = listener.spec.sasl
    if (sasl !== null) {
      connection.sasl = new SaslSession(sasl, this.scram)
      connection.capFrames(this.config['sasl.server.max.receive.size'])
    }
    this.connections.add(connection)
    connection.socket.once('close', () => this.connections.delete(connection))
  }

  /**
   * Graceful stop: stops accepting, wakes long polls, answers parked group requests (NOT_COORDINATOR),
   * answers every request already received (for at most DRAIN_MS), then flushes and closes every log,
   * so the next start needs no recovery.
   */
  stop (): Promise<void> {
    this.stopping ??= (async () => {
      await this.httpGateway?.stop()
      this.jwks?.close()
      const closed = this.listeners.close()
      this.router.shutdown()
      await this.coordinatorsLoaded
      await this.txn.stop()
      await this.groups.stop()
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<void>(resolve => { timer = setTimeout(resolve, DRAIN_MS) })
      await Promise.race([Promise.all([...this.connections].map(async c => { await c.drain() })), late])
      clearTimeout(timer)
      for (const connection of this.connections) connection.close()
      await closed
      await this.topics.close()
      await this.store.close()
    })()
    return this.stopping
  }
}

function openAuthorizer (config: BrokerConfig, dataDir: string, log: Logger): Authorizer | null {
  if (config['authorizer.class.name'] === '') return null
  const superUsers = config['super.users'].split(';').map(user => user.trim()).filter(user => user !== '')
  const authorizer = Authorizer.open(dataDir, { superUsers, allowIfNoAcl: config['allow.everyone.if.no.acl.found'] })
  authorizer.onStoreError = (error) => { log.error({ err: error }, 'could not store the ACLs; the change is not made') }
  return authorizer
}

/** Whether the last run ended cleanly: after a graceful stop no log needs a recovery scan. */
function logRecovery (log: Logger, recovery: StoreRecovery): void {
  if (recovery.unclean === 0) log.info(recovery, recovery.partitions === 0 ? 'no partitions yet, nothing to recover' : 'clean shutdown, no recovery')
  else log.warn(recovery, `recovered ${recovery.unclean} of ${recovery.partitions} partitions after an unclean shutdown`)
}

/** An internal topic that is created when first needed; an existing one keeps its partition count. */
class InternalTopic {
  constructor (
    private readonly topics: Topics,
    private readonly name: string,
    private readonly count: number,
    private readonly configs: Readonly<Record<string, string>>
  ) {}

  get exists (): boolean { return this.topics.get(this.name) !== undefined }
  /** The existing topic's partitions, else how many create() makes. */
  get partitions (): number { return this.topics.get(this.name)?.partitions ?? this.count }

  /** Creates the topic unless it exists; concurrent calls share one creation (Topics.create). */
  async create (): Promise<void> {
    if (!this.exists) await this.topics.create(this.name, this.count, { ...this.configs }, true)
  }
}
