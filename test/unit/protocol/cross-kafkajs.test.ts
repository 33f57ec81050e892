// Cross-implementation checks against kafkajs 2.2.4, which speaks only the non-flexible versions.
// Requests: kafkajs encodes, we decode, re-encode, and must reproduce its bytes exactly.
// Responses: we encode, kafkajs decodes, and the values it reports must be the ones we sent.
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import {
  apiByKey, apiCodec, decodeRequestHeader, encodeApiVersionsResponse, encodeFindCoordinatorResponse,
  encodeJoinGroupResponse, encodeListOffsetsResponse, encodeMetadataResponse, encodeOffsetFetchResponse,
  encodeProduceResponse, encodeSyncGroupResponse, type MessageInput, type MetadataResponse
} from '../../../src/protocol/index.js'

const require = createRequire(import.meta.url)
interface KafkajsRequest { apiKey: number, apiVersion: number, encode: () => Promise<{ buffer: Buffer }> }
type KafkajsRequestFactory = (args: unknown) => KafkajsRequest
const kafkajsRequest = (dir: string, v: number): KafkajsRequestFactory => require(`kafkajs/src/protocol/requests/${dir}/v${v}/request.js`) as KafkajsRequestFactory
const kafkajsDecode = (dir: string, v: number): (body: Buffer) => Promise<Record<string, any>> =>
  (require(`kafkajs/src/protocol/requests/${dir}/v${v}/response.js`) as { decode: (body: Buffer) => Promise<Record<string, any>> }).decode

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i)
const fetchPartition = { partition: 3, fetchOffset: 1234567890123, logStartOffset: 5, maxBytes: 1048576, currentLeaderEpoch: 7 }
const message = { key: 'k', value: 'value-ü', headers: { h: 'x' }, timestamp: 1700000000000 }

const requestCases: Array<{ dir: string, versions: number[], args: unknown }> = [
  { dir: 'produce', versions: range(3, 7), args: { acks: -1, timeout: 30000, transactionalId: 'tx', topicData: [{ topic: 't1', partitions: [{ partition: 0, firstSequence: 3, messages: [message, message] }] }] } },
  { dir: 'fetch', versions: range(4, 11), args: { replicaId: -1, maxWaitTime: 500, minBytes: 1, maxBytes: 52428800, isolationLevel: 1, sessionId: 0, sessionEpoch: -1, rackId: 'rack-a', forgottenTopics: [{ topic: 'gone', partitions: [1, 2] }], topics: [{ topic: 'orders', partitions: [fetchPartition] }] } },
  { dir: 'listOffsets', versions: range(1, 3), args: { replicaId: -1, isolationLevel: 1, topics: [{ topic: 'orders', partitions: [{ partition: 0, timestamp: -2 }, { partition: 1, timestamp: 1700000000000 }] }] } },
  { dir: 'metadata', versions: range(0, 6), args: { topics: ['a', 'b-ü'], allowAutoTopicCreation: false } },
  { dir: 'apiVersions', versions: range(0, 2), args: {} },
  { dir: 'createTopics', versions: range(0, 3), args: { validateOnly: true, timeout: 1000, topics: [{ topic: 'new', numPartitions: 3, replicationFactor: 1, replicaAssignment: [{ partition: 0, replicas: [1] }], configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] } },
  { dir: 'deleteTopics', versions: range(0, 1), args: { topics: ['old', 'older'], timeout: 2000 } },
  { dir: 'joinGroup', versions: range(0, 5), args: { groupId: 'g', sessionTimeout: 10000, rebalanceTimeout: 60000, memberId: '', groupInstanceId: 'static-1', protocolType: 'consumer', groupProtocols: [{ name: 'range', metadata: Buffer.from([0, 1, 2]) }] } },
  { dir: 'syncGroup', versions: range(0, 3), args: { groupId: 'g', generationId: 4, memberId: 'm-1', groupInstanceId: null, groupAssignment: [{ memberId: 'm-1', memberAssignment: Buffer.from([9, 8]) }] } },
  { dir: 'offsetCommit', versions: range(2, 5), args: { groupId: 'g', groupGenerationId: 4, memberId: 'm-1', retentionTime: -1, topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '42', metadata: 'meta' }] }] } },
  { dir: 'offsetFetch', versions: range(1, 4), args: { groupId: 'g', topics: [{ topic: 'orders', partitions: [{ partition: 0 }, { partition: 1 }] }] } },
  { dir: 'findCoordinator', versions: range(0, 2), args: { groupId: 'g', coordinatorKey: 'g', coordinatorType: 0 } },
  { dir: 'heartbeat', versions: range(0, 3), args: { groupId: 'g', groupGenerationId: 4, memberId: 'm-1', groupInstanceId: null } },
  { dir: 'leaveGroup', versions: range(0, 3), args: { groupId: 'g', memberId: 'm-1', members: [{ memberId: 'm-1', groupInstanceId: 'i' }] } },
  { dir: 'initProducerId', versions: range(0, 1), args: { transactionalId: 'tx', transactionTimeout: 60000 } },
  { dir: 'endTxn', versions: range(0, 1), args: { transactionalId: 'tx', producerId: '77', producerEpoch: 2, transactionResult: true } },
  { dir: 'deleteGroups', versions: range(0, 1), args: ['g1', 'g2'] }
]

const flat = requestCases.flatMap((c) => c.versions.map((version) => ({ ...c, version, label: `${c.dir} v${version}` })))

