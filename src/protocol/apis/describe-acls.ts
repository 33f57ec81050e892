// DescribeAcls · key 29 · v0–v3 · flexible from v2
//   v1 request +patternTypeFilter · response +resources.patternType
//   v2 flexible
//   Without an authorizer (authorizer.class.name) every request is answered SECURITY_DISABLED, as Kafka does.
import type { DescribeAclsRequest, DescribeAclsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const describeAclsApi = registerApi({ key: 29, name: 'DescribeAcls', minVersion: 0, maxVersion: 3, flexibleFrom: 2 })

const codec = apiCodec<DescribeAclsRequest, DescribeAclsResponse>(describeAclsApi)
export const decodeDescribeAclsRequest = codec.decodeRequest
export const encodeDescribeAclsResponse = codec.encodeResponse
export const encodeDescribeAclsRequest = codec.encodeRequest
export const decodeDescribeAclsResponse = codec.decodeResponse
