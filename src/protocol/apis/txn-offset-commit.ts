// TxnOffsetCommit · key 28 · v0–v4 · flexible from v3
//   v2 request +partitions.committedLeaderEpoch
//   v3 flexible · request +generationId +memberId +groupInstanceId
//   Not supported: nothing in the spec range. Plan: do not advertise v5 (KIP-890 TV2).
import type { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const txnOffsetCommitApi = registerApi({ key: 28, name: 'TxnOffsetCommit', minVersion: 0, maxVersion: 4, flexibleFrom: 3 })

const codec = apiCodec<TxnOffsetCommitRequest, TxnOffsetCommitResponse>(txnOffsetCommitApi)
export const decodeTxnOffsetCommitRequest = codec.decodeRequest
export const encodeTxnOffsetCommitResponse = codec.encodeResponse
export const encodeTxnOffsetCommitRequest = codec.encodeRequest
export const decodeTxnOffsetCommitResponse = codec.decodeResponse
