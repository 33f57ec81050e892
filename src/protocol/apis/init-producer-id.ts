// InitProducerId · key 22 · v0–v5 · flexible from v2
//   v2 flexible
//   v3 request +producerId +producerEpoch
//   Not supported: nothing in the spec range. Plan: required by the default (idempotent) Java producer; v0 advertised for librdkafka<2.11.
import type { InitProducerIdRequest, InitProducerIdResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const initProducerIdApi = registerApi({ key: 22, name: 'InitProducerId', minVersion: 0, maxVersion: 5, flexibleFrom: 2 })

const codec = apiCodec<InitProducerIdRequest, InitProducerIdResponse>(initProducerIdApi)
export const decodeInitProducerIdRequest = codec.decodeRequest
export const encodeInitProducerIdResponse = codec.encodeResponse
export const encodeInitProducerIdRequest = codec.encodeRequest
export const decodeInitProducerIdResponse = codec.decodeResponse
