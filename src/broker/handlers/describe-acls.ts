// DescribeAcls: Sluice has no authorizer (every client may do everything, like a Kafka broker without
// authorizer.class.name), so it answers as such a Kafka broker does: SECURITY_DISABLED, no ACLs.
// Admin tools then report "security is disabled" instead of "the broker does not support ACLs".
import {
  decodeDescribeAclsRequest, describeAclsApi, encodeDescribeAclsResponse, ErrorCode,
  type DescribeAclsRequest, type DescribeAclsResponse
} from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const describeAclsHandler = defineHandler<DescribeAclsRequest, DescribeAclsResponse>({
  api: describeAclsApi,
  decode: decodeDescribeAclsRequest,
  encode: encodeDescribeAclsResponse,
  handle () {
    return { throttleTimeMs: 0, errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured on the broker', resources: [] }
  }
})
