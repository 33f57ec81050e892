// DescribeCluster: the cluster id and its one broker, which is also the controller (what the Java
// admin client asks for instead of Metadata when it is advertised).
//   v0    flexible from the start
//   v1    endpointType: 1 asks for brokers, what this listener serves; 2 (controllers) is
//         MISMATCHED_ENDPOINT_TYPE, as a Kafka broker answers, and other values UNSUPPORTED_ENDPOINT_TYPE
// clusterAuthorizedOperations is INT32_MIN unless requested; then the operations the authorizer allows
// on the cluster, or without one every operation Kafka defines on a cluster, as Kafka answers.
// Like Kafka, the answer needs no permission.
import {
  decodeDescribeClusterRequest, describeClusterApi, encodeDescribeClusterResponse, ErrorCode, type DescribeClusterRequest,
  type DescribeClusterResponse
} from '../../protocol/index.js'
import { CLUSTER_NAME, ResourceType } from '../acl/bindings.js'
import { authorizedOperations } from '../acl/check.js'
import { defineHandler } from '../handler.js'

const BROKERS = 1
const CONTROLLERS = 2
// Not in protocol-notes.md §7, so not in the generated ErrorCode table (Kafka's Errors.java, KIP-919).
const MISMATCHED_ENDPOINT_TYPE = 114
const UNSUPPORTED_ENDPOINT_TYPE = 115
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648

export const describeClusterHandler = defineHandler<DescribeClusterRequest, DescribeClusterResponse>({
  api: describeClusterApi,
  decode: decodeDescribeClusterRequest,
  encode: encodeDescribeClusterResponse,
  handle (request, context) {
    const { broker, connection } = context
    if (request.endpointType !== BROKERS) {
      const mismatched = request.endpointType === CONTROLLERS
      return {
        errorCode: mismatched ? MISMATCHED_ENDPOINT_TYPE : UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage: mismatched ? 'The request was sent to a broker endpoint, not a controller endpoint.' : `Unknown endpoint type ${request.endpointType}.`,
        endpointType: request.endpointType,
        clusterId: broker.clusterId,
        brokers: []
      }
    }
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: BROKERS,
      clusterId: broker.clusterId,
      controllerId: broker.nodeId,
      brokers: [{ brokerId: broker.nodeId, ...connection.advertised, rack: null }],
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? authorizedOperations(context, ResourceType.CLUSTER, CLUSTER_NAME) : AUTHORIZED_OPERATIONS_OMITTED
    }
  }
})
