// AddPartitionsToTxn · key 24 · v0–v5 · flexible from v3
//   v3 flexible
//   v4 request +transactions -v3AndBelowTransactionalId -v3AndBelowProducerId -v3AndBelowProducerEpoch -v3AndBelowTopics · response +errorCode +resultsByTransaction -resultsByTopicV3AndBelow
//   Not supported: nothing in the spec range. Plan: v4+ batched Transactions[] layout (platformatic sends v5 when advertised); Java caps at v3.
import type { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const addPartitionsToTxnApi = registerApi({ key: 24, name: 'AddPartitionsToTxn', minVersion: 0, maxVersion: 5, flexibleFrom: 3 })

const codec = apiCodec<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>(addPartitionsToTxnApi)
export const decodeAddPartitionsToTxnRequest = codec.decodeRequest
export const encodeAddPartitionsToTxnResponse = codec.encodeResponse
export const encodeAddPartitionsToTxnRequest = codec.encodeRequest
export const decodeAddPartitionsToTxnResponse = codec.decodeResponse
