// authorizer.class.name, super.users and allow.everyone.if.no.acl.found as loadConfig takes them.
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config/broker-config.js'

const load = (flags: Record<string, string>): ReturnType<typeof loadConfig> => loadConfig({ flags: { 'http.enabled': 'false', ...flags } })

describe('authorizer settings', () => {
  it('accept either Kafka authorizer and default to none, allow.everyone.if.no.acl.found false', () => {
    expect(load({})['authorizer.class.name']).toBe('')
    expect(load({})['allow.everyone.if.no.acl.found']).toBe(false)
    for (const name of ['org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'kafka.security.authorizer.AclAuthorizer']) {
      expect(load({ 'authorizer.class.name': name })['authorizer.class.name']).toBe(name)
    }
  })

  it('another authorizer stops start-up, naming the key', () => {
    expect(() => load({ 'authorizer.class.name': 'com.example.MyAuthorizer' })).toThrow(/authorizer\.class\.name.*expected one of/)
  })

  it('super.users takes semicolon-separated principals, and refuses one without a type', () => {
    expect(load({ 'super.users': 'User:admin;User:bob' })['super.users']).toBe('User:admin;User:bob')
    expect(() => load({ 'super.users': 'admin' })).toThrow(/super\.users/)
  })

  it('an authorizer turns the HTTP gateway off (it would bypass the ACLs); asking for both stops start-up', () => {
    const name = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'
    const config = loadConfig({ flags: { 'authorizer.class.name': name } })
    expect(config['authorizer.class.name']).toBe(name)
    expect(config['http.enabled']).toBe(false)
    expect(loadConfig({ flags: { 'authorizer.class.name': name, 'http.port': '8080' } })['http.enabled']).toBe(false)
    expect(() => loadConfig({ flags: { 'authorizer.class.name': name, 'http.enabled': 'true' } })).toThrow(/authorizer\.class\.name.*http\.enabled=false/)
    expect(loadConfig({ flags: {} })['http.enabled']).toBe(true)
  })
})
