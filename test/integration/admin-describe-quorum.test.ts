// DescribeQuorum (key 55, what the Java admin's describeMetadataQuorum sends) as a single combined
// KRaft node answers it: one voter that leads, no observers. Through @platformatic/kafka 1.35's
// describeQuorumV2 module, and v0 built with its Writer/Reader and createAPI (no client sends v0 or v1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Connection, createAPI, describeQuorumV2, type Reader, Writer } from '@platformatic/kafka'
import { answer } from '../helpers/platformatic.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { askApiVersions } from './support/raw-api.js'

const DESCRIBE_QUORUM = 55
const INVALID_REQUEST = 42
const METADATA = [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }]

// v0: topics and partitions as in v2; the answer has no error messages, timestamps, directory ids or nodes.
const describeQuorumV0 = createAPI<[typeof METADATA], unknown>(DESCRIBE_QUORUM, 0,
  (topics: typeof METADATA) => Writer.create()
    .appendArray(topics, (w, t) => { w.appendString(t.topicName).appendArray(t.partitions, (p, x) => { p.appendInt32(x.partitionIndex) }) })
    .appendTaggedFields(),
  (_correlationId: number, _apiKey: number, _apiVersion: number, r: Reader) => {
    const replica = (s: Reader): unknown => ({ replicaId: s.readInt32(), logEndOffset: s.readInt64() })
    return {
      errorCode: r.readInt16(),
      topics: r.readArray(t => ({
        topicName: t.readString(),
        partitions: t.readArray(p => ({
          partitionIndex: p.readInt32(),
          errorCode: p.readInt16(),
          leaderId: p.readInt32(),
          leaderEpoch: p.readInt32(),
          highWatermark: p.readInt64(),
          currentVoters: p.readArray(replica),
          observers: p.readArray(replica)
        }))
      }))
    }
  })

let broker: RunningBroker
let connection: Connection

beforeAll(async () => {
  broker = await startBroker()
  connection = new Connection('sluice-quorum-raw')
  await connection.connect(broker.host, broker.port)
})

afterAll(async () => {
  await connection?.close()
  await broker?.stop()
})

describe('DescribeQuorum', () => {
  it('v2 reports this node as the one voter and leader, with its listener', async () => {
    const before = Date.now()
    const response = await describeQuorumV2.api.async(connection, METADATA)
    expect(response).toMatchObject({
      errorCode: 0,
      errorMessage: null,
      topics: [{
        topicName: '__cluster_metadata',
        partitions: [{
          partitionIndex: 0, errorCode: 0, leaderId: 0, leaderEpoch: 1, highWatermark: 0n,
          currentVoters: [{ replicaId: 0, replicaDirectoryId: expect.any(String), logEndOffset: 0n }],
          observers: []
        }]
      }],
      nodes: [{ nodeId: 0, listeners: [{ name: 'PLAINTEXT', host: broker.host, port: broker.port }] }]
    })
    const voter = response.topics[0]?.partitions[0]?.currentVoters[0]
    expect(Number(voter?.lastFetchTimestamp)).toBeGreaterThanOrEqual(before)
    expect(Number(voter?.lastCaughtUpTimestamp)).toBeGreaterThanOrEqual(before)
  })

  it('v0 carries the same quorum without timestamps', async () => {
    expect(await describeQuorumV0.async(connection, METADATA)).toEqual({
      errorCode: 0,
      topics: [{
        topicName: '__cluster_metadata',
        partitions: [{ partitionIndex: 0, errorCode: 0, leaderId: 0, leaderEpoch: 1, highWatermark: 0n, currentVoters: [{ replicaId: 0, logEndOffset: 0n }], observers: [] }]
      }]
    })
  })

  it('any partition but __cluster_metadata-0 is INVALID_REQUEST, and the broker keeps answering', async () => {
    for (const topics of [[{ topicName: 'orders', partitions: [{ partitionIndex: 0 }] }], [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 1 }] }], []]) {
      const response = await answer(describeQuorumV2.api.async(connection, topics))
      expect(response).toMatchObject({ errorCode: INVALID_REQUEST, topics: [] })
    }
    expect((await askApiVersions(broker.host, broker.port)).errorCode).toBe(0)
  })
})
