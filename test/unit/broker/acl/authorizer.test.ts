// The authorizer (src/broker/acl/authorizer.ts): Kafka's StandardAuthorizer matching rules, ACL
// validation and filters, and what a reopened data directory holds. The wire and the clients are
// in test/integration/acls*.test.ts.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { allOperations, Authorizer } from '../../../../src/broker/acl/authorizer.js'
import { AclOperation as Op, PatternType, Permission, ResourceType, type AclBinding, type AclFilter } from '../../../../src/broker/acl/bindings.js'
import { ErrorCode } from '../../../../src/protocol/errors.js'

let dir: string
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'sluice-acl-')) })
afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

const open = (settings: Partial<{ superUsers: string[], allowIfNoAcl: boolean }> = {}): Authorizer =>
  Authorizer.open(dir, { superUsers: settings.superUsers ?? [], allowIfNoAcl: settings.allowIfNoAcl ?? false })

function acl (over: Partial<AclBinding>): AclBinding {
  return { resourceType: ResourceType.TOPIC, resourceName: 'orders', patternType: PatternType.LITERAL, principal: 'User:alice', host: '*', operation: Op.READ, permissionType: Permission.ALLOW, ...over }
}
const anyFilter: AclFilter = { resourceType: ResourceType.ANY, resourceName: null, patternType: PatternType.ANY, principal: null, host: null, operation: Op.ANY, permissionType: Permission.ANY }

function created (a: Authorizer, ...bindings: AclBinding[]): void {
  expect(a.create(bindings).map(r => r.errorCode)).toEqual(bindings.map(() => ErrorCode.NONE))
}

const topic = (a: Authorizer, op: number, name = 'orders', principal = 'User:alice', host = '10.0.0.1'): boolean =>
  a.authorize(principal, host, op, ResourceType.TOPIC, name)

describe('authorize', () => {
  it('denies a resource without ACLs unless allow.everyone.if.no.acl.found', () => {
    expect(topic(open(), Op.READ)).toBe(false)
    expect(topic(open({ allowIfNoAcl: true }), Op.READ)).toBe(true)
  })

  it('a resource with any ACL, even for someone else, denies the operations no ACL allows', () => {
    const a = open({ allowIfNoAcl: true })
    created(a, acl({ principal: 'User:bob' }))
    expect(topic(a, Op.READ)).toBe(false)
    expect(topic(a, Op.READ, 'other')).toBe(true)
  })

  it('super users may do everything', () => {
    const a = open({ superUsers: ['User:admin'] })
    created(a, acl({ principal: 'User:*', permissionType: Permission.DENY, operation: Op.ALL }))
    expect(topic(a, Op.WRITE, 'orders', 'User:admin')).toBe(true)
    expect(a.authorize('User:admin', '::1', Op.ALTER, ResourceType.CLUSTER, 'kafka-cluster')).toBe(true)
  })

  it('matches LITERAL names, the LITERAL wildcard and PREFIXED names', () => {
    const a = open()
    created(a,
      acl({ resourceName: 'orders' }),
      acl({ resourceName: '*', operation: Op.WRITE }),
      acl({ resourceName: 'pay', patternType: PatternType.PREFIXED, operation: Op.DELETE }))
    expect(topic(a, Op.READ, 'orders')).toBe(true)
    expect(topic(a, Op.READ, 'orders2')).toBe(false)
    expect(topic(a, Op.WRITE, 'anything')).toBe(true)
    expect(topic(a, Op.DELETE, 'payments')).toBe(true)
    expect(topic(a, Op.DELETE, 'pa')).toBe(false)
    expect(a.authorize('User:alice', 'h', Op.READ, ResourceType.GROUP, 'orders')).toBe(false)
  })

  it('matches the principal or User:*, the host or *', () => {
    const a = open()
    created(a, acl({ principal: 'User:*', operation: Op.WRITE }), acl({ host: '10.0.0.9' }))
    expect(topic(a, Op.WRITE, 'orders', 'User:bob')).toBe(true)
    expect(topic(a, Op.READ, 'orders', 'User:alice', '10.0.0.1')).toBe(false)
    expect(topic(a, Op.READ, 'orders', 'User:alice', '10.0.0.9')).toBe(true)
    expect(topic(a, Op.READ, 'orders', 'User:bob', '10.0.0.9')).toBe(false)
  })

  it('a DENY wins over any ALLOW, and DENY of ALL denies every operation', () => {
    const a = open()
    created(a, acl({ operation: Op.ALL }), acl({ resourceName: 'ord', patternType: PatternType.PREFIXED, permissionType: Permission.DENY }))
    expect(topic(a, Op.READ)).toBe(false)
    expect(topic(a, Op.WRITE)).toBe(true)
    created(a, acl({ resourceName: '*', principal: 'User:*', operation: Op.ALL, permissionType: Permission.DENY }))
    expect(topic(a, Op.WRITE)).toBe(false)
  })

  it('ALLOW of READ, WRITE, DELETE or ALTER implies DESCRIBE, ALTER_CONFIGS implies DESCRIBE_CONFIGS; a DENY implies nothing', () => {
    for (const op of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER]) {
      const a = open()
      created(a, acl({ operation: op, resourceName: `t${op}` }))
      expect(topic(a, Op.DESCRIBE, `t${op}`)).toBe(true)
      expect(topic(a, Op.DESCRIBE_CONFIGS, `t${op}`)).toBe(false)
      rmSync(join(dir, 'acls.json'))
    }
    const a = open()
    created(a, acl({ operation: Op.ALTER_CONFIGS }), acl({ operation: Op.DESCRIBE, resourceName: 'x' }), acl({ operation: Op.READ, resourceName: 'x', permissionType: Permission.DENY }))
    expect(topic(a, Op.DESCRIBE_CONFIGS)).toBe(true)
    expect(topic(a, Op.ALTER)).toBe(false)
    expect(topic(a, Op.DESCRIBE, 'x')).toBe(true)
    expect(topic(a, Op.READ, 'x')).toBe(false)
  })

  it('answers the authorized operations of a resource as a bit field', () => {
    const a = open()
    created(a, acl({ operation: Op.READ }))
    expect(a.authorizedOperations('User:alice', 'h', ResourceType.TOPIC, 'orders')).toBe((1 << Op.READ) | (1 << Op.DESCRIBE))
    expect(open({ superUsers: ['User:root'] }).authorizedOperations('User:root', 'h', ResourceType.GROUP, 'g')).toBe(allOperations(ResourceType.GROUP))
  })
})

