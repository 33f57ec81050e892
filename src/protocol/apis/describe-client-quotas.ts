// DescribeClientQuotas · key 48 · v0–v1 · flexible from v1
//   v1 flexible
//   Not supported: nothing in the spec range.
import type { DescribeClientQuotasRequest, DescribeClientQuotasResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const describeClientQuotasApi = registerApi({ key: 48, name: 'DescribeClientQuotas', minVersion: 0, maxVersion: 1, flexibleFrom: 1 })

const codec = apiCodec<DescribeClientQuotasRequest, DescribeClientQuotasResponse>(describeClientQuotasApi)
export const decodeDescribeClientQuotasRequest = codec.decodeRequest
export const encodeDescribeClientQuotasResponse = codec.encodeResponse
export const encodeDescribeClientQuotasRequest = codec.encodeRequest
export const decodeDescribeClientQuotasResponse = codec.decodeResponse
