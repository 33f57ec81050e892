// AlterPartitionReassignments · key 45 · v0 · flexible from v0

//   Not supported: nothing in the spec range. Plan: kafkajs admin only.
import type { AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const alterPartitionReassignmentsApi = registerApi({ key: 45, name: 'AlterPartitionReassignments', minVersion: 0, maxVersion: 0, flexibleFrom: 0 })

const codec = apiCodec<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>(alterPartitionReassignmentsApi)
export const decodeAlterPartitionReassignmentsRequest = codec.decodeRequest
export const encodeAlterPartitionReassignmentsResponse = codec.encodeResponse
export const encodeAlterPartitionReassignmentsRequest = codec.encodeRequest
export const decodeAlterPartitionReassignmentsResponse = codec.decodeResponse
