// Fetch · key 1 · v4–v17 · flexible from v12
//   v5 request +partitions.logStartOffset · response +partitions.logStartOffset
//   v7 request +sessionId +sessionEpoch +forgottenTopicsData · response +errorCode +sessionId
//   v9 request +partitions.currentLeaderEpoch
//   v11 request +rackId · response +partitions.preferredReadReplica
//   v12 flexible · request +clusterId +partitions.lastFetchedEpoch · response +partitions.divergingEpoch +partitions.currentLeader +partitions.snapshotId
//   v13 request -topics.topic +topics.topicId -forgottenTopicsData.topic +forgottenTopicsData.topicId · response -responses.topic +responses.topicId
//   v15 request -replicaId +replicaState
//   v16 response +nodeEndpoints
//   v17 request +partitions.replicaDirectoryId
//   Not supported: v0–v3. Plan: v13+ identifies topics by UUID; sessionless (SessionId 0) is acceptable.
import type { FetchRequest, FetchResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const fetchApi = registerApi({ key: 1, name: 'Fetch', minVersion: 4, maxVersion: 17, flexibleFrom: 12 })

const codec = apiCodec<FetchRequest, FetchResponse>(fetchApi)
export const decodeFetchRequest = codec.decodeRequest
export const encodeFetchResponse = codec.encodeResponse
export const encodeFetchRequest = codec.encodeRequest
export const decodeFetchResponse = codec.decodeResponse
