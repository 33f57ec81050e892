// IncrementalAlterConfigs · key 44 · v0–v1 · flexible from v1
//   v1 flexible
//   Not supported: nothing in the spec range.
import type { IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const incrementalAlterConfigsApi = registerApi({ key: 44, name: 'IncrementalAlterConfigs', minVersion: 0, maxVersion: 1, flexibleFrom: 1 })

const codec = apiCodec<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>(incrementalAlterConfigsApi)
export const decodeIncrementalAlterConfigsRequest = codec.decodeRequest
export const encodeIncrementalAlterConfigsResponse = codec.encodeResponse
export const encodeIncrementalAlterConfigsRequest = codec.encodeRequest
export const decodeIncrementalAlterConfigsResponse = codec.decodeResponse
