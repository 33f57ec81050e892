import { describe, expect, it } from 'vitest'
import {
  advertisedVersions, API_VERSIONS_KEY, decodeApiVersionsResponse, decodeProduceRequest, decodeRequestHeader,
  decodeResponseHeader, encodeApiVersionsFallback, encodeApiVersionsResponse, encodeFetchResponse, encodeMetadataRequest,
  ErrorCode, isValidClientSoftwareField, KafkaError, peekRequestHeader, ProtocolError, registeredApis
} from '../../../src/protocol/index.js'
import { unframe } from './frames.js'

describe('request headers', () => {
  it('a flexible request has header v2 whose client id is still an INT16 string', () => {
    const frame = unframe(encodeMetadataRequest({ topics: null }, 12, { correlationId: 9, clientId: 'ab' }))
    expect(frame.subarray(0, 12).toString('hex')).toBe('0003' + '000c' + '00000009' + '0002' + '6162')
    expect(frame[12]).toBe(0) // empty tagged-field section of the header
    expect(decodeRequestHeader(frame)).toMatchObject({ apiKey: 3, apiVersion: 12, correlationId: 9, clientId: 'ab' })
  })

  it('a null client id reads as the empty string', () => {
    const frame = unframe(encodeMetadataRequest({ topics: [] }, 1, { correlationId: 1, clientId: null }))
    expect(decodeRequestHeader(frame).clientId).toBe('')
  })

  it('the api key, version and correlation id can be peeked without decoding', () => {
    expect(peekRequestHeader(Buffer.from('0012000500000007ffff00', 'hex'))).toEqual({ apiKey: 18, apiVersion: 5, correlationId: 7 })
  })

  it('an ApiVersions request of an unknown higher version still has a readable v2 header', () => {
    const header = decodeRequestHeader(Buffer.from('0012000900000007' + '0001' + '78' + '00' + 'deadbeef', 'hex'))
    expect(header).toMatchObject({ apiKey: 18, apiVersion: 9, correlationId: 7, clientId: 'x' })
    expect(header.body.remaining).toBe(4)
  })

  it('an unknown api key is refused', () => {
    expect(() => decodeRequestHeader(Buffer.from('0063000000000001ffff', 'hex'))).toThrow(ProtocolError)
  })
})

describe('response headers', () => {
  it('flexible responses carry a tagged-field section after the correlation id', () => {
    const frame = unframe(encodeFetchResponse({ responses: [] }, 12, 5))
    expect(frame.subarray(0, 5).toString('hex')).toBe('0000000500')
    expect(decodeResponseHeader(frame, 1, 12).body.offset).toBe(5)
  })

  it('the ApiVersions response header is v0 even for flexible versions', () => {
    const frame = unframe(encodeApiVersionsResponse({ apiKeys: [] }, 3, 5))
    expect(frame.subarray(0, 4).toString('hex')).toBe('00000005')
    expect(decodeApiVersionsResponse(decodeResponseHeader(frame, API_VERSIONS_KEY, 3).body, 3).errorCode).toBe(0)
  })
})

describe('ApiVersions', () => {
  it('an unknown higher version is answered with a v0 body listing only ApiVersions', () => {
    const frame = unframe(encodeApiVersionsFallback(7))
    expect(frame.toString('hex')).toBe('00000007' + '0023' + '00000001' + '0012' + '0000' + '0004')
  })

  it('advertises exactly the served keys, with the advertised ranges', () => {
    expect(advertisedVersions(new Set([0, 18, 99]))).toEqual([
      { apiKey: 0, minVersion: 0, maxVersion: 11 },
      { apiKey: 18, minVersion: 0, maxVersion: 4 }
    ])
    expect(advertisedVersions(new Set(registeredApis().map((a) => a.key)))).toHaveLength(registeredApis().length)
  })

  it('client software names follow the v3 validation pattern', () => {
    expect(isValidClientSoftwareField('apache-kafka-java')).toBe(true)
    expect(isValidClientSoftwareField('1.0.0')).toBe(true)
    expect(isValidClientSoftwareField('-bad')).toBe(false)
    expect(isValidClientSoftwareField('')).toBe(false)
  })
})

describe('Produce', () => {
  it('v0–2 are advertised for old librdkafka probes but refused clearly', () => {
    expect(() => decodeProduceRequest(Buffer.alloc(16), 2)).toThrow(/Produce v2 is not served.*feature probes/)
  })
})

describe('errors', () => {
  it('ErrorCode comes from the Kafka error table with retriable flags', () => {
    expect(ErrorCode.UNSUPPORTED_VERSION).toBe(35)
    expect(ErrorCode.NOT_LEADER_OR_FOLLOWER).toBe(6)
    const error = new KafkaError(ErrorCode.NOT_COORDINATOR, 'moved')
    expect([error.code, error.retriable, error.message]).toEqual([16, true, 'moved'])
    expect(new KafkaError(ErrorCode.INVALID_REQUEST).retriable).toBe(false)
  })
})
