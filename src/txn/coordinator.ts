// The transaction coordinator of this single-node broker (Kafka's TransactionCoordinator, "TV1" flow,
// protocol-notes.md §10–§11): producer ids for idempotent producers, and for transactional ids the
// epoch fencing, the partitions of the open transaction, and EndTxn's markers.
//
// Durability: every transition is in __transaction_state before the client hears of it. load() replays
// the topic once the broker is ready (transactional requests are answered COORDINATOR_LOAD_IN_PROGRESS
// until then, as Kafka does while it loads a partition; idempotent producers need no state and are
// served at once); a transaction found in PrepareCommit/PrepareAbort is completed (markers written
// again, which is harmless: a marker for a producer without an open transaction changes nothing), and
// one found Ongoing is aborted by the timeout check like any abandoned transaction.
//
// Concurrency: the handlers run on one thread; an id whose markers are being written is in a Prepare
// state, and requests that would change it meanwhile get CONCURRENT_TRANSACTIONS (retriable).
import type { Logger } from 'pino'
import { ErrorCode } from '../protocol/index.js'
import type { PartitionStore } from '../storage/partition-store.js'
import { writeMarkers } from './markers.js'
import type { ProducerIdAllocator } from './producer-ids.js'
import { TxnLog } from './txn-log.js'
import { isIdle, isPreparing, partitionKey, TxnStatus, txnStatusName, type TxnMetadata, type TxnPartition } from './txn-state.js'

export interface TxnSettings {
  maxTimeoutMs: number
  abortCheckIntervalMs: number
  idExpirationMs: number
}

/** What the coordinator needs from the group coordinator. */
export interface TxnGroups {
  offsetsPartitionFor: (groupId: string) => number
  offsetsTopic: string
  /** Creates the offsets topic if it does not exist yet (it is created on first need). */
  ensureOffsetsTopic: () => Promise<void>
  /** The pending transactional offsets of `producerId` become committed offsets, or are dropped. */
  completeTxn: (producerId: number, commit: boolean) => void
}

export interface TxnCoordinatorOptions {
  store: PartitionStore
  log: Logger
  settings: TxnSettings
  ids: ProducerIdAllocator
  /** Partitions of __transaction_state if it exists; else `createTxnTopic` makes it on first use, as Kafka does. */
  txnPartitions: number | null
  createTxnTopic: () => Promise<number>
  groups: TxnGroups
  partitionExists: (topic: string, partition: number) => boolean
}

export interface ProducerIdAndEpoch { errorCode: number, producerId: number, producerEpoch: number }

/** A request's claim to be the current producer of a transactional id. */
export interface TxnProducer { transactionalId: string, producerId: number, producerEpoch: number }

const MAX_EPOCH = 32767
/** Kafka's code 105 (KIP-664); the generated error table predates it. */
const TRANSACTIONAL_ID_NOT_FOUND = 105
const NO_PRODUCER = { producerId: -1, producerEpoch: -1 }

export class TransactionCoordinator {
  private txns = new Map<string, TxnMetadata>()
  private txnLog: TxnLog | null = null
  private creatingLog: Promise<TxnLog> | null = null
  private timer: NodeJS.Timeout | null = null
  private stopped = false
  /** COORDINATOR_LOAD_IN_PROGRESS until load() has replayed __transaction_state, COORDINATOR_NOT_AVAILABLE if that failed. */
  private unavailable: number

  private constructor (private readonly options: TxnCoordinatorOptions) {
    if (options.txnPartitions !== null) this.txnLog = new TxnLog(options.store, options.txnPartitions, options.log)
    this.unavailable = this.txnLog === null ? ErrorCode.NONE : ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
  }

  /** A coordinator that answers COORDINATOR_LOAD_IN_PROGRESS until load() if __transaction_state exists. */
  static open (options: TxnCoordinatorOptions): TransactionCoordinator {
    return new TransactionCoordinator(options)
  }

