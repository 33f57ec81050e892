// CreateTopics · key 19 · v0–v7 · flexible from v5
//   v1 request +validateOnly · response +topics.errorMessage
//   v2 response +throttleTimeMs
//   v5 flexible · response +topics.topicConfigErrorCode +topics.numPartitions +topics.replicationFactor +topics.configs
//   v7 response +topics.topicId
//   Not supported: nothing in the spec range. Plan: platformatic implements v7 only.
import type { CreateTopicsRequest, CreateTopicsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const createTopicsApi = registerApi({ key: 19, name: 'CreateTopics', minVersion: 0, maxVersion: 7, flexibleFrom: 5 })

const codec = apiCodec<CreateTopicsRequest, CreateTopicsResponse>(createTopicsApi)
export const decodeCreateTopicsRequest = codec.decodeRequest
export const encodeCreateTopicsResponse = codec.encodeResponse
export const encodeCreateTopicsRequest = codec.encodeRequest
export const decodeCreateTopicsResponse = codec.decodeResponse
