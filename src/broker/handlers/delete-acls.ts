// DeleteAcls: with no authorizer no ACL exists to delete; every filter fails with SECURITY_DISABLED,
// as on a Kafka broker without authorizer.class.name.
import {
  decodeDeleteAclsRequest, deleteAclsApi, encodeDeleteAclsResponse,
  type DeleteAclsRequest, type DeleteAclsResponse
} from '../../protocol/index.js'
import { defineHandler } from '../handler.js'
import { NO_AUTHORIZER } from './create-acls.js'

export const deleteAclsHandler = defineHandler<DeleteAclsRequest, DeleteAclsResponse>({
  api: deleteAclsApi,
  decode: decodeDeleteAclsRequest,
  encode: encodeDeleteAclsResponse,
  handle (request) {
    return { throttleTimeMs: 0, filterResults: request.filters.map(() => ({ ...NO_AUTHORIZER, matchingAcls: [] })) }
  }
})
