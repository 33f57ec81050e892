// The four typed entry points every API module exports, built from its registration and the generated
// specs `<Name>Request` / `<Name>Response`:
//   decode<Api>Request(body, version)                 the broker side
//   encode<Api>Response(message, version, correlationId)
//   encode<Api>Request(message, version, header)      the client side (tests, CLI, benchmarks)
//   decode<Api>Response(body, version)
// Encoders return a complete frame (size prefix, header, body) as chunks for one gathered write.
// Decoders take the body: a Reader left there by decodeRequestHeader/decodeResponseHeader, or a
// Buffer holding only the body. Versions outside the registered implement range are refused.
import { Reader } from '../codec/reader.js'
import { decoderFor, encoderFor } from '../codec/schema-codec.js'
import { Writer } from '../codec/writer.js'
import { writeRequestHeader, writeResponseHeader, type RequestHeaderInput } from '../header.js'
import { requireVersion, type ApiRegistration } from '../registry.js'
import { messageSpec } from '../schema/message-spec.js'
import type { MessageInput } from '../schema/message-input.js'

export interface ApiCodec<Req, Res> {
  decodeRequest: (body: Reader | Buffer, version: number) => Req
  encodeResponse: (message: MessageInput<Res>, version: number, correlationId: number) => Buffer[]
  encodeRequest: (message: MessageInput<Req>, version: number, header: RequestHeaderInput) => Buffer[]
  decodeResponse: (body: Reader | Buffer, version: number) => Res
}

const asReader = (body: Reader | Buffer): Reader => body instanceof Reader ? body : new Reader(body)

export function apiCodec<Req, Res> (api: ApiRegistration): ApiCodec<Req, Res> {
  const request = messageSpec(`${api.name}Request`)
  const response = messageSpec(`${api.name}Response`)
  return {
    decodeRequest (body, version) {
      requireVersion(api, version)
      return decoderFor<Req>(request, version)(asReader(body))
    },
    encodeResponse (message, version, correlationId) {
      requireVersion(api, version)
      const w = new Writer({ framed: true })
      writeResponseHeader(w, api.key, version, correlationId)
      encoderFor<MessageInput<Res>>(response, version)(w, message)
      return w.finish()
    },
    encodeRequest (message, version, header) {
      requireVersion(api, version)
      const w = new Writer({ framed: true })
      writeRequestHeader(w, api.key, version, header)
      encoderFor<MessageInput<Req>>(request, version)(w, message)
      return w.finish()
    },
    decodeResponse (body, version) {
      requireVersion(api, version)
      return decoderFor<Res>(response, version)(asReader(body))
    }
  }
}
