// DescribeAcls: without an authorizer, Sluice answers as a Kafka broker without authorizer.class.name
// does: SECURITY_DISABLED, no ACLs (admin tools then report "security is disabled" instead of "the
// broker does not support ACLs"). With one, DESCRIBE on the cluster is needed; the ACLs the filter
// selects are answered grouped by resource pattern.
import {
  decodeDescribeAclsRequest, describeAclsApi, encodeDescribeAclsResponse, ErrorCode, KafkaError,
  type DescribeAclsRequest, type DescribeAclsResponse, type DescribeAclsResponseDescribeAclsResource
} from '../../protocol/index.js'
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/bindings.js'
import { allowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'
import { CLUSTER_DENIED } from './create-acls.js'

export const describeAclsHandler = defineHandler<DescribeAclsRequest, DescribeAclsResponse>({
  api: describeAclsApi,
  decode: decodeDescribeAclsRequest,
  encode: encodeDescribeAclsResponse,
  handle (request, context) {
    const authorizer = context.broker.authorizer
    const failed = (errorCode: number, errorMessage: string): DescribeAclsResponse => ({ throttleTimeMs: 0, errorCode, errorMessage, resources: [] })
    if (authorizer === null) return failed(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker')
    if (!allowed(context, AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME)) return failed(CLUSTER_DENIED.errorCode, CLUSTER_DENIED.errorMessage)
    let bindings
    try {
      bindings = authorizer.describe({
        resourceType: request.resourceTypeFilter,
        resourceName: request.resourceNameFilter,
        patternType: request.patternTypeFilter,
        principal: request.principalFilter,
        host: request.hostFilter,
        operation: request.operation,
        permissionType: request.permissionType
      })
    } catch (error) {
      if (!(error instanceof KafkaError)) throw error
      return failed(error.code, error.message)
    }
    const resources = new Map<string, DescribeAclsResponseDescribeAclsResource>()
    for (const b of bindings) {
      const key = JSON.stringify([b.resourceType, b.resourceName, b.patternType])
      let resource = resources.get(key)
      if (resource === undefined) {
        resources.set(key, resource = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] })
      }
      resource.acls.push({ principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType })
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources: [...resources.values()] }
  }
})
