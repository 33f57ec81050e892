// ListTransactions · key 66 · v0–v1 · flexible from v0
//   v1 request +durationFilter
//   Not supported: nothing in the spec range.
import type { ListTransactionsRequest, ListTransactionsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const listTransactionsApi = registerApi({ key: 66, name: 'ListTransactions', minVersion: 0, maxVersion: 1, flexibleFrom: 0 })

const codec = apiCodec<ListTransactionsRequest, ListTransactionsResponse>(listTransactionsApi)
export const decodeListTransactionsRequest = codec.decodeRequest
export const encodeListTransactionsResponse = codec.encodeResponse
export const encodeListTransactionsRequest = codec.encodeRequest
export const decodeListTransactionsResponse = codec.decodeResponse
