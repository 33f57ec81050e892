// DescribeLogDirs: the one log directory and the size of every partition stored in it, which admin
// tools (kafka-log-dirs, `sluice topics describe`, web consoles) show as topic sizes.
//   v1    the same answer as v0 (which is deprecated and not served)
//   v2    flexible
//   v3    a top-level errorCode
//   v4    totalBytes and usableBytes of the volume holding the directory
// topics null asks for every partition, internal topics included; topics or partitions this broker
// does not hold are left out of the answer, as Kafka leaves them out. There are no future logs
// (no AlterReplicaLogDirs), so isFutureKey is false and offsetLag 0: the log end offset of a
// partition here is its high watermark.
import { statfs } from 'node:fs/promises'
import {
  decodeDescribeLogDirsRequest, describeLogDirsApi, encodeDescribeLogDirsResponse, ErrorCode, type DescribeLogDirsRequest,
  type DescribeLogDirsResponse, type DescribeLogDirsResponseDescribeLogDirsPartition, type MessageInput
} from '../../protocol/index.js'
import { AclOperation } from '../acl/bindings.js'
import { clusterAllowed } from '../acl/check.js'
import { defineHandler, type RequestContext } from '../handler.js'
import type { PartitionStore } from '../../storage/partition-store.js'
import type { TopicInfo } from '../topic-registry.js'

interface TopicAnswer { name: string, partitions: Array<MessageInput<DescribeLogDirsResponseDescribeLogDirsPartition>> }

export const describeLogDirsHandler = defineHandler<DescribeLogDirsRequest, DescribeLogDirsResponse>({
  api: describeLogDirsApi,
  decode: decodeDescribeLogDirsRequest,
  encode: encodeDescribeLogDirsResponse,
  async handle (request, context) {
    const { broker } = context
    // With an authorizer, DESCRIBE on the cluster (Kafka answers no log dirs otherwise).
    if (!clusterAllowed(context, AclOperation.DESCRIBE)) return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, results: [] }
    const wanted = request.topics === null
      ? broker.topics.all().map(topic => ({ topic, partitions: Array.from({ length: topic.partitions }, (_, p) => p) }))
      : request.topics.flatMap(t => {
        const topic = broker.topics.get(t.topic)
        return topic === undefined ? [] : [{ topic, partitions: t.partitions }]
      })
    const topics = wanted.map(w => describeTopic(w.topic, w.partitions, context)).filter(t => t.partitions.length > 0)
    const volume = await statfs(broker.dataDir).catch(() => undefined)
    return {
      errorCode: ErrorCode.NONE,
      results: [{
        errorCode: ErrorCode.NONE,
        logDir: broker.dataDir,
        topics,
        totalBytes: volume === undefined ? -1 : volume.blocks * volume.bsize,
        usableBytes: volume === undefined ? -1 : volume.bavail * volume.bsize
      }]
    }
  }
})

function describeTopic (topic: TopicInfo, partitions: readonly number[], { broker }: RequestContext): TopicAnswer {
  const held = [...new Set(partitions)].filter(p => p >= 0 && p < topic.partitions)
  return {
    name: topic.name,
    partitions: held.flatMap(partitionIndex => {
      const partitionSize = sizeOf(topic.name, partitionIndex, broker.store)
      return partitionSize === undefined ? [] : [{ partitionIndex, partitionSize, offsetLag: 0, isFutureKey: false }]
    })
  }
}

/** Undefined for a partition whose log is not open here (not yet created or being deleted). */
function sizeOf (topic: string, partition: number, store: PartitionStore): number | undefined {
  try {
    return store.sizeBytes(topic, partition)
  } catch {
    return undefined
  }
}
