// DescribeQuorum · key 55 · v0–v2 · flexible from v0
//   v1 response +lastFetchTimestamp/lastCaughtUpTimestamp per replica
//   v2 response +errorMessage (top level and per partition), +replicaDirectoryId per replica, +nodes
//   Not supported: nothing in the spec range.
import type { DescribeQuorumRequest, DescribeQuorumResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const describeQuorumApi = registerApi({ key: 55, name: 'DescribeQuorum', minVersion: 0, maxVersion: 2, flexibleFrom: 0 })

const codec = apiCodec<DescribeQuorumRequest, DescribeQuorumResponse>(describeQuorumApi)
export const decodeDescribeQuorumRequest = codec.decodeRequest
export const encodeDescribeQuorumResponse = codec.encodeResponse
export const encodeDescribeQuorumRequest = codec.encodeRequest
export const decodeDescribeQuorumResponse = codec.decodeResponse
