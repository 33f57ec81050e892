// DescribeConfigs · key 32 · v0–v4 · flexible from v4
//   v1 request +includeSynonyms · response -configs.isDefault +configs.configSource +configs.synonyms
//   v3 request +includeDocumentation · response +configs.configType +configs.documentation
//   v4 flexible
//   Not supported: nothing in the spec range.
import type { DescribeConfigsRequest, DescribeConfigsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const describeConfigsApi = registerApi({ key: 32, name: 'DescribeConfigs', minVersion: 0, maxVersion: 4, flexibleFrom: 4 })

const codec = apiCodec<DescribeConfigsRequest, DescribeConfigsResponse>(describeConfigsApi)
export const decodeDescribeConfigsRequest = codec.decodeRequest
export const encodeDescribeConfigsResponse = codec.encodeResponse
export const encodeDescribeConfigsRequest = codec.encodeRequest
export const decodeDescribeConfigsResponse = codec.decodeResponse
