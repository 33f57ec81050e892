// ElectLeaders: as Kafka's controller answers it (ReplicationControlManager.electLeaders). Every
// partition has one replica, this node, which leads it, so no election ever changes anything:
//   - a named partition that exists is ELECTION_NOT_NEEDED for both PREFERRED (0) and UNCLEAN (1)
//     elections (the preferred leader leads; a leader is live); one that does not exist is
//     UNKNOWN_TOPIC_OR_PARTITION;
//   - a null topic list means every partition, and Kafka then leaves out the partitions that need no
//     election, so each topic is listed with no partition results;
//   - an election type other than 0 or 1 fails the whole request with INVALID_REQUEST, as Kafka's
//     error response does: top-level code (v1+) and the same code on every partition named.
import {
  decodeElectLeadersRequest, electLeadersApi, encodeElectLeadersResponse, ErrorCode,
  type ElectLeadersRequest, type ElectLeadersResponse, type ElectLeadersResponsePartitionResult, type MessageInput
} from '../../protocol/index.js'
import type { Broker } from '../broker.js'
import { AclOperation } from '../acl/bindings.js'
import { clusterAllowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'

const PREFERRED = 0
const UNCLEAN = 1

type PartitionAnswer = MessageInput<ElectLeadersResponsePartitionResult>

export const electLeadersHandler = defineHandler<ElectLeadersRequest, ElectLeadersResponse>({
  api: electLeadersApi,
  decode: decodeElectLeadersRequest,
  encode: encodeElectLeadersResponse,
  handle (request, context) {
    const { broker, apiVersion } = context
    // With an authorizer, ALTER on the cluster, else every partition (and v1+ the answer) fails.
    if (!clusterAllowed(context, AclOperation.ALTER)) {
      const denied = (partitionId: number): PartitionAnswer => ({ partitionId, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.' })
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        replicaElectionResults: (request.topicPartitions ?? []).map(t => ({ topic: t.topic, partitionResult: t.partitions.map(denied) }))
      }
    }
    const electionType = apiVersion === 0 ? PREFERRED : request.electionType
    if (electionType !== PREFERRED && electionType !== UNCLEAN) {
      const failed = (partitionId: number): PartitionAnswer =>
        ({ partitionId, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown election type ${electionType}` })
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.INVALID_REQUEST,
        replicaElectionResults: (request.topicPartitions ?? []).map(t => ({ topic: t.topic, partitionResult: t.partitions.map(failed) }))
      }
    }
    if (request.topicPartitions === null) {
      const names = broker.topics.all().map(t => t.name).sort()
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: names.map(topic => ({ topic, partitionResult: [] })) }
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      replicaElectionResults: request.topicPartitions.map(t => ({ topic: t.topic, partitionResult: t.partitions.map(p => electLeader(broker, t.topic, p)) }))
    }
  }
})

function electLeader (broker: Broker, topic: string, partitionId: number): PartitionAnswer {
  const info = broker.topics.get(topic)
  if (info === undefined) return { partitionId, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `No such topic as ${topic}` }
  if (partitionId < 0 || partitionId >= info.partitions) {
    return { partitionId, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `No such partition as ${topic}-${partitionId}` }
  }
  return { partitionId, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: 'Leader election not needed for topic partition.' }
}
