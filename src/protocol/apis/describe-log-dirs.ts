// DescribeLogDirs · key 35 · v1–v4 · flexible from v2
//   v2 flexible
//   v3 response +errorCode
//   v4 response +results.totalBytes +results.usableBytes
//   Not supported: v0–v0.
import type { DescribeLogDirsRequest, DescribeLogDirsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const describeLogDirsApi = registerApi({ key: 35, name: 'DescribeLogDirs', minVersion: 1, maxVersion: 4, flexibleFrom: 2 })

const codec = apiCodec<DescribeLogDirsRequest, DescribeLogDirsResponse>(describeLogDirsApi)
export const decodeDescribeLogDirsRequest = codec.decodeRequest
export const encodeDescribeLogDirsResponse = codec.encodeResponse
export const encodeDescribeLogDirsRequest = codec.encodeRequest
export const decodeDescribeLogDirsResponse = codec.decodeResponse
