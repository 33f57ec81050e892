// The client-quota store (src/broker/client-quotas.ts): Kafka's filter matching over every entity
// shape, and what a reopened data directory holds. The wire and the clients are in
// test/integration/admin-client-quotas.test.ts.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ClientQuotas, MATCH_ANY, MATCH_DEFAULT, MATCH_EXACT, type QuotaEntity, type QuotaFilter } from '../../../src/broker/client-quotas.js'

let dir: string
let quotas: ClientQuotas

const alice: QuotaEntity = [['user', 'alice']]
const aliceApp: QuotaEntity = [['user', 'alice'], ['client-id', 'app']]
const defaultUserApp: QuotaEntity = [['user', null], ['client-id', 'app']]
const app: QuotaEntity = [['client-id', 'app']]
const defaultClient: QuotaEntity = [['client-id', null]]
const localhost: QuotaEntity = [['ip', '127.0.0.1']]

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-quotas-'))
  quotas = ClientQuotas.open(dir)
  const results = quotas.alter([alice, aliceApp, defaultUserApp, app, defaultClient].map(entity => ({ entity, ops: [{ key: 'producer_byte_rate', value: 1000 }] }))
    .concat([{ entity: localhost, ops: [{ key: 'connection_creation_rate', value: 5 }] }]), false)
  expect(results.every(r => r.errorCode === 0)).toBe(true)
})

afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

const described = (filter: QuotaFilter): QuotaEntity[] => quotas.describe(filter).map(e => e.entity)
const component = (entityType: string, matchType: number, match: string | null = null): QuotaFilter['components'][number] => ({ entityType, matchType, match })

describe('describe filters, as Kafka matches them', () => {
  it('exact and default names, strict or not', () => {
    expect(described({ components: [component('user', MATCH_EXACT, 'alice')], strict: true })).toEqual([alice])
    expect(described({ components: [component('user', MATCH_EXACT, 'alice')], strict: false })).toEqual([alice, aliceApp])
    expect(described({ components: [component('user', MATCH_DEFAULT)], strict: false })).toEqual([defaultUserApp])
    expect(described({ components: [component('client-id', MATCH_DEFAULT)], strict: true })).toEqual([defaultClient])
    expect(described({ components: [component('client-id', MATCH_EXACT, 'app')], strict: false })).toEqual([aliceApp, defaultUserApp, app])
  })

  it('any name of a type, alone or with another component', () => {
    expect(described({ components: [component('user', MATCH_ANY)], strict: false })).toEqual([alice, aliceApp, defaultUserApp])
    expect(described({ components: [component('user', MATCH_ANY), component('client-id', MATCH_EXACT, 'app')], strict: true })).toEqual([aliceApp, defaultUserApp])
    expect(described({ components: [component('ip', MATCH_ANY)], strict: true })).toEqual([localhost])
  })

  it('no components: everything, or nothing when strict', () => {
    expect(described({ components: [], strict: false })).toHaveLength(6)
    expect(described({ components: [], strict: true })).toEqual([])
  })
})

describe('persistence', () => {
  it('a reopened data directory has every entity with its values, and removals stay removed', () => {
    quotas.alter([{ entity: app, ops: [{ key: 'producer_byte_rate', value: null }] }, { entity: alice, ops: [{ key: 'request_percentage', value: 25.5 }] }], false)
    const reopened = ClientQuotas.open(dir).describe({ components: [], strict: false })
    expect(reopened.map(e => e.entity)).toEqual([alice, aliceApp, defaultUserApp, defaultClient, localhost])
    expect(Object.fromEntries(reopened[0]?.values ?? [])).toEqual({ producer_byte_rate: 1000, request_percentage: 25.5 })
    expect(readdirSync(dir)).toEqual(['quotas.json'])
  })

  it('validateOnly and failed alterations change neither memory nor disk', () => {
    const results = quotas.alter([
      { entity: app, ops: [{ key: 'producer_byte_rate', value: 1 }] },
      { entity: alice, ops: [{ key: 'producer_byte_rate', value: 0 }] }
    ], true)
    expect(results.map(r => r.errorCode)).toEqual([0, 42])
    quotas.alter([{ entity: alice, ops: [{ key: 'producer_byte_rate', value: 2 }, { key: 'nonsense', value: 1 }] }], false)
    for (const store of [quotas, ClientQuotas.open(dir)]) {
      const values = new Map(store.describe({ components: [], strict: false }).map(e => [JSON.stringify(e.entity), e.values.get('producer_byte_rate')]))
      expect(values.get(JSON.stringify(app))).toBe(1000)
      expect(values.get(JSON.stringify(alice))).toBe(1000)
    }
  })
})
