// SyncGroup · key 14 · v0–v5 · flexible from v4
//   v1 response +throttleTimeMs
//   v3 request +groupInstanceId
//   v4 flexible
//   v5 request +protocolType +protocolName · response +protocolType +protocolName
//   Not supported: nothing in the spec range.
import type { SyncGroupRequest, SyncGroupResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const syncGroupApi = registerApi({ key: 14, name: 'SyncGroup', minVersion: 0, maxVersion: 5, flexibleFrom: 4 })

const codec = apiCodec<SyncGroupRequest, SyncGroupResponse>(syncGroupApi)
export const decodeSyncGroupRequest = codec.decodeRequest
export const encodeSyncGroupResponse = codec.encodeResponse
export const encodeSyncGroupRequest = codec.encodeRequest
export const decodeSyncGroupResponse = codec.decodeResponse
