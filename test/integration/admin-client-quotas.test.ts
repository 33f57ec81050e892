// Client quotas (DescribeClientQuotas 48, AlterClientQuotas 49) as a single-node KRaft Kafka answers
// them: through @platformatic/kafka 1.35's Admin (the flexible v1) and its raw API modules where a test
// needs the per-entity errors, and through test/helpers/wire.ts for the non-flexible v0. The values
// survive a restart; bad requests get Kafka's codes and the broker keeps answering.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Admin, alterClientQuotasV1, Connection, describeClientQuotasV0 } from '@platformatic/kafka'
import { answer } from '../helpers/platformatic.js'
import { startBroker, type RunningBroker } from '../helpers/broker.js'
import { BodyReader, BodyWriter, WireConnection } from '../helpers/wire.js'
import { askApiVersions } from './support/raw-api.js'

const UNKNOWN_SERVER_ERROR = -1
const UNSUPPORTED_VERSION = 35
const INVALID_REQUEST = 42
const EXACT = 0
const DEFAULT = 1
const ANY = 2
const TIMEOUT_MS = 10_000

type Entity = Array<{ entityType: string, entityName: string | null }>
type Ops = Array<{ key: string, value?: number, remove: boolean }>
interface Described { entity: Entity, values: Array<{ key: string, value: number }> }

let broker: RunningBroker
let admin: Admin
let connection: Connection

async function connect (): Promise<void> {
  admin = new Admin({ clientId: 'sluice-quotas-admin', bootstrapBrokers: [broker.bootstrap], retries: 1, timeout: TIMEOUT_MS })
  connection = new Connection('sluice-quotas-raw')
  await connection.connect(broker.host, broker.port)
}

async function disconnect (): Promise<void> {
  await connection?.close()
  await admin?.close()
}

beforeAll(async () => {
  broker = await startBroker()
  await connect()
})

afterAll(async () => {
  await disconnect()
  await broker?.stop()
})

const set = (key: string, value: number): Ops[number] => ({ key, value, remove: false })
const remove = (key: string): Ops[number] => ({ key, remove: true })
const clientId = (name: string | null): Entity => [{ entityType: 'client-id', entityName: name }]
const user = (name: string | null): Entity => [{ entityType: 'user', entityName: name }]

async function alter (entries: Array<{ entity: Entity, ops: Ops }>, validateOnly = false): Promise<Array<[number, string | null]>> {
  const response = await answer(alterClientQuotasV1.api.async(connection, entries.map(e => ({ entities: e.entity, ops: e.ops })) as never, validateOnly))
  return response.entries.map(e => [e.errorCode, e.errorMessage ?? null])
}

async function describeQuotas (components: Array<{ entityType: string, matchType: number, match?: string | null }>, strict = false): Promise<Described[]> {
  const entries = await admin.describeClientQuotas({ components: components.map(c => ({ match: null, ...c })) as never, strict })
  return (entries as Described[]).map(e => ({ entity: e.entity, values: e.values })).sort((a, b) => JSON.stringify(a.entity) < JSON.stringify(b.entity) ? -1 : 1)
}

