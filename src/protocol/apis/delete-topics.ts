// DeleteTopics · key 20 · v0–v6 · flexible from v4
//   v1 response +throttleTimeMs
//   v4 flexible
//   v5 response +responses.errorMessage
//   v6 request +topics -topicNames · response responses.name nullable +responses.topicId
//   Not supported: nothing in the spec range. Plan: platformatic implements v6 only.
import type { DeleteTopicsRequest, DeleteTopicsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const deleteTopicsApi = registerApi({ key: 20, name: 'DeleteTopics', minVersion: 0, maxVersion: 6, flexibleFrom: 4 })

const codec = apiCodec<DeleteTopicsRequest, DeleteTopicsResponse>(deleteTopicsApi)
export const decodeDeleteTopicsRequest = codec.decodeRequest
export const encodeDeleteTopicsResponse = codec.encodeResponse
export const encodeDeleteTopicsRequest = codec.encodeRequest
export const decodeDeleteTopicsResponse = codec.decodeResponse
