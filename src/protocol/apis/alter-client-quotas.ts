// AlterClientQuotas · key 49 · v0–v1 · flexible from v1
//   v1 flexible
//   Not supported: nothing in the spec range.
import type { AlterClientQuotasRequest, AlterClientQuotasResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const alterClientQuotasApi = registerApi({ key: 49, name: 'AlterClientQuotas', minVersion: 0, maxVersion: 1, flexibleFrom: 1 })

const codec = apiCodec<AlterClientQuotasRequest, AlterClientQuotasResponse>(alterClientQuotasApi)
export const decodeAlterClientQuotasRequest = codec.decodeRequest
export const encodeAlterClientQuotasResponse = codec.encodeResponse
export const encodeAlterClientQuotasRequest = codec.encodeRequest
export const decodeAlterClientQuotasResponse = codec.decodeResponse
