// DeleteGroups: an empty group's offsets and metadata get tombstones and the group is gone; a group
// with members answers NON_EMPTY_GROUP, an unknown one GROUP_ID_NOT_FOUND (per group).
import {
  decodeDeleteGroupsRequest, deleteGroupsApi, encodeDeleteGroupsResponse, type DeleteGroupsRequest, type DeleteGroupsResponse
} from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const deleteGroupsHandler = defineHandler<DeleteGroupsRequest, DeleteGroupsResponse>({
  api: deleteGroupsApi,
  decode: decodeDeleteGroupsRequest,
  encode: encodeDeleteGroupsResponse,
  async handle (request, { broker }) {
    return { results: await broker.groups.deleteGroups(request.groupsNames) }
  }
})
