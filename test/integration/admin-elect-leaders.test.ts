// ElectLeaders (key 43) as a single-node KRaft Kafka answers it. No installed client has an
// electLeaders call (the Java admin's Admin.electLeaders is what sends it), so two independent
// encoders drive it: @platformatic/kafka's protocol Writer/Reader and createAPI for the flexible v2, on
// its own Connection, and test/helpers/wire.ts for the non-flexible v0 and v1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Admin, Connection, createAPI, type Reader, Writer } from '@platformatic/kafka'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { BodyReader, BodyWriter, WireConnection } from '../helpers/wire.js'

const ELECT_LEADERS = 43
const PREFERRED = 0
const UNCLEAN = 1
const UNKNOWN_TOPIC_OR_PARTITION = 3
const INVALID_REQUEST = 42
const ELECTION_NOT_NEEDED = 84
const NOT_NEEDED = 'Leader election not needed for topic partition.'
const TIMEOUT_MS = 10_000

interface PartitionResult { partitionId: number, errorCode: number, errorMessage: string | null }
interface ElectAnswer { throttleTimeMs: number, errorCode: number, results: Array<{ topic: string, partitions: PartitionResult[] }> }
type Wanted = Array<{ topic: string, partitions: number[] }> | null

// ElectLeaders v2 (flexible): election_type, topic_partitions (compact, nullable), timeout_ms.
const electLeadersV2 = createAPI<[number, Wanted, number], ElectAnswer>(ELECT_LEADERS, 2,
  (electionType: number, wanted: Wanted, timeoutMs: number) => Writer.create()
    .appendInt8(electionType)
    .appendArray(wanted, (w, t) => { w.appendString(t.topic).appendArray(t.partitions, (p, id) => p.appendInt32(id), true, false) })
    .appendInt32(timeoutMs)
    .appendTaggedFields(),
  (_correlationId: number, _apiKey: number, _apiVersion: number, r: Reader) => ({
    throttleTimeMs: r.readInt32(),
    errorCode: r.readInt16(),
    results: r.readArray(t => ({
      topic: t.readString(),
      partitions: t.readArray(p => ({ partitionId: p.readInt32(), errorCode: p.readInt16(), errorMessage: p.readNullableString() }))
    }))
  }))

let broker: RunningBroker
let connection: Connection

beforeAll(async () => {
  broker = await startBroker({ settings: { 'auto.create.topics.enable': false } })
  const admin = new Admin({ clientId: 'sluice-elect-admin', bootstrapBrokers: [broker.bootstrap], retries: 1, timeout: TIMEOUT_MS })
  try {
    await admin.createTopics({ topics: ['elect-a', 'elect-b'], partitions: 2, replicas: 1 })
  } finally {
    await admin.close()
  }
  connection = new Connection('sluice-elect-raw')
  await connection.connect(broker.host, broker.port)
})

afterAll(async () => {
  await connection?.close()
  await broker?.stop()
})

const notNeeded = (partitionId: number): PartitionResult => ({ partitionId, errorCode: ELECTION_NOT_NEEDED, errorMessage: NOT_NEEDED })

describe('ElectLeaders v2 through @platformatic/kafka', () => {
  it('a named partition needs no election, preferred or unclean; unknown topics and partitions are UNKNOWN_TOPIC_OR_PARTITION', async () => {
    for (const electionType of [PREFERRED, UNCLEAN]) {
      const answer = await electLeadersV2.async(connection, electionType, [{ topic: 'elect-a', partitions: [1, 0, 7] }, { topic: 'elect-missing', partitions: [0] }], TIMEOUT_MS)
      expect(answer).toEqual({
        throttleTimeMs: 0,
        errorCode: 0,
        results: [
          { topic: 'elect-a', partitions: [notNeeded(1), notNeeded(0), { partitionId: 7, errorCode: UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'No such partition as elect-a-7' }] },
          { topic: 'elect-missing', partitions: [{ partitionId: 0, errorCode: UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'No such topic as elect-missing' }] }
        ]
      })
    }
  })

  it('no topic list means every partition, and every topic is listed without the partitions that need no election', async () => {
    const answer = await electLeadersV2.async(connection, PREFERRED, null, TIMEOUT_MS)
    expect(answer.errorCode).toBe(0)
    expect(answer.results).toEqual(expect.arrayContaining([{ topic: 'elect-a', partitions: [] }, { topic: 'elect-b', partitions: [] }]))
    expect(answer.results.every(t => t.partitions.length === 0)).toBe(true)
  })

  it('an empty topic list elects nothing and answers nothing', async () => {
    expect(await electLeadersV2.async(connection, PREFERRED, [], TIMEOUT_MS)).toEqual({ throttleTimeMs: 0, errorCode: 0, results: [] })
  })

  it('an unknown election type is INVALID_REQUEST at the top and on every partition named', async () => {
    const answer = await electLeadersV2.async(connection, 5, [{ topic: 'elect-b', partitions: [0, 1] }], TIMEOUT_MS)
    const invalid = (partitionId: number): PartitionResult => ({ partitionId, errorCode: INVALID_REQUEST, errorMessage: 'Unknown election type 5' })
    expect(answer).toEqual({ throttleTimeMs: 0, errorCode: INVALID_REQUEST, results: [{ topic: 'elect-b', partitions: [invalid(0), invalid(1)] }] })
  })
})

describe('ElectLeaders v0 and v1 on the wire', () => {
  let wire: WireConnection
  let correlationId = 0

  beforeAll(async () => { wire = await WireConnection.open(broker.host, broker.port) })
  afterAll(() => { wire?.close() })

  async function call (apiVersion: number, body: BodyWriter): Promise<BodyReader> {
    const id = ++correlationId
    wire.send({ apiKey: ELECT_LEADERS, apiVersion, correlationId: id, clientId: 'sluice-elect-wire' }, body.finish())
    const response = await wire.nextResponse()
    expect(response.correlationId).toBe(id)
    return new BodyReader(response.body)
  }

  const topics = (w: BodyWriter): BodyWriter => w.array([['elect-b', [1]], ['elect-gone', [0]]] as const, (t, [topic, partitions]) =>
    t.string(topic).array(partitions, (p, id) => p.int32(id)))
  const readResults = (r: BodyReader): unknown[] =>
    r.array(t => ({ topic: t.string(), partitions: t.array(p => ({ partitionId: p.int32(), errorCode: p.int16(), errorMessage: p.string() })) }))
  const expected = [
    { topic: 'elect-b', partitions: [notNeeded(1)] },
    { topic: 'elect-gone', partitions: [{ partitionId: 0, errorCode: UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'No such topic as elect-gone' }] }
  ]

  it('v0 (always a preferred election, no top-level error code) answers per partition', async () => {
    const r = await call(0, topics(new BodyWriter()).int32(TIMEOUT_MS))
    expect(r.int32()).toBe(0) // throttle
    expect(readResults(r)).toEqual(expected)
    expect(r.remaining).toBe(0)
  })

  it('v1 carries the election type and a top-level error code', async () => {
    const r = await call(1, topics(new BodyWriter().int8(UNCLEAN)).int32(TIMEOUT_MS))
    expect([r.int32(), r.int16()]).toEqual([0, 0])
    expect(readResults(r)).toEqual(expected)
    expect(r.remaining).toBe(0)
  })
})
