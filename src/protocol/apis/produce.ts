// Produce · key 0 · v3–v11 (advertised v0–v11) · flexible from v9
//   v1 response +throttleTimeMs
//   v2 response +partitionResponses.logAppendTimeMs
//   v3 request +transactionalId
//   v5 response +partitionResponses.logStartOffset
//   v8 response +partitionResponses.recordErrors +partitionResponses.errorMessage
//   v9 flexible
//   v10 response +partitionResponses.currentLeader +nodeEndpoints
//   Not supported: v0–v2. Plan: v0-2 advertised (librdkafka<2.11 compression probe, KAFKA-18659) but not served.
import type { ProduceRequest, ProduceResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const produceApi = registerApi({ key: 0, name: 'Produce', minVersion: 3, maxVersion: 11, advertiseMin: 0, flexibleFrom: 9 })

const codec = apiCodec<ProduceRequest, ProduceResponse>(produceApi)
export const decodeProduceRequest = codec.decodeRequest
export const encodeProduceResponse = codec.encodeResponse
export const encodeProduceRequest = codec.encodeRequest
export const decodeProduceResponse = codec.decodeResponse
