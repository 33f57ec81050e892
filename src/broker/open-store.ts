// Opening the storage, apart from broker.ts so that `sluice start` can begin it before it imports the
// rest of the broker: the shard threads boot (each importing the storage module) on the other cores
// while the main thread loads the protocol, handler and gateway modules.
import { resolve } from 'node:path'
import type { BrokerConfig } from '../config/broker-config.js'
import { PartitionStore } from '../storage/partition-store.js'
import { logConfigFor } from './log-config.js'

/** Starts the shard threads and opens (recovers) every partition of the data directory. */
export async function openStore (config: BrokerConfig): Promise<PartitionStore> {
  return await PartitionStore.open({
    dataDir: resolve(config['log.dirs']),
    shards: config.shards > 0 ? config.shards : undefined,
    defaults: logConfigFor(config, {}),
    retentionCheckIntervalMs: config['log.retention.check.interval.ms'],
    cleanerBackoffMs: config['log.cleaner.backoff.ms'],
    producerExpirationMs: config['producer.id.expiration.ms']
  })
}