describe('AlterClientQuotas and DescribeClientQuotas v1 through @platformatic/kafka', () => {
  it('sets values per client id, user, default entity and user+client pair, and describes them by filter', async () => {
    await admin.alterClientQuotas({
      entries: [
        { entities: clientId('pk-app'), ops: [set('producer_byte_rate', 1048576), set('consumer_byte_rate', 2097152)] },
        { entities: clientId(null), ops: [set('producer_byte_rate', 4096)] },
        { entities: [...user('alice'), ...clientId('pk-app')], ops: [set('request_percentage', 12.5)] },
        { entities: [{ entityType: 'ip', entityName: '127.0.0.1' }], ops: [set('connection_creation_rate', 30)] }
      ] as never
    })

    expect(await describeQuotas([{ entityType: 'client-id', matchType: EXACT, match: 'pk-app' }], true)).toEqual([
      { entity: clientId('pk-app'), values: [{ key: 'consumer_byte_rate', value: 2097152 }, { key: 'producer_byte_rate', value: 1048576 }] }
    ])
    // Not strict: the user+client pair matches too.
    expect(await describeQuotas([{ entityType: 'client-id', matchType: EXACT, match: 'pk-app' }])).toHaveLength(2)
    expect(await describeQuotas([{ entityType: 'client-id', matchType: DEFAULT }])).toEqual([
      { entity: clientId(null), values: [{ key: 'producer_byte_rate', value: 4096 }] }
    ])
    expect(await describeQuotas([{ entityType: 'user', matchType: ANY }, { entityType: 'client-id', matchType: ANY }], true)).toEqual([
      { entity: [...user('alice'), ...clientId('pk-app')], values: [{ key: 'request_percentage', value: 12.5 }] }
    ])
    expect(await describeQuotas([{ entityType: 'ip', matchType: ANY }])).toEqual([
      { entity: [{ entityType: 'ip', entityName: '127.0.0.1' }], values: [{ key: 'connection_creation_rate', value: 30 }] }
    ])
    expect(await describeQuotas([])).toHaveLength(4)
    expect(await describeQuotas([], true)).toEqual([])
  })

  it('validateOnly checks the change and applies nothing; removing the last value removes the entity', async () => {
    expect(await alter([{ entity: clientId('pk-dry'), ops: [set('consumer_byte_rate', 100)] }], true)).toEqual([[0, null]])
    expect(await describeQuotas([{ entityType: 'client-id', matchType: EXACT, match: 'pk-dry' }])).toEqual([])

    expect(await alter([{ entity: clientId('pk-gone'), ops: [set('consumer_byte_rate', 100)] }])).toEqual([[0, null]])
    expect(await alter([{ entity: clientId('pk-gone'), ops: [remove('consumer_byte_rate'), remove('producer_byte_rate')] }])).toEqual([[0, null]])
    expect(await describeQuotas([{ entityType: 'client-id', matchType: EXACT, match: 'pk-gone' }])).toEqual([])
  })

  it('bad keys, values and entities are INVALID_REQUEST per entity, and the valid entities of the request still apply', async () => {
    const results = await alter([
      { entity: clientId('pk-bad'), ops: [set('producer_byte_rate', 10), set('fetch_byte_rate', 10)] },
      { entity: clientId('pk-neg'), ops: [set('consumer_byte_rate', -5)] },
      { entity: clientId('pk-frac'), ops: [set('producer_byte_rate', 10.5)] },
      { entity: [{ entityType: 'ip', entityName: '10.0.0.1' }, ...user('bob')], ops: [set('connection_creation_rate', 5)] },
      { entity: [{ entityType: 'ip', entityName: 'not an address' }], ops: [set('connection_creation_rate', 5)] },
      { entity: clientId('pk-wrong-key'), ops: [set('connection_creation_rate', 5)] },
      { entity: [{ entityType: 'group', entityName: 'g' }], ops: [set('producer_byte_rate', 5)] },
      { entity: clientId(''), ops: [set('producer_byte_rate', 5)] },
      { entity: [], ops: [set('producer_byte_rate', 5)] },
      { entity: clientId('pk-dup-key'), ops: [set('producer_byte_rate', 5), set('producer_byte_rate', 6)] },
      { entity: clientId('pk-good'), ops: [set('producer_byte_rate', 5)] }
    ])
    expect(results).toEqual([
      [INVALID_REQUEST, 'Invalid configuration key fetch_byte_rate'],
      [INVALID_REQUEST, 'Quota consumer_byte_rate must be greater than 0'],
      [INVALID_REQUEST, 'producer_byte_rate cannot be a fractional value.'],
      [INVALID_REQUEST, 'Invalid quota entity combination, IP entity should not be combined with User or ClientId'],
      [INVALID_REQUEST, 'not an address is not a valid IP or resolvable host.'],
      [INVALID_REQUEST, 'Invalid configuration key connection_creation_rate'],
      [INVALID_REQUEST, 'Unhandled client quota entity type: group'],
      [INVALID_REQUEST, 'Empty client-id not supported'],
      [INVALID_REQUEST, 'Invalid empty client quota entity'],
      [INVALID_REQUEST, expect.stringContaining('Duplicate quota key producer_byte_rate')],
      [0, null]
    ])
    const named = await describeQuotas([{ entityType: 'client-id', matchType: ANY }], true)
    expect(named.map(e => e.entity[0]?.entityName)).toEqual(expect.arrayContaining(['pk-good']))
    expect(named.map(e => e.entity[0]?.entityName)).not.toContain('pk-bad')
  })

  // Kafka answers entries null; platformatic reads a null array as empty (the v0 test below sees the null).
  it('a bad filter fails the whole describe with Kafka\'s code and no entries', async () => {
    const describeRaw = async (components: Array<{ entityType: string, matchType: number, match: string | null }>): Promise<unknown> => {
      const r = await answer(describeClientQuotasV0.api.async(connection, components as never, false))
      return { errorCode: r.errorCode, errorMessage: r.errorMessage, entries: r.entries }
    }
    expect(await describeRaw([{ entityType: 'group', matchType: ANY, match: null }])).toEqual({ errorCode: UNSUPPORTED_VERSION, errorMessage: 'Unsupported entity type group', entries: [] })
    expect(await describeRaw([{ entityType: 'user', matchType: EXACT, match: null }])).toMatchObject({ errorCode: INVALID_REQUEST, entries: [] })
    expect(await describeRaw([{ entityType: 'user', matchType: DEFAULT, match: 'x' }])).toMatchObject({ errorCode: INVALID_REQUEST, entries: [] })
    expect(await describeRaw([{ entityType: 'user', matchType: 7, match: null }])).toEqual({ errorCode: INVALID_REQUEST, errorMessage: 'Unknown match type 7', entries: [] })
    expect(await describeRaw([{ entityType: 'user', matchType: ANY, match: null }, { entityType: 'user', matchType: ANY, match: null }])).toMatchObject({ errorCode: INVALID_REQUEST })
    expect(await describeRaw([{ entityType: 'ip', matchType: ANY, match: null }, { entityType: 'user', matchType: ANY, match: null }])).toMatchObject({ errorCode: INVALID_REQUEST })
    expect((await askApiVersions(broker.host, broker.port)).errorCode).toBe(0)
  })

  it('quotas survive a crash (SIGKILL) and the restart after it', async () => {
    const before = await describeQuotas([])
    expect(before.length).toBeGreaterThan(0)
    await disconnect()
    await broker.kill()
    await broker.restart()
    await connect()
    expect(await describeQuotas([])).toEqual(before)
  })
})

