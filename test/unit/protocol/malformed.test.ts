// Untrusted input: every malformed body must end in a ProtocolError (the broker then closes the
// connection), never in a RangeError, a crash or an allocation sized by a forged count.
import { describe, expect, it } from 'vitest'
import {
  apiCodec, decodeMetadataRequest, decodeProduceRequest, decodeRequestHeader, ProtocolError, registeredApis
} from '../../../src/protocol/index.js'
import { messageSpec } from '../../../src/protocol/schema/message-spec.js'
import { prng, sampleMessage } from './sample-message.js'
import { unframe } from './frames.js'

function requestBody (name: string, version: number, seed: number): Buffer {
  const api = registeredApis().find((a) => a.name === name)
  if (api === undefined) throw new Error(name)
  const frame = unframe(apiCodec(api).encodeRequest(sampleMessage(messageSpec(`${name}Request`), version, seed), version, { correlationId: 1, clientId: 'c' }))
  const header = decodeRequestHeader(frame)
  return frame.subarray(header.body.offset)
}

const expectProtocolError = (fn: () => unknown): void => { expect(fn).toThrow(ProtocolError) }

describe('malformed request bodies', () => {
  it.each(registeredApis().map((api) => ({ api, label: `${api.name} v${api.maxVersion}` })))('every truncation of a $label request is a ProtocolError', ({ api }) => {
    const body = requestBody(api.name, api.maxVersion, 11)
    const codec = apiCodec(api)
    for (let cut = 0; cut < body.length; cut += Math.max(1, Math.floor(body.length / 200))) {
      expectProtocolError(() => codec.decodeRequest(body.subarray(0, cut), api.maxVersion))
    }
  })

  it('an array count far beyond the remaining bytes is refused before anything is allocated', () => {
    expectProtocolError(() => decodeMetadataRequest(Buffer.from('7fffffff', 'hex'), 1))
    expectProtocolError(() => decodeMetadataRequest(Buffer.from('ffffffff0f', 'hex'), 12))
  })

  it('an invalid varint is refused', () => {
    expectProtocolError(() => decodeMetadataRequest(Buffer.from('ffffffffff01', 'hex'), 12))
  })

  it('a negative string or bytes length other than -1 is refused', () => {
    // Produce v3: transactional_id (nullable), acks, timeout, topics[name, partitions[index, records]]
    expectProtocolError(() => decodeProduceRequest(Buffer.from('fffe', 'hex'), 3))
    const negativeRecords = Buffer.from('ffff' + '0001' + '00007530' + '00000001' + '000174' + '00000001' + '00000000' + 'fffffff0', 'hex')
    expectProtocolError(() => decodeProduceRequest(negativeRecords, 3))
  })

  it('null in a non-nullable string or array is refused', () => {
    expectProtocolError(() => decodeProduceRequest(Buffer.from('ffff' + '0001' + '00007530' + 'ffffffff', 'hex'), 3))
    expectProtocolError(() => decodeProduceRequest(Buffer.from('ffff' + '0001' + '00007530' + '00000001' + 'ffff', 'hex'), 3))
  })

  it('random byte corruption of real requests yields a message or a ProtocolError, nothing else', () => {
    const rand = prng(99)
    const apis = registeredApis()
    for (let i = 0; i < 3000; i++) {
      const api = apis[i % apis.length]
      if (api === undefined) continue
      const body = Buffer.from(requestBody(api.name, api.maxVersion, i))
      for (let flips = 0; flips < 3; flips++) body[Math.floor(rand() * body.length)] = Math.floor(rand() * 256)
      try {
        apiCodec(api).decodeRequest(body, api.maxVersion)
      } catch (error) {
        expect(error).toBeInstanceOf(ProtocolError)
      }
    }
  })

  it('a frame shorter than a request header is refused', () => {
    expectProtocolError(() => decodeRequestHeader(Buffer.from('0012', 'hex')))
  })
})
