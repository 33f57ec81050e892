// DeleteRecords · key 21 · v0–v2 · flexible from v2
//   v2 flexible
//   Not supported: nothing in the spec range.
import type { DeleteRecordsRequest, DeleteRecordsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const deleteRecordsApi = registerApi({ key: 21, name: 'DeleteRecords', minVersion: 0, maxVersion: 2, flexibleFrom: 2 })

const codec = apiCodec<DeleteRecordsRequest, DeleteRecordsResponse>(deleteRecordsApi)
export const decodeDeleteRecordsRequest = codec.decodeRequest
export const encodeDeleteRecordsResponse = codec.encodeResponse
export const encodeDeleteRecordsRequest = codec.encodeRequest
export const decodeDeleteRecordsResponse = codec.decodeResponse
