// DescribeCluster · key 60 · v0–v1 · flexible from v0
//   v1 request +endpointType · response +endpointType
//   Not supported: nothing in the spec range. Plan: Java admin prefers it when advertised.
import type { DescribeClusterRequest, DescribeClusterResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const describeClusterApi = registerApi({ key: 60, name: 'DescribeCluster', minVersion: 0, maxVersion: 1, flexibleFrom: 0 })

const codec = apiCodec<DescribeClusterRequest, DescribeClusterResponse>(describeClusterApi)
export const decodeDescribeClusterRequest = codec.decodeRequest
export const encodeDescribeClusterResponse = codec.encodeResponse
export const encodeDescribeClusterRequest = codec.encodeRequest
export const decodeDescribeClusterResponse = codec.decodeResponse
