// AddOffsetsToTxn · key 25 · v0–v4 · flexible from v3
//   v3 flexible
//   Not supported: nothing in the spec range.
import type { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const addOffsetsToTxnApi = registerApi({ key: 25, name: 'AddOffsetsToTxn', minVersion: 0, maxVersion: 4, flexibleFrom: 3 })

const codec = apiCodec<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>(addOffsetsToTxnApi)
export const decodeAddOffsetsToTxnRequest = codec.decodeRequest
export const encodeAddOffsetsToTxnResponse = codec.encodeResponse
export const encodeAddOffsetsToTxnRequest = codec.encodeRequest
export const decodeAddOffsetsToTxnResponse = codec.decodeResponse
