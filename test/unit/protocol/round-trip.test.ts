import { describe, expect, it } from 'vitest'
import {
  apiCodec, decodeRequestHeader, decodeResponseHeader, registeredApis
} from '../../../src/protocol/index.js'
import { messageSpec } from '../../../src/protocol/schema/message-spec.js'
import { unframe } from './frames.js'
import { sampleMessage } from './sample-message.js'

const cases = registeredApis().flatMap((api) =>
  Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => ({ api, version: api.minVersion + i, label: `${api.name} v${api.minVersion + i}` })))

// Every key of shared/reference/api-version-plan.json and of extraPlan in scripts/gen-protocol.ts.
const plannedKeys = [0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 28, 29, 30, 31, 32, 33, 35, 36, 37, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 55, 60, 61, 65, 66, 75]

describe('every registered API version round-trips a sample message', () => {
  it('covers every API of the version plan', () => {
    expect(registeredApis().map((api) => api.key)).toEqual(plannedKeys)
  })

  it.each(cases)('$label request decodes to what was encoded', ({ api, version }) => {
    const codec = apiCodec<unknown, unknown>(api)
    for (const seed of [1, 2, 3]) {
      const sample = sampleMessage(messageSpec(`${api.name}Request`), version, seed * 1000 + version)
      const frame = unframe(codec.encodeRequest(sample, version, { correlationId: seed, clientId: 'sluice-test' }))
      const header = decodeRequestHeader(frame)
      expect(header).toMatchObject({ apiKey: api.key, apiVersion: version, correlationId: seed, clientId: 'sluice-test' })
      expect(codec.decodeRequest(header.body, version)).toEqual(sample)
      expect(header.body.remaining).toBe(0)
      expect(unframe(codec.encodeRequest(codec.decodeRequest(decodeRequestHeader(frame).body, version), version, { correlationId: seed, clientId: 'sluice-test' }))).toEqual(frame)
    }
  })

  it.each(cases)('$label response decodes to what was encoded', ({ api, version }) => {
    const codec = apiCodec<unknown, unknown>(api)
    for (const seed of [1, 2, 3]) {
      const sample = sampleMessage(messageSpec(`${api.name}Response`), version, seed * 7919 + version)
      const frame = unframe(codec.encodeResponse(sample, version, 77))
      const { correlationId, body } = decodeResponseHeader(frame, api.key, version)
      expect(correlationId).toBe(77)
      expect(codec.decodeResponse(body, version)).toEqual(sample)
      expect(body.remaining).toBe(0)
    }
  })
})
