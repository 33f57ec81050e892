// Durable topic metadata: names, ids, partition counts and per-topic config overrides, plus the
// cluster id. Kept in `<data dir>/topics.json` (whole-file rewrite: temp file, fsync, rename, so a
// crash leaves the old or the new version, never a mix) and `<data dir>/meta.properties` as Kafka
// names it. Partition data lives in the storage layer; this file only says which partitions exist.
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeFileDurably, writeFileDurablyAsync } from '../storage/durable-file.js'
import { ConfigError } from '../config/settings.js'
import { KafkaError, ErrorCode } from '../protocol/errors.js'

export interface TopicInfo {
  name: string
  /** Random v4 UUID, never all zeros (Fetch v13+ and Metadata v10+ identify topics by it). */
  id: string
  partitions: number
  /** Only the configs set on this topic; defaults come from the broker config. */
  configs: Record<string, string>
  internal: boolean
}

const LEGAL_NAME = /^[a-zA-Z0-9._-]+$/
export const MAX_TOPIC_NAME_LENGTH = 249

/** Kafka's topic name rules; throws INVALID_TOPIC_EXCEPTION with the reason. */
export function validateTopicName (name: string): void {
  const fail = (why: string): never => { throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic name "${name}" is illegal, ${why}`) }
  if (name.length === 0) fail('it is empty')
  if (name === '.' || name === '..') fail('it cannot be "." or ".."')
  if (name.length > MAX_TOPIC_NAME_LENGTH) fail(`it is longer than ${MAX_TOPIC_NAME_LENGTH} characters`)
  if (!LEGAL_NAME.test(name)) fail('it contains characters other than ASCII alphanumerics, \'.\', \'_\' and \'-\'')
}

export class TopicRegistry {
  private readonly topics = new Map<string, TopicInfo>()
  private readonly byId = new Map<string, TopicInfo>()
  readonly clusterId: string
  /** Settles once meta.properties is on disk: a new data directory's is written (and fsynced) in the
   *  background, so that the fsync overlaps the rest of the start instead of blocking this thread. */
  readonly saved: Promise<void>

  private constructor (private readonly dataDir: string, meta: { clusterId: string, saved: Promise<void> }) {
    this.clusterId = meta.clusterId
    this.saved = meta.saved
  }

  static open (dataDir: string, nodeId: number): TopicRegistry {
    mkdirSync(dataDir, { recursive: true })
    const registry = new TopicRegistry(dataDir, loadOrCreateClusterId(dataDir, nodeId))
    registry.saved.catch(() => {}) // the broker awaits it before it is ready
    let saved: TopicInfo[] = []
    try {
      saved = JSON.parse(readFileSync(join(dataDir, 'topics.json'), 'utf8')).topics as TopicInfo[]
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    for (const topic of saved) registry.remember(topic)
    return registry
  }

  get (name: string): TopicInfo | undefined { return this.topics.get(name) }
  getById (id: string): TopicInfo | undefined { return this.byId.get(id) }
  all (): TopicInfo[] { return [...this.topics.values()] }

  create (name: string, partitions: number, configs: Record<string, string>, internal = false): TopicInfo {
    const topic: TopicInfo = { name, id: randomUUID(), partitions, configs, internal }
    this.remember(topic)
    this.save()
    return topic
  }

  remove (name: string): void {
    const topic = this.topics.get(name)
    if (topic === undefined) return
    this.topics.delete(name)
    this.byId.delete(topic.id)
    this.save()
  }

  update (name: string, change: Partial<Pick<TopicInfo, 'partitions' | 'configs'>>): TopicInfo {
    const topic = this.topics.get(name)
    if (topic === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic ${name}`)
    Object.assign(topic, change)
    this.save()
    return topic
  }

  private remember (topic: TopicInfo): void {
    this.topics.set(topic.name, topic)
    this.byId.set(topic.id, topic)
  }

  private save (): void {
    writeFileDurably(join(this.dataDir, 'topics.json'), JSON.stringify({ version: 1, topics: this.all() }, null, 1))
  }
}

/**
 * meta.properties as Kafka writes it; the cluster id is 16 random bytes, base64url, 22 chars. As in
 * Kafka, a data directory belongs to the node that created it: another node.id stops start-up.
 */
function loadOrCreateClusterId (dataDir: string, nodeId: number): { clusterId: string, saved: Promise<void> } {
  const path = join(dataDir, 'meta.properties')
  try {
    const text = readFileSync(path, 'utf8')
    const stored = /^node\.id=(.+)$/m.exec(text)?.[1]?.trim()
    if (stored !== undefined && Number(stored) !== nodeId) {
      throw new ConfigError('node.id', String(nodeId), `the data directory ${dataDir} belongs to node ${stored} (its meta.properties); ` +
        `start with node.id=${stored}, or give a new node an empty data directory`)
    }
    const match = /^cluster\.id=(.+)$/m.exec(text)
    if (match?.[1] !== undefined) return { clusterId: match[1].trim(), saved: Promise.resolve() }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const clusterId = randomBytes(16).toString('base64url')
  const saved = writeFileDurablyAsync(path, `#Written by Sluice\nversion=1\ncluster.id=${clusterId}\nnode.id=${nodeId}\n`)
  return { clusterId, saved }
}
