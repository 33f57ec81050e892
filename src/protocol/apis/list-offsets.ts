// ListOffsets · key 2 · v1–v10 · flexible from v6
//   v2 request +isolationLevel · response +throttleTimeMs
//   v4 request +partitions.currentLeaderEpoch · response +partitions.leaderEpoch
//   v6 flexible
//   v10 request +timeoutMs
//   Not supported: v0–v0.
import type { ListOffsetsRequest, ListOffsetsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const listOffsetsApi = registerApi({ key: 2, name: 'ListOffsets', minVersion: 1, maxVersion: 10, flexibleFrom: 6 })

const codec = apiCodec<ListOffsetsRequest, ListOffsetsResponse>(listOffsetsApi)
export const decodeListOffsetsRequest = codec.decodeRequest
export const encodeListOffsetsResponse = codec.encodeResponse
export const encodeListOffsetsRequest = codec.encodeRequest
export const decodeListOffsetsResponse = codec.decodeResponse
