// DeleteGroups: an empty group's offsets and metadata get tombstones and the group is gone; a group
// with members answers NON_EMPTY_GROUP, an unknown one GROUP_ID_NOT_FOUND (per group).
import {
  decodeDeleteGroupsRequest, deleteGroupsApi, encodeDeleteGroupsResponse, ErrorCode, type DeleteGroupsRequest, type DeleteGroupsResponse
} from '../../protocol/index.js'
import { AclOperation, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'

export const deleteGroupsHandler = defineHandler<DeleteGroupsRequest, DeleteGroupsResponse>({
  api: deleteGroupsApi,
  decode: decodeDeleteGroupsRequest,
  encode: encodeDeleteGroupsResponse,
  async handle (request, context) {
    // With an authorizer, DELETE on each group (GROUP_AUTHORIZATION_FAILED for the others).
    const permitted = request.groupsNames.filter(groupId => allowed(context, AclOperation.DELETE, ResourceType.GROUP, groupId))
    const denied = request.groupsNames.filter(groupId => !permitted.includes(groupId)).map(groupId => ({ groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }))
    return { results: [...await context.broker.groups.deleteGroups(permitted), ...denied] }
  }
})
