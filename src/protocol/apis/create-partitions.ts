// CreatePartitions · key 37 · v0–v3 · flexible from v2
//   v2 flexible
//   Not supported: nothing in the spec range.
import type { CreatePartitionsRequest, CreatePartitionsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const createPartitionsApi = registerApi({ key: 37, name: 'CreatePartitions', minVersion: 0, maxVersion: 3, flexibleFrom: 2 })

const codec = apiCodec<CreatePartitionsRequest, CreatePartitionsResponse>(createPartitionsApi)
export const decodeCreatePartitionsRequest = codec.decodeRequest
export const encodeCreatePartitionsResponse = codec.encodeResponse
export const encodeCreatePartitionsRequest = codec.encodeRequest
export const decodeCreatePartitionsResponse = codec.decodeResponse