describe('create, describe and delete', () => {
  it('rejects invalid creations with INVALID_REQUEST and stores the valid ones of the same request', () => {
    const a = open()
    const results = a.create([
      acl({ resourceType: ResourceType.ANY }),
      acl({ patternType: PatternType.MATCH }),
      acl({ patternType: PatternType.ANY }),
      acl({ operation: Op.ANY }),
      acl({ operation: Op.UNKNOWN }),
      acl({ permissionType: Permission.ANY }),
      acl({ principal: 'alice' }),
      acl({ principal: 'User:' }),
      acl({ resourceName: '' }),
      acl({ resourceType: ResourceType.CLUSTER, resourceName: 'mine' }),
      acl({})
    ])
    expect(results.map(r => r.errorCode)).toEqual([...Array(10).fill(ErrorCode.INVALID_REQUEST), ErrorCode.NONE])
    expect(results[6]!.errorMessage).toMatch(/no colon/)
    expect(a.describe(anyFilter)).toEqual([acl({})])
  })

  it('stores a binding once however often it is created', () => {
    const a = open()
    created(a, acl({}), acl({}))
    created(a, acl({}))
    expect(a.size).toBe(1)
  })

  it('filters by exact pattern type, ANY, and MATCH (the ACLs that apply to a resource)', () => {
    const a = open()
    const literal = acl({})
    const wildcard = acl({ resourceName: '*' })
    const prefixed = acl({ resourceName: 'ord', patternType: PatternType.PREFIXED })
    const other = acl({ resourceName: 'x', principal: 'User:bob', operation: Op.WRITE, permissionType: Permission.DENY })
    created(a, literal, wildcard, prefixed, other)
    const by = (f: Partial<AclFilter>): AclBinding[] => a.describe({ ...anyFilter, ...f })
    expect(by({ resourceName: 'orders', patternType: PatternType.MATCH })).toEqual([literal, wildcard, prefixed])
    expect(by({ resourceName: 'orders', patternType: PatternType.LITERAL })).toEqual([literal])
    expect(by({ resourceName: 'ord' })).toEqual([prefixed])
    expect(by({ principal: 'User:bob' })).toEqual([other])
    expect(by({ permissionType: Permission.DENY, operation: Op.WRITE })).toEqual([other])
    expect(by({ resourceType: ResourceType.GROUP })).toEqual([])
    expect(() => by({ patternType: PatternType.UNKNOWN })).toThrow(/Unknown patternFilter/)
    expect(() => by({ operation: Op.UNKNOWN })).toThrow(/Unknown entryFilter/)
  })

  it('delete answers the bindings each filter removed, and they no longer apply', () => {
    const a = open()
    created(a, acl({}), acl({ operation: Op.WRITE }), acl({ resourceName: 'other' }))
    const [first, second, bad] = a.delete([
      { ...anyFilter, operation: Op.WRITE },
      { ...anyFilter, resourceName: 'orders', patternType: PatternType.LITERAL },
      { ...anyFilter, permissionType: Permission.UNKNOWN }
    ])
    expect(first!.deleted).toEqual([acl({ operation: Op.WRITE })])
    expect(second!.deleted).toEqual([acl({})])
    expect(bad!.errorCode).toBe(ErrorCode.INVALID_REQUEST)
    expect(topic(a, Op.READ)).toBe(false)
    expect(a.describe(anyFilter)).toEqual([acl({ resourceName: 'other' })])
  })

  it('a reopened data directory holds the ACLs, and a change that cannot be stored is not made', () => {
    created(open(), acl({}), acl({ resourceName: 'p', patternType: PatternType.PREFIXED }))
    const a = open()
    expect(a.size).toBe(2)
    expect(topic(a, Op.READ, 'pq')).toBe(true)
    if (process.getuid?.() === 0) return // root writes into a read-only directory
    chmodSync(dir, 0o500)
    try {
      expect(a.create([acl({ operation: Op.WRITE })])[0]!.errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR)
      expect(a.delete([anyFilter])[0]!.errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR)
    } finally {
      chmodSync(dir, 0o700)
    }
    expect(topic(a, Op.WRITE)).toBe(false)
    expect(open().size).toBe(2)
  })
})