  /**
   * Replays __transaction_state if it exists (after the group coordinator's load: a transaction's
   * offsets are its), then serves transactions and completes those the log left half-ended
   * (CONCURRENT_TRANSACTIONS for their ids meanwhile, since they are in a Prepare state).
   * `cancelled`: the broker is stopping before the load began; it does not begin.
   */
  async load (cancelled: () => boolean = () => false): Promise<void> {
    const { log, settings } = this.options
    if (cancelled()) return
    if (this.txnLog !== null && this.unavailable === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) {
      try {
        this.txns = this.txnLog.load()
      } catch (error) {
        this.unavailable = ErrorCode.COORDINATOR_NOT_AVAILABLE
        throw error
      }
      this.unavailable = ErrorCode.NONE
    }
    if (this.stopped) return
    this.timer = setInterval(() => { this.abortTimedOut(Date.now()) }, settings.abortCheckIntervalMs)
    this.timer.unref()
    const preparing = [...this.txns.values()].filter(m => isPreparing(m.status))
    const completed = await Promise.allSettled(preparing.map(async m => await this.complete(m, m.status === TxnStatus.PrepareCommit)))
    for (const c of completed) if (c.status === 'rejected') log.error({ err: c.reason }, 'completing a transaction found half-ended failed')
    log.info({ transactionalIds: this.txns.size, completed: preparing.length }, 'loaded transactions from the transaction log')
  }

  /** NONE, or why no transactional id can be served now (ListTransactions' error code). */
  get status (): number { return this.stopped ? ErrorCode.COORDINATOR_NOT_AVAILABLE : this.unavailable }

