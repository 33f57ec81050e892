// Heartbeat · key 12 · v0–v4 · flexible from v4
//   v1 response +throttleTimeMs
//   v3 request +groupInstanceId
//   v4 flexible
//   Not supported: nothing in the spec range. Plan: platformatic implements v4 only.
import type { HeartbeatRequest, HeartbeatResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const heartbeatApi = registerApi({ key: 12, name: 'Heartbeat', minVersion: 0, maxVersion: 4, flexibleFrom: 4 })

const codec = apiCodec<HeartbeatRequest, HeartbeatResponse>(heartbeatApi)
export const decodeHeartbeatRequest = codec.decodeRequest
export const encodeHeartbeatResponse = codec.encodeResponse
export const encodeHeartbeatRequest = codec.encodeRequest
export const decodeHeartbeatResponse = codec.decodeResponse
