// Every API the broker serves asks the authorizer (src/broker/acl/check.ts), but for those Kafka
// serves to anyone: a handler added without a check would let every client through it.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { handlers } from '../../../../src/broker/handlers/index.js'

/** Kafka answers these without authorization (before authentication, or DescribeCluster to any client). */
const EXEMPT = new Set(['ApiVersions', 'SaslHandshake', 'SaslAuthenticate'])

const fileOf = (name: string): string => name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()

describe('authorization coverage', () => {
  it('every served API but ApiVersions and the SASL exchange consults the authorizer', () => {
    const unchecked = handlers.map(h => h.api.name).filter(name => {
      if (EXEMPT.has(name)) return false
      const source = readFileSync(new URL(`../../../../src/broker/handlers/${fileOf(name)}.ts`, import.meta.url), 'utf8')
      return !source.includes("from '../acl/check.js'")
    })
    expect(unchecked).toEqual([])
    expect(handlers.length).toBeGreaterThan(40)
  })
})
