// ListPartitionReassignments: the reassignments in progress, which on a single broker is always none
// (AlterPartitionReassignments completes or refuses at once). Asked-for topics and partitions that do
// not exist are left out, as Kafka leaves out every partition without an ongoing reassignment.
//   v0    flexible from the start
import {
  decodeListPartitionReassignmentsRequest, encodeListPartitionReassignmentsResponse, ErrorCode, listPartitionReassignmentsApi,
  type ListPartitionReassignmentsRequest, type ListPartitionReassignmentsResponse
} from '../../protocol/index.js'
import { AclOperation } from '../acl/bindings.js'
import { clusterAllowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'

export const listPartitionReassignmentsHandler = defineHandler<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>({
  api: listPartitionReassignmentsApi,
  decode: decodeListPartitionReassignmentsRequest,
  encode: encodeListPartitionReassignmentsResponse,
  handle (_request, context) {
    // With an authorizer, DESCRIBE on the cluster.
    if (!clusterAllowed(context, AclOperation.DESCRIBE)) return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.', topics: [] }
    return { errorCode: ErrorCode.NONE, errorMessage: null, topics: [] }
  }
})
