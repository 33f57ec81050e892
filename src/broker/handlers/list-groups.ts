// ListGroups: every group this coordinator knows, empty ones included. v4+ filter by state and
// answer each group's state; v5+ filter by type and answer it (all groups here are "classic").
// While the coordinator loads __consumer_offsets (just after a start) it answers
// COORDINATOR_LOAD_IN_PROGRESS with no groups, as Kafka does for a partition still loading.
import {
  decodeListGroupsRequest, encodeListGroupsResponse, listGroupsApi, type ListGroupsRequest, type ListGroupsResponse
} from '../../protocol/index.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed, clusterAllowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'

const FIRST_VERSION_WITH_STATE = 4
const FIRST_VERSION_WITH_TYPE = 5

export const listGroupsHandler = defineHandler<ListGroupsRequest, ListGroupsResponse>({
  api: listGroupsApi,
  decode: decodeListGroupsRequest,
  encode: encodeListGroupsResponse,
  handle (request, context) {
    const { apiVersion, broker } = context
    // With an authorizer: every group for DESCRIBE on the cluster, else those the client may DESCRIBE.
    const all = broker.groups.listGroups(request.statesFilter, request.typesFilter)
    const groups = clusterAllowed(context, AclOperation.DESCRIBE) ? all : all.filter(g => allowed(context, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId))
    return {
      errorCode: broker.groups.status,
      groups: groups.map(g => ({
        groupId: g.groupId,
        protocolType: g.protocolType,
        groupState: apiVersion >= FIRST_VERSION_WITH_STATE ? g.state : '',
        groupType: apiVersion >= FIRST_VERSION_WITH_TYPE ? g.type : ''
      }))
    }
  }
})
