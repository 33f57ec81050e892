// CreateAcls: without an authorizer there is nowhere to keep an ACL, so every creation fails with
// SECURITY_DISABLED, as on a Kafka broker without authorizer.class.name. With one, ALTER on the
// cluster is needed (else CLUSTER_AUTHORIZATION_FAILED per creation); each creation is validated
// on its own and the valid ones are stored together (acl/authorizer.ts).
import {
  createAclsApi, decodeCreateAclsRequest, encodeCreateAclsResponse, ErrorCode,
  type CreateAclsRequest, type CreateAclsResponse
} from '../../protocol/index.js'
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'

/** Kafka's wording for the SECURITY_DISABLED answers. */
export const NO_AUTHORIZER = { errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.' }
export const CLUSTER_DENIED = { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.' }

export const createAclsHandler = defineHandler<CreateAclsRequest, CreateAclsResponse>({
  api: createAclsApi,
  decode: decodeCreateAclsRequest,
  encode: encodeCreateAclsResponse,
  handle (request, context) {
    const authorizer = context.broker.authorizer
    if (authorizer === null) return { throttleTimeMs: 0, results: request.creations.map(() => ({ ...NO_AUTHORIZER })) }
    if (!allowed(context, AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return { throttleTimeMs: 0, results: request.creations.map(() => ({ ...CLUSTER_DENIED })) }
    }
    const results = authorizer.create(request.creations.map(c => ({
      resourceType: c.resourceType, resourceName: c.resourceName, patternType: c.resourcePatternType,
      principal: c.principal, host: c.host, operation: c.operation, permissionType: c.permissionType
    })))
    return { throttleTimeMs: 0, results }
  }
})
