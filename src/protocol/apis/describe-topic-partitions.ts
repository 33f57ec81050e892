// DescribeTopicPartitions · key 75 · v0 · flexible from v0

//   Not supported: nothing in the spec range. Plan: Java admin falls back to Metadata when absent.
import type { DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const describeTopicPartitionsApi = registerApi({ key: 75, name: 'DescribeTopicPartitions', minVersion: 0, maxVersion: 0, flexibleFrom: 0 })

const codec = apiCodec<DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse>(describeTopicPartitionsApi)
export const decodeDescribeTopicPartitionsRequest = codec.decodeRequest
export const encodeDescribeTopicPartitionsResponse = codec.encodeResponse
export const encodeDescribeTopicPartitionsRequest = codec.encodeRequest
export const decodeDescribeTopicPartitionsResponse = codec.decodeResponse
