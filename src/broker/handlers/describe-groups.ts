// DescribeGroups: state, protocol type, and members; the chosen protocol and each member's metadata
// and assignment only while the group is Stable (Kafka's rule). An unknown group is answered as state
// "Dead" without error (v6 would say GROUP_ID_NOT_FOUND; we serve up to v5). v3+ carry authorized
// operations when asked for (no ACLs here: everything a group allows); v4+ groupInstanceId.
import {
  decodeDescribeGroupsRequest, describeGroupsApi, encodeDescribeGroupsResponse, ErrorCode, type DescribeGroupsRequest,
  type DescribeGroupsResponse
} from '../../protocol/index.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed, authorizedOperations } from '../acl/check.js'
import { defineHandler } from '../handler.js'

const FIRST_VERSION_WITH_OPERATIONS = 3
const OPERATIONS_OMITTED = -2147483648
// Kafka's AclOperation codes a group supports: READ (3), DELETE (6), DESCRIBE (8).

export const describeGroupsHandler = defineHandler<DescribeGroupsRequest, DescribeGroupsResponse>({
  api: describeGroupsApi,
  decode: decodeDescribeGroupsRequest,
  encode: encodeDescribeGroupsResponse,
  handle (request, context) {
    const { broker, apiVersion } = context
    const withOperations = apiVersion >= FIRST_VERSION_WITH_OPERATIONS
    return {
      groups: request.groups.map(groupId => {
        // With an authorizer, DESCRIBE on the group.
        if (!allowed(context, AclOperation.DESCRIBE, ResourceType.GROUP, groupId)) {
          return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: OPERATIONS_OMITTED }
        }
        const g = broker.groups.describeGroup(groupId)
        return {
          errorCode: g.errorCode,
          groupId: g.groupId,
          groupState: g.state,
          protocolType: g.protocolType,
          protocolData: g.protocolData,
          members: g.members.map(m => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            memberMetadata: m.metadata,
            memberAssignment: m.assignment
          })),
          authorizedOperations: withOperations && request.includeAuthorizedOperations ? authorizedOperations(context, ResourceType.GROUP, groupId) : OPERATIONS_OMITTED
        }
      })
    }
  }
})