  /** InitProducerId. `current` is the v3+ request's producer id and epoch (-1 when absent). */
  async initProducerId (transactionalId: string | null, timeoutMs: number, current: { producerId: number, producerEpoch: number }): Promise<ProducerIdAndEpoch> {
    if (this.stopped) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, ...NO_PRODUCER }
    if (transactionalId === null) return { errorCode: ErrorCode.NONE, producerId: this.options.ids.allocate(), producerEpoch: 0 }
    if (this.unavailable !== ErrorCode.NONE) return { errorCode: this.unavailable, ...NO_PRODUCER }
    if (timeoutMs <= 0 || timeoutMs > this.options.settings.maxTimeoutMs) return { errorCode: ErrorCode.INVALID_TRANSACTION_TIMEOUT, ...NO_PRODUCER }
    const now = Date.now()
    let meta = this.txns.get(transactionalId)
    if (meta === undefined) {
      meta = { transactionalId, producerId: this.options.ids.allocate(), producerEpoch: -1, lastProducerEpoch: -1, timeoutMs, status: TxnStatus.Empty, partitions: new Map(), startMs: -1, updateMs: now }
      this.txns.set(transactionalId, meta)
    }
    if (isPreparing(meta.status)) return { errorCode: ErrorCode.CONCURRENT_TRANSACTIONS, ...NO_PRODUCER }
    // The caller's id and epoch are checked only against an id that has had an epoch: a fresh mapping
    // accepts any (Kafka: a producer recovering with the id it had as a plain idempotent producer).
    if (current.producerId >= 0 && meta.producerEpoch >= 0) {
      const retried = current.producerId === meta.producerId && current.producerEpoch === meta.lastProducerEpoch && isIdle(meta.status)
      if (retried) return { errorCode: ErrorCode.NONE, producerId: meta.producerId, producerEpoch: meta.producerEpoch }
      if (current.producerId !== meta.producerId || current.producerEpoch !== meta.producerEpoch) return { errorCode: ErrorCode.PRODUCER_FENCED, ...NO_PRODUCER }
    }
    if (meta.status === TxnStatus.Ongoing) {
      // The previous instance left a transaction open: abort it under a new epoch, which fences it.
      this.bumpEpoch(meta, false)
      const aborted = await this.end(meta, false)
      if (aborted !== ErrorCode.NONE) return { errorCode: aborted, ...NO_PRODUCER }
    }
    this.bumpEpoch(meta, true)
    meta.timeoutMs = timeoutMs
    meta.status = TxnStatus.Empty
    meta.partitions.clear()
    meta.updateMs = now
    await this.persist(meta)
    return { errorCode: ErrorCode.NONE, producerId: meta.producerId, producerEpoch: meta.producerEpoch }
  }

  /** AddPartitionsToTxn: one code per partition, in order (OPERATION_NOT_ATTEMPTED for the rest when one fails). */
  async addPartitions (producer: TxnProducer, partitions: readonly TxnPartition[], verifyOnly = false): Promise<number[]> {
    const checked = this.check(producer)
    if (typeof checked === 'number') return partitions.map(() => checked)
    const unknown = partitions.map(p => this.options.partitionExists(p.topic, p.partition) ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    if (unknown.some(c => c !== ErrorCode.NONE)) return unknown.map(c => c === ErrorCode.NONE ? ErrorCode.OPERATION_NOT_ATTEMPTED : c)
    if (verifyOnly) return partitions.map(p => checked.partitions.has(partitionKey(p.topic, p.partition)) ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE)
    const code = await this.addToTxn(checked, partitions)
    return partitions.map(() => code)
  }

  /** AddOffsetsToTxn: the group's __consumer_offsets partition joins the transaction. */
  async addOffsets (producer: TxnProducer, groupId: string): Promise<number> {
    try {
      await this.options.groups.ensureOffsetsTopic()
    } catch (error) {
      this.options.log.warn({ err: error, groupId }, 'could not create the offsets topic')
      return ErrorCode.COORDINATOR_NOT_AVAILABLE
    }
    const checked = this.check(producer)
    if (typeof checked === 'number') return checked
    const { offsetsTopic, offsetsPartitionFor } = this.options.groups
    return await this.addToTxn(checked, [{ topic: offsetsTopic, partition: offsetsPartitionFor(groupId) }])
  }

  /** Whether `producer` may commit offsets in its transaction now (TxnOffsetCommit): NONE or an error code. */
  verifyProducer (producer: TxnProducer): number {
    const checked = this.check(producer)
    if (typeof checked === 'number') return checked
    return checked.status === TxnStatus.Ongoing ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE
  }

  /** EndTxn: answered once the markers are in every partition of the transaction. */
  async endTxn (producer: TxnProducer, commit: boolean): Promise<number> {
    const checked = this.check(producer)
    if (typeof checked === 'number') return checked
    const { status } = checked
    if (status === TxnStatus.CompleteCommit) return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE
    if (status === TxnStatus.CompleteAbort) return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE
    if (status !== TxnStatus.Ongoing) return ErrorCode.INVALID_TXN_STATE
    return await this.end(checked, commit)
  }

  describe (transactionalId: string): { errorCode: number, meta: TxnMetadata | null } {
    if (this.status !== ErrorCode.NONE) return { errorCode: this.status, meta: null }
    const meta = this.txns.get(transactionalId)
    return { errorCode: meta === undefined ? TRANSACTIONAL_ID_NOT_FOUND : ErrorCode.NONE, meta: meta ?? null }
  }

  /** ListTransactions: filters are ANDed; an empty filter matches all. `minDurationMs` < 0: any. */
  list (states: ReadonlySet<string>, producerIds: ReadonlySet<number>, minDurationMs: number): TxnMetadata[] {
    const now = Date.now()
    return [...this.txns.values()].filter(m =>
      (states.size === 0 || states.has(txnStatusName[m.status])) &&
      (producerIds.size === 0 || producerIds.has(m.producerId)) &&
      (minDurationMs < 0 || (m.status === TxnStatus.Ongoing && now - m.startMs >= minDurationMs)))
  }

  /** Aborts (and fences) transactions open longer than their timeout; forgets ids idle past expiration. */
  abortTimedOut (now: number): void {
    for (const meta of this.txns.values()) {
      if (meta.status === TxnStatus.Ongoing && now - meta.startMs > meta.timeoutMs) {
        this.options.log.info({ transactionalId: meta.transactionalId, producerId: meta.producerId }, 'aborting a transaction past its timeout')
        this.bumpEpoch(meta, false)
        this.end(meta, false).catch((error: unknown) => this.options.log.error({ err: error, transactionalId: meta.transactionalId }, 'aborting a timed-out transaction failed'))
      } else if (isIdle(meta.status) && now - meta.updateMs > this.options.settings.idExpirationMs) {
        this.txns.delete(meta.transactionalId)
        this.txnLog?.forget(meta.transactionalId).catch((error: unknown) => this.options.log.warn({ err: error }, 'could not write a transactional id tombstone'))
      }
    }
  }

  async stop (): Promise<void> {
    this.stopped = true
    if (this.timer !== null) clearInterval(this.timer)
    await this.txnLog?.drain()
  }

  private async persist (meta: TxnMetadata): Promise<void> {
    if (this.txnLog === null) {
      this.creatingLog ??= this.options.createTxnTopic().then(partitions => new TxnLog(this.options.store, partitions, this.options.log))
      this.txnLog = await this.creatingLog
    }
    await this.txnLog.write(meta)
  }

  private check (producer: TxnProducer): TxnMetadata | number {
    if (this.status !== ErrorCode.NONE) return this.status
    const meta = this.txns.get(producer.transactionalId)
    if (meta === undefined || meta.producerId !== producer.producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING
    if (producer.producerEpoch !== meta.producerEpoch) return ErrorCode.PRODUCER_FENCED
    if (isPreparing(meta.status)) return ErrorCode.CONCURRENT_TRANSACTIONS
    return meta
  }

  private async addToTxn (meta: TxnMetadata, partitions: readonly TxnPartition[]): Promise<number> {
    const fresh = partitions.filter(p => !meta.partitions.has(partitionKey(p.topic, p.partition)))
    if (fresh.length === 0 && meta.status === TxnStatus.Ongoing) return ErrorCode.NONE
    const now = Date.now()
    if (meta.status !== TxnStatus.Ongoing) {
      meta.status = TxnStatus.Ongoing
      meta.partitions.clear()
      meta.startMs = now
    }
    for (const p of fresh) meta.partitions.set(partitionKey(p.topic, p.partition), p)
    meta.updateMs = now
    await this.persist(meta)
    return ErrorCode.NONE
  }

  /** Prepare (durably), then the markers, then Complete. */
  private async end (meta: TxnMetadata, commit: boolean): Promise<number> {
    meta.status = commit ? TxnStatus.PrepareCommit : TxnStatus.PrepareAbort
    meta.updateMs = Date.now()
    await this.persist(meta)
    return await this.complete(meta, commit)
  }

  private async complete (meta: TxnMetadata, commit: boolean): Promise<number> {
    try {
      await writeMarkers(this.options.store, { producerId: meta.producerId, producerEpoch: meta.producerEpoch, commit }, [...meta.partitions.values()], this.options.log)
    } catch (error) {
      // Stays in Prepare*: the next open (or a retry of EndTxn after a restart) completes it.
      this.options.log.error({ err: error, transactionalId: meta.transactionalId }, 'writing transaction markers failed')
      return ErrorCode.COORDINATOR_NOT_AVAILABLE
    }
    this.options.groups.completeTxn(meta.producerId, commit)
    meta.status = commit ? TxnStatus.CompleteCommit : TxnStatus.CompleteAbort
    meta.partitions.clear()
    meta.updateMs = Date.now()
    await this.persist(meta)
    return ErrorCode.NONE
  }

  /**
   * `newIdOnOverflow`: InitProducerId hands out a new producer id once the epoch is exhausted, as in
   * Kafka. A bump that fences before an abort never does: the abort markers must carry the producer
   * id of the open transaction, so there the epoch stops at its maximum.
   */
  private bumpEpoch (meta: TxnMetadata, newIdOnOverflow: boolean): void {
    meta.lastProducerEpoch = meta.producerEpoch
    if (meta.producerEpoch < MAX_EPOCH - 1) {
      meta.producerEpoch++
    } else if (newIdOnOverflow) {
      meta.producerId = this.options.ids.allocate()
      meta.producerEpoch = 0
    } else {
      meta.producerEpoch = MAX_EPOCH
    }
  }
}
