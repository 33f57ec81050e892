// DescribeTransactions · key 65 · v0 · flexible from v0

//   Not supported: nothing in the spec range.
import type { DescribeTransactionsRequest, DescribeTransactionsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const describeTransactionsApi = registerApi({ key: 65, name: 'DescribeTransactions', minVersion: 0, maxVersion: 0, flexibleFrom: 0 })

const codec = apiCodec<DescribeTransactionsRequest, DescribeTransactionsResponse>(describeTransactionsApi)
export const decodeDescribeTransactionsRequest = codec.decodeRequest
export const encodeDescribeTransactionsResponse = codec.encodeResponse
export const encodeDescribeTransactionsRequest = codec.encodeRequest
export const decodeDescribeTransactionsResponse = codec.decodeResponse
