// FindCoordinator · key 10 · v0–v6 · flexible from v3
//   v1 request +keyType · response +throttleTimeMs +errorMessage
//   v3 flexible
//   v4 request -key +coordinatorKeys · response -errorCode -errorMessage -nodeId -host -port +coordinators
//   Not supported: nothing in the spec range. Plan: v0 must be advertised (librdkafka<2.11 group-coordinator and LZ4 probes); v4+ batched.
import type { FindCoordinatorRequest, FindCoordinatorResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const findCoordinatorApi = registerApi({ key: 10, name: 'FindCoordinator', minVersion: 0, maxVersion: 6, flexibleFrom: 3 })

const codec = apiCodec<FindCoordinatorRequest, FindCoordinatorResponse>(findCoordinatorApi)
export const decodeFindCoordinatorRequest = codec.decodeRequest
export const encodeFindCoordinatorResponse = codec.encodeResponse
export const encodeFindCoordinatorRequest = codec.encodeRequest
export const decodeFindCoordinatorResponse = codec.decodeResponse