describe('AlterClientQuotas and DescribeClientQuotas v0 on the wire', () => {
  let wire: WireConnection
  let correlationId = 0

  beforeAll(async () => { wire = await WireConnection.open(broker.host, broker.port) })
  afterAll(() => { wire?.close() })

  async function call (apiKey: number, body: BodyWriter): Promise<BodyReader> {
    const id = ++correlationId
    wire.send({ apiKey, apiVersion: 0, correlationId: id, clientId: 'sluice-quotas-wire' }, body.finish())
    const response = await wire.nextResponse()
    expect(response.correlationId).toBe(id)
    return new BodyReader(response.body)
  }

  const float64 = (value: number): Buffer => { const b = Buffer.alloc(8); b.writeDoubleBE(value); return b }

  it('v0 sets a user default and describes it back', async () => {
    const altered = await call(49, new BodyWriter()
      .array([0], w => w.array([0], e => e.string('user').string(null)).array([0], o => o.string('consumer_byte_rate').raw(float64(65536)).int8(0)))
      .int8(0))
    expect(altered.int32()).toBe(0) // throttle
    expect(altered.array(e => [e.int16(), e.string(), e.array(n => [n.string(), n.string()])])).toEqual([[0, null, [['user', null]]]])
    expect(altered.remaining).toBe(0)

    const described = await call(48, new BodyWriter().array([0], c => c.string('user').int8(DEFAULT).string(null)).int8(1))
    expect([described.int32(), described.int16(), described.string()]).toEqual([0, 0, null])
    const entries = described.array(e => ({
      entity: e.array(n => [n.string(), n.string()]),
      values: e.array(v => [v.string(), v.buf.readDoubleBE((v.offset += 8) - 8)])
    }))
    expect(entries).toEqual([{ entity: [['user', null]], values: [['consumer_byte_rate', 65536]] }])
    expect(described.remaining).toBe(0)
  })

  it('v0 answers a bad filter with the error and a null entries array', async () => {
    const r = await call(48, new BodyWriter().array([0], c => c.string('').int8(ANY).string(null)).int8(0))
    expect([r.int32(), r.int16(), r.string(), r.int32()]).toEqual([0, INVALID_REQUEST, 'Invalid empty entity type.', -1])
    expect(r.remaining).toBe(0)
  })
})

describe('an unreadable quotas file', () => {
  it('fails quota requests with UNKNOWN_SERVER_ERROR while the broker keeps serving the rest', async () => {
    await disconnect()
    await broker.stop({ keepData: true })
    writeFileSync(join(broker.dataDir, 'quotas.json'), '{"version": 1, "entries": [')
    await broker.restart()
    await connect()
    const described = await answer(describeClientQuotasV0.api.async(connection, [] as never, false))
    expect(described.errorCode).toBe(UNKNOWN_SERVER_ERROR)
    expect(await alter([{ entity: clientId('pk-after'), ops: [set('producer_byte_rate', 5)] }])).toEqual([[UNKNOWN_SERVER_ERROR, null]])
    expect((await askApiVersions(broker.host, broker.port)).errorCode).toBe(0)
  })
})
