// OffsetForLeaderEpoch · key 23 · v0–v4 · flexible from v4
//   v1 response +partitions.leaderEpoch
//   v2 request +partitions.currentLeaderEpoch · response +throttleTimeMs
//   v3 request +replicaId
//   v4 flexible
//   Not supported: nothing in the spec range. Plan: Java consumer position validation needs v3+; platformatic implements v4 only.
import type { OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const offsetForLeaderEpochApi = registerApi({ key: 23, name: 'OffsetForLeaderEpoch', minVersion: 0, maxVersion: 4, flexibleFrom: 4 })

const codec = apiCodec<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>(offsetForLeaderEpochApi)
export const decodeOffsetForLeaderEpochRequest = codec.decodeRequest
export const encodeOffsetForLeaderEpochResponse = codec.encodeResponse
export const encodeOffsetForLeaderEpochRequest = codec.encodeRequest
export const decodeOffsetForLeaderEpochResponse = codec.decodeResponse
