// EndTxn · key 26 · v0–v4 · flexible from v3
//   v3 flexible
//   Not supported: v5. Plan: do not advertise v5 (KIP-890 TV2).
import type { EndTxnRequest, EndTxnResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const endTxnApi = registerApi({ key: 26, name: 'EndTxn', minVersion: 0, maxVersion: 4, flexibleFrom: 3 })

const codec = apiCodec<EndTxnRequest, EndTxnResponse>(endTxnApi)
export const decodeEndTxnRequest = codec.decodeRequest
export const encodeEndTxnResponse = codec.encodeResponse
export const encodeEndTxnRequest = codec.encodeRequest
export const decodeEndTxnResponse = codec.decodeResponse
