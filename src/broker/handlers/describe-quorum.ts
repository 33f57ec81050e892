// DescribeQuorum (Admin.describeMetadataQuorum): the KRaft metadata quorum as a single node that is
// both broker and controller reports it (KafkaRaftClient.handleDescribeQuorumRequest):
//   - the request must name exactly __cluster_metadata partition 0, else INVALID_REQUEST at the top;
//   - one voter, this node, which leads in epoch 1; no observers (a combined node's broker reads the
//     local log, it does not fetch);
//   - Sluice keeps no metadata log, so the high watermark and the voter's log end offset are 0; the
//     leader's fetch and caught-up times are now, as Kafka reports its own;
//   - the voter's directory id is the zero uuid, as for Kafka's static voters (controller.quorum.voters);
//   - v2 lists the node with the listener clients reach it on (Sluice has no separate controller listener).
import {
  decodeDescribeQuorumRequest, describeQuorumApi, encodeDescribeQuorumResponse, ErrorCode,
  type DescribeQuorumRequest, type DescribeQuorumResponse
} from '../../protocol/index.js'
import { AclOperation } from '../acl/bindings.js'
import { clusterAllowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'

const METADATA_TOPIC = '__cluster_metadata'
const ZERO_UUID = '00000000-0000-0000-0000-000000000000'
const LEADER_EPOCH = 1

export const describeQuorumHandler = defineHandler<DescribeQuorumRequest, DescribeQuorumResponse>({
  api: describeQuorumApi,
  decode: decodeDescribeQuorumRequest,
  encode: encodeDescribeQuorumResponse,
  handle (request, context) {
    const { broker } = context
    // With an authorizer, DESCRIBE on the cluster.
    if (!clusterAllowed(context, AclOperation.DESCRIBE)) return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.', topics: [], nodes: [] }
    const [topic] = request.topics
    const valid = request.topics.length === 1 && topic?.topicName === METADATA_TOPIC &&
      topic.partitions.length === 1 && topic.partitions[0]?.partitionIndex === 0
    if (!valid) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: null, topics: [], nodes: [] }
    const now = Date.now()
    const node = broker.nodeId
    const { host, port } = broker.advertised
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      topics: [{
        topicName: METADATA_TOPIC,
        partitions: [{
          partitionIndex: 0,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          leaderId: node,
          leaderEpoch: LEADER_EPOCH,
          highWatermark: 0,
          currentVoters: [{ replicaId: node, replicaDirectoryId: ZERO_UUID, logEndOffset: 0, lastFetchTimestamp: now, lastCaughtUpTimestamp: now }],
          observers: []
        }]
      }],
      nodes: [{ nodeId: node, listeners: [{ name: listenerName(broker.config.listeners), host, port }] }]
    }
  }
})

/** The name of the first configured listener (PLAINTEXT in PLAINTEXT://host:port). */
function listenerName (listeners: string): string {
  return /^\s*([A-Za-z0-9_]+):\/\//.exec(listeners)?.[1] ?? 'PLAINTEXT'
}
