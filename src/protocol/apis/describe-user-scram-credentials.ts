// DescribeUserScramCredentials · key 50 · v0 · flexible from v0
//   Not supported: nothing in the spec range. Answered from the SCRAM credential store (src/broker/sasl).
import type { DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const describeUserScramCredentialsApi = registerApi({ key: 50, name: 'DescribeUserScramCredentials', minVersion: 0, maxVersion: 0, flexibleFrom: 0 })

const codec = apiCodec<DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse>(describeUserScramCredentialsApi)
export const decodeDescribeUserScramCredentialsRequest = codec.decodeRequest
export const encodeDescribeUserScramCredentialsResponse = codec.encodeResponse
export const encodeDescribeUserScramCredentialsRequest = codec.encodeRequest
export const decodeDescribeUserScramCredentialsResponse = codec.decodeResponse
