// OffsetFetch · key 9 · v1–v9 · flexible from v6
//   v2 request topics nullable · response +errorCode
//   v3 response +throttleTimeMs
//   v5 response +partitions.committedLeaderEpoch
//   v6 flexible
//   v7 request +requireStable
//   v8 request -groupId -topics +groups · response -topics -errorCode +groups
//   v9 request +groups.memberId +groups.memberEpoch
//   Not supported: v0–v0. Plan: v8+ multi-group layout (platformatic uses 8-9 only).
import type { OffsetFetchRequest, OffsetFetchResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const offsetFetchApi = registerApi({ key: 9, name: 'OffsetFetch', minVersion: 1, maxVersion: 9, flexibleFrom: 6 })

const codec = apiCodec<OffsetFetchRequest, OffsetFetchResponse>(offsetFetchApi)
export const decodeOffsetFetchRequest = codec.decodeRequest
export const encodeOffsetFetchResponse = codec.encodeResponse
export const encodeOffsetFetchRequest = codec.encodeRequest
export const decodeOffsetFetchResponse = codec.decodeResponse
