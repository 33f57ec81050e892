// AlterPartitionReassignments: moving replicas between brokers. With a single broker every partition
// already lives on the only possible replica set, so a reassignment to [this node] completes at once
// and anything else is refused the way a Kafka controller refuses it.
//   v0    flexible from the start
// Per partition: an unknown topic or partition is UNKNOWN_TOPIC_OR_PARTITION; replicas null asks to
// cancel, and there is never a reassignment to cancel (NO_REASSIGNMENT_IN_PROGRESS); an empty list, a
// broker named twice or a broker that does not exist is INVALID_REPLICA_ASSIGNMENT with the reason.
import {
  alterPartitionReassignmentsApi, decodeAlterPartitionReassignmentsRequest, encodeAlterPartitionReassignmentsResponse, ErrorCode,
  type AlterPartitionReassignmentsRequest, type AlterPartitionReassignmentsRequestReassignablePartition,
  type AlterPartitionReassignmentsResponse
} from '../../protocol/index.js'
import { AclOperation } from '../acl/bindings.js'
import { clusterAllowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'
import type { TopicInfo } from '../topic-registry.js'

interface PartitionAnswer { partitionIndex: number, errorCode: number, errorMessage: string | null }

export const alterPartitionReassignmentsHandler = defineHandler<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>({
  api: alterPartitionReassignmentsApi,
  decode: decodeAlterPartitionReassignmentsRequest,
  encode: encodeAlterPartitionReassignmentsResponse,
  handle (request, context) {
    const { broker } = context
    const node = broker.config['node.id']
    // With an authorizer, ALTER on the cluster.
    if (!clusterAllowed(context, AclOperation.ALTER)) {
      const errorMessage = 'Cluster authorization failed.'
      return {
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage,
        responses: request.topics.map(t => ({ name: t.name, partitions: t.partitions.map(p => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage })) }))
      }
    }
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      responses: request.topics.map(t => {
        const topic = broker.topics.get(t.name)
        return { name: t.name, partitions: t.partitions.map(p => reassign(topic, p, node)) }
      })
    }
  }
})

function reassign (topic: TopicInfo | undefined, p: AlterPartitionReassignmentsRequestReassignablePartition, node: number): PartitionAnswer {
  const reply = (errorCode: number, errorMessage: string | null = null): PartitionAnswer => ({ partitionIndex: p.partitionIndex, errorCode, errorMessage })
  if (topic === undefined || p.partitionIndex < 0 || p.partitionIndex >= topic.partitions) {
    return reply(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.')
  }
  const replicas = p.replicas
  if (replicas === null) return reply(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, 'No ongoing reassignment for this partition.')
  if (replicas.length === 0) return reply(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.')
  const twice = replicas.find((id, i) => replicas.indexOf(id) !== i)
  if (twice !== undefined) return reply(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes the broker ${twice} more than once.`)
  const unknown = replicas.find(id => id !== node)
  if (unknown !== undefined) {
    return reply(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes broker ${unknown}, but no such broker is registered.`)
  }
  return reply(ErrorCode.NONE)
}
