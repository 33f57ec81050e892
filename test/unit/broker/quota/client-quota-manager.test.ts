// The quota arithmetic and entity resolution of Kafka's ClientQuotaManager, on explicit clocks.
import { describe, expect, it } from 'vitest'
import { ABSENT, ClientQuotaManager, DEFAULT_NAME, entityKey } from '../../../../src/broker/quota/client-quota-manager.js'
import { Rate } from '../../../../src/broker/quota/rate.js'

const KAFKA_WINDOWS = { samples: 11, windowMs: 1000 }

describe('Rate', () => {
  it('measures a first burst over the samples-1 windows it pads, as Kafka\'s Rate.windowSize does', () => {
    const rate = new Rate(KAFKA_WINDOWS)
    rate.record(1000, 0)
    expect(rate.spanMs(0)).toBe(10_000)
    expect(rate.measure(0)).toBe(100)
    rate.record(1000, 2500)
    // 2.5 s elapsed: two whole windows, eight more padded.
    expect(rate.spanMs(2500)).toBe(10_500)
  })

  it('forgets samples with no event for samples × window', () => {
    const rate = new Rate({ samples: 2, windowMs: 1000 })
    rate.record(5000, 0)
    expect(rate.measure(1999)).toBeGreaterThan(0)
    expect(rate.measure(2000)).toBe(0)
  })

  it('keeps samples+1 windows: the oldest still overlapping the measured span', () => {
    const rate = new Rate({ samples: 2, windowMs: 1000 })
    for (let t = 0; t <= 3000; t += 500) rate.record(100, t)
    // Windows started at 0, 1000, 2000 (reused for 3000): 1000, 2000 and 3000 remain, 500 each except the last.
    expect(rate.spanMs(3000)).toBe(2000)
    expect(rate.measure(3000)).toBe(500 / 2)
  })
})

function manager (limits: Array<[user: string | typeof DEFAULT_NAME | typeof ABSENT, client: string | typeof DEFAULT_NAME | typeof ABSENT, limit: number]>): ClientQuotaManager {
  const m = new ClientQuotaManager('producer_byte_rate', KAFKA_WINDOWS, Number.MAX_SAFE_INTEGER)
  m.update(new Map(limits.map(([u, c, limit]) => [entityKey(u, c), limit])))
  return m
}

describe('ClientQuotaManager', () => {
  it('throttles for (rate - limit) / limit × the measured span', () => {
    const m = manager([[ABSENT, 'app', 50]])
    const sensor = m.sensorFor('ANONYMOUS', 'app', 0)!
    expect(m.recordAndThrottleMs(sensor, 400, 0)).toBe(0) // 40/s over the padded 10 s
    expect(m.recordAndThrottleMs(sensor, 600, 0)).toBe(10_000) // 100/s: 10 s more brings it to 50/s
  })

  it('caps a throttle at the manager\'s maximum (request_percentage: one window)', () => {
    const m = new ClientQuotaManager('request_percentage', KAFKA_WINDOWS, 1000)
    m.update(new Map([[entityKey(ABSENT, 'app'), 1]]))
    expect(m.recordAndThrottleMs(m.sensorFor('u', 'app', 0)!, 1000, 0)).toBe(1000)
  })

  it('picks the most specific entity in Kafka\'s order of precedence', () => {
    const all: Array<[string | typeof DEFAULT_NAME | typeof ABSENT, string | typeof DEFAULT_NAME | typeof ABSENT, number]> = [
      ['alice', 'app', 1], ['alice', DEFAULT_NAME, 2], ['alice', ABSENT, 3], [DEFAULT_NAME, 'app', 4],
      [DEFAULT_NAME, DEFAULT_NAME, 5], [DEFAULT_NAME, ABSENT, 6], [ABSENT, 'app', 7], [ABSENT, DEFAULT_NAME, 8]
    ]
    // Dropping the most specific entity each time exposes the next one.
    for (let i = 0; i < all.length; i++) {
      expect(manager(all.slice(i)).sensorFor('alice', 'app', 0)?.limit).toBe(i + 1)
    }
  })

  it('shares one sensor among the clients of a user quota, and gives each its own under a <default> entity', () => {
    const byUser = manager([['alice', ABSENT, 10]])
    expect(byUser.sensorFor('alice', 'a', 0)).toBe(byUser.sensorFor('alice', 'b', 0))
    expect(byUser.sensorFor('bob', 'a', 0)).toBeNull()
    const byDefault = manager([[ABSENT, DEFAULT_NAME, 10]])
    expect(byDefault.sensorFor('alice', 'a', 0)).not.toBe(byDefault.sensorFor('alice', 'b', 0))
    expect(byDefault.sensorFor('alice', 'a', 0)).toBe(byDefault.sensorFor('bob', 'a', 0))
  })

  it('gives existing sensors their new limit at once, and drops those no quota applies to any more', () => {
    const m = manager([[ABSENT, 'app', 10]])
    const sensor = m.sensorFor('u', 'app', 0)!
    m.update(new Map([[entityKey(ABSENT, 'app'), 20]]))
    expect(sensor.limit).toBe(20)
    expect(m.sensorFor('u', 'app', 0)).toBe(sensor)
    m.update(new Map())
    expect(m.enabled).toBe(false)
    expect(m.sensorFor('u', 'app', 0)).toBeNull()
  })
})
