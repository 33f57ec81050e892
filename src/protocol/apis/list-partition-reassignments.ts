// ListPartitionReassignments · key 46 · v0 · flexible from v0

//   Not supported: nothing in the spec range. Plan: kafkajs admin only.
import type { ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const listPartitionReassignmentsApi = registerApi({ key: 46, name: 'ListPartitionReassignments', minVersion: 0, maxVersion: 0, flexibleFrom: 0 })

const codec = apiCodec<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>(listPartitionReassignmentsApi)
export const decodeListPartitionReassignmentsRequest = codec.decodeRequest
export const encodeListPartitionReassignmentsResponse = codec.encodeResponse
export const encodeListPartitionReassignmentsRequest = codec.encodeRequest
export const decodeListPartitionReassignmentsResponse = codec.decodeResponse
