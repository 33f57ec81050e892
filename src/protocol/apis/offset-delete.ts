// OffsetDelete · key 47 · v0 · never flexible

//   Not supported: nothing in the spec range.
import type { OffsetDeleteRequest, OffsetDeleteResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const offsetDeleteApi = registerApi({ key: 47, name: 'OffsetDelete', minVersion: 0, maxVersion: 0, flexibleFrom: null })

const codec = apiCodec<OffsetDeleteRequest, OffsetDeleteResponse>(offsetDeleteApi)
export const decodeOffsetDeleteRequest = codec.decodeRequest
export const encodeOffsetDeleteResponse = codec.encodeResponse
export const encodeOffsetDeleteRequest = codec.encodeRequest
export const decodeOffsetDeleteResponse = codec.decodeResponse
