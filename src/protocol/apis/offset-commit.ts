// OffsetCommit · key 8 · v2–v9 · flexible from v8
//   v3 response +throttleTimeMs
//   v5 request -retentionTimeMs
//   v6 request +partitions.committedLeaderEpoch
//   v7 request +groupInstanceId
//   v8 flexible
//   Not supported: v0–v1.
import type { OffsetCommitRequest, OffsetCommitResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const offsetCommitApi = registerApi({ key: 8, name: 'OffsetCommit', minVersion: 2, maxVersion: 9, flexibleFrom: 8 })

const codec = apiCodec<OffsetCommitRequest, OffsetCommitResponse>(offsetCommitApi)
export const decodeOffsetCommitRequest = codec.decodeRequest
export const encodeOffsetCommitResponse = codec.encodeResponse
export const encodeOffsetCommitRequest = codec.encodeRequest
export const decodeOffsetCommitResponse = codec.decodeResponse
