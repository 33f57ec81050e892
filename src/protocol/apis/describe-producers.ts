// DescribeProducers · key 61 · v0 · flexible from v0

//   Not supported: nothing in the spec range.
import type { DescribeProducersRequest, DescribeProducersResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const describeProducersApi = registerApi({ key: 61, name: 'DescribeProducers', minVersion: 0, maxVersion: 0, flexibleFrom: 0 })

const codec = apiCodec<DescribeProducersRequest, DescribeProducersResponse>(describeProducersApi)
export const decodeDescribeProducersRequest = codec.decodeRequest
export const encodeDescribeProducersResponse = codec.encodeResponse
export const encodeDescribeProducersRequest = codec.encodeRequest
export const decodeDescribeProducersResponse = codec.decodeResponse
