// DeleteAcls: without an authorizer no ACL exists to delete; every filter fails with SECURITY_DISABLED,
// as on a Kafka broker without authorizer.class.name. With one, ALTER on the cluster is needed (else
// CLUSTER_AUTHORIZATION_FAILED per filter); each filter answers the ACLs it removed.
import {
  decodeDeleteAclsRequest, deleteAclsApi, encodeDeleteAclsResponse, ErrorCode,
  type DeleteAclsRequest, type DeleteAclsResponse
} from '../../protocol/index.js'
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'
import { CLUSTER_DENIED, NO_AUTHORIZER } from './create-acls.js'

export const deleteAclsHandler = defineHandler<DeleteAclsRequest, DeleteAclsResponse>({
  api: deleteAclsApi,
  decode: decodeDeleteAclsRequest,
  encode: encodeDeleteAclsResponse,
  handle (request, context) {
    const authorizer = context.broker.authorizer
    if (authorizer === null) return { throttleTimeMs: 0, filterResults: request.filters.map(() => ({ ...NO_AUTHORIZER, matchingAcls: [] })) }
    if (!allowed(context, AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return { throttleTimeMs: 0, filterResults: request.filters.map(() => ({ ...CLUSTER_DENIED, matchingAcls: [] })) }
    }
    const results = authorizer.delete(request.filters.map(f => ({
      resourceType: f.resourceTypeFilter, resourceName: f.resourceNameFilter, patternType: f.patternTypeFilter,
      principal: f.principalFilter, host: f.hostFilter, operation: f.operation, permissionType: f.permissionType
    })))
    return {
      throttleTimeMs: 0,
      filterResults: results.map(({ errorCode, errorMessage, deleted }) => ({
        errorCode,
        errorMessage,
        matchingAcls: deleted.map(b => ({
          errorCode: ErrorCode.NONE, errorMessage: null, resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType,
          principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType
        }))
      }))
    }
  }
})