describe('kafkajs request encoders and ours agree byte for byte', () => {
  it.each(flat)('$label', async ({ dir, version, args }) => {
    const request = kafkajsRequest(dir, version)(args)
    const body = (await request.encode()).buffer
    const api = apiByKey(request.apiKey)
    if (api === undefined) throw new Error(`key ${request.apiKey} not registered`)
    const codec = apiCodec<unknown, unknown>(api)
    const decoded = codec.decodeRequest(body, version)
    const frame = Buffer.concat(codec.encodeRequest(decoded, version, { correlationId: 1, clientId: 'kafkajs' })).subarray(4)
    const header = decodeRequestHeader(frame)
    expect(frame.subarray(frame.length - header.body.remaining)).toEqual(body)
  })
})

const metadata: MessageInput<MetadataResponse> = {
  throttleTimeMs: 0,
  brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }],
  clusterId: 'sluice-cluster',
  controllerId: 1,
  topics: [{ errorCode: 0, name: 'orders', isInternal: false, partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 3, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }] }]
}

async function kafkajsDecodes (dir: string, version: number, chunks: Buffer[]): Promise<Record<string, any>> {
  return await kafkajsDecode(dir, version)(Buffer.concat(chunks).subarray(8))
}

describe('kafkajs response decoders read what we encode', () => {
  it.each(range(0, 6))('Metadata v%i brokers and topics', async (v) => {
    const out = await kafkajsDecodes('metadata', v, encodeMetadataResponse(metadata, v, 5))
    expect(out.brokers).toEqual([expect.objectContaining({ nodeId: 1, host: 'localhost', port: 9092 })])
    expect(out.topicMetadata[0]).toMatchObject({ topic: 'orders', topicErrorCode: 0 })
    expect(out.topicMetadata[0].partitionMetadata[0]).toMatchObject({ partitionId: 0, leader: 1, replicas: [1], isr: [1] })
    if (v >= 2) expect(out.clusterId).toBe('sluice-cluster')
  })

  it.each(range(0, 2))('ApiVersions v%i lists the keys', async (v) => {
    const out = await kafkajsDecodes('apiVersions', v, encodeApiVersionsResponse({ errorCode: 0, apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 11 }, { apiKey: 18, minVersion: 0, maxVersion: 4 }] }, v, 1))
    expect(out.apiVersions).toEqual([{ apiKey: 0, minVersion: 0, maxVersion: 11 }, { apiKey: 18, minVersion: 0, maxVersion: 4 }])
  })

  it.each(range(0, 2))('FindCoordinator v%i names the coordinator', async (v) => {
    const out = await kafkajsDecodes('findCoordinator', v, encodeFindCoordinatorResponse({ errorCode: 0, nodeId: 1, host: 'h', port: 9093 }, v, 1))
    expect(out.coordinator).toEqual({ nodeId: 1, host: 'h', port: 9093 })
  })

  it.each(range(0, 5))('JoinGroup v%i reports generation, leader and members', async (v) => {
    const chunks = encodeJoinGroupResponse({ generationId: 7, protocolName: 'range', leader: 'm-1', memberId: 'm-1', members: [{ memberId: 'm-1', groupInstanceId: null, metadata: Buffer.from([1, 2]) }] }, v, 1)
    const out = await kafkajsDecodes('joinGroup', v, chunks)
    expect(out).toMatchObject({ generationId: 7, groupProtocol: 'range', leaderId: 'm-1', memberId: 'm-1' })
    expect(out.members[0]).toMatchObject({ memberId: 'm-1', memberMetadata: Buffer.from([1, 2]) })
  })

  it.each(range(0, 3))('SyncGroup v%i hands over the assignment', async (v) => {
    const out = await kafkajsDecodes('syncGroup', v, encodeSyncGroupResponse({ assignment: Buffer.from([4, 5, 6]) }, v, 1))
    expect(out.memberAssignment).toEqual(Buffer.from([4, 5, 6]))
  })

  it.each(range(1, 3))('ListOffsets v%i reports offsets', async (v) => {
    const chunks = encodeListOffsetsResponse({ topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1, offset: 123456789012 }] }] }, v, 1)
    const out = await kafkajsDecodes('listOffsets', v, chunks)
    expect(out.responses[0].topic).toBe('orders')
    expect(out.responses[0].partitions[0]).toMatchObject({ partition: 0, errorCode: 0, offset: '123456789012' })
  })

  it.each(range(3, 7))('Produce v%i reports the base offset', async (v) => {
    const chunks = encodeProduceResponse({ responses: [{ name: 'orders', partitionResponses: [{ index: 2, errorCode: 0, baseOffset: 9007199254740991, logAppendTimeMs: -1 }] }] }, v, 1)
    const out = await kafkajsDecodes('produce', v, chunks)
    expect(out.topics[0].topicName).toBe('orders')
    expect(out.topics[0].partitions[0]).toMatchObject({ partition: 2, errorCode: 0, baseOffset: '9007199254740991' })
  })

  it.each(range(1, 4))('OffsetFetch v%i reports committed offsets', async (v) => {
    const chunks = encodeOffsetFetchResponse({ topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 42, metadata: 'm', errorCode: 0 }] }] }, v, 1)
    const out = await kafkajsDecodes('offsetFetch', v, chunks)
    expect(out.responses[0].partitions[0]).toMatchObject({ partition: 0, offset: '42', metadata: 'm' })
  })
})
