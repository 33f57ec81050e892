// Metadata · key 3 · v0–v12 · flexible from v9
//   v1 request topics nullable · response +brokers.rack +controllerId +topics.isInternal
//   v2 response +clusterId
//   v3 response +throttleTimeMs
//   v4 request +allowAutoTopicCreation
//   v5 response +partitions.offlineReplicas
//   v7 response +partitions.leaderEpoch
//   v8 request +includeClusterAuthorizedOperations +includeTopicAuthorizedOperations · response +topics.topicAuthorizedOperations +clusterAuthorizedOperations
//   v9 flexible
//   v10 request +topics.topicId topics.name nullable · response +topics.topicId
//   v11 request -includeClusterAuthorizedOperations · response -clusterAuthorizedOperations
//   v12 response topics.name nullable
//   Not supported: nothing in the spec range. Plan: kafka-python 2.0.2 sends v0 during its version probe.
import type { MetadataRequest, MetadataResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const metadataApi = registerApi({ key: 3, name: 'Metadata', minVersion: 0, maxVersion: 12, flexibleFrom: 9 })

const codec = apiCodec<MetadataRequest, MetadataResponse>(metadataApi)
export const decodeMetadataRequest = codec.decodeRequest
export const encodeMetadataResponse = codec.encodeResponse
export const encodeMetadataRequest = codec.encodeRequest
export const decodeMetadataResponse = codec.decodeResponse
