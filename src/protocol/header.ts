// Request and response headers (protocol-notes.md §3).
//   request  v1: api_key, api_version, correlation_id, client_id (INT16 nullable string)
//            v2: v1 + tagged fields; client_id stays the INT16 string, so any broker can read it
//   response v0: correlation_id        v1: v0 + tagged fields
// A flexible API version uses request v2 / response v1, otherwise v1 / v0. Exception: the ApiVersions
// response header is always v0, since the client cannot know yet whether we speak flexible versions.
// ApiVersions requests at any version ≥ 3, unknown higher ones included, have header v2.
// Request header v0 (ControlledShutdown v0 only) is inter-broker and not accepted.
import { ProtocolError } from './codec/protocol-error.js'
import { Reader } from './codec/reader.js'
import { decoderFor, encoderFor } from './codec/schema-codec.js'
import type { Writer } from './codec/writer.js'
import { apiByKey, isFlexible } from './registry.js'
import { messageSpec } from './schema/message-spec.js'
import type { RequestHeader as RequestHeaderMessage, ResponseHeader } from './schema/types.generated.js'
import type { MessageInput } from './schema/message-input.js'

export const API_VERSIONS_KEY = 18

export interface RequestHeader {
  apiKey: number
  apiVersion: number
  correlationId: number
  /** A null client_id reads as "". */
  clientId: string
  /** Positioned at the first byte of the body. */
  body: Reader
}

export interface PeekedHeader { apiKey: number, apiVersion: number, correlationId: number }

const requestHeaderSpec = messageSpec('RequestHeader')
const responseHeaderSpec = messageSpec('ResponseHeader')

/** A request frame's API key alone (no object: the connection asks twice per request). */
export function peekApiKey (frame: Buffer): number {
  if (frame.length < 8) throw new ProtocolError(`request of ${frame.length} bytes is shorter than its header`)
  return frame.readInt16BE(0)
}

/** The fixed first 8 bytes of a request frame (without its size prefix), without decoding the rest. */
export function peekRequestHeader (frame: Buffer): PeekedHeader {
  if (frame.length < 8) throw new ProtocolError(`request of ${frame.length} bytes is shorter than its header`)
  return { apiKey: frame.readInt16BE(0), apiVersion: frame.readInt16BE(2), correlationId: frame.readInt32BE(4) }
}

/** Decodes the header of a request frame (without its size prefix). Unknown API keys throw. */
export function decodeRequestHeader (frame: Buffer): RequestHeader {
  const { apiKey, apiVersion } = peekRequestHeader(frame)
  const api = apiByKey(apiKey)
  if (api === undefined) throw new ProtocolError(`unknown API key ${apiKey}`)
  const body = new Reader(frame)
  const decoded = decoderFor<RequestHeaderMessage>(requestHeaderSpec, isFlexible(api, apiVersion) ? 2 : 1)(body)
  return { apiKey, apiVersion, correlationId: decoded.correlationId, clientId: decoded.clientId ?? '', body }
}

export function responseHeaderVersion (apiKey: number, apiVersion: number): number {
  if (apiKey === API_VERSIONS_KEY) return 0
  const api = apiByKey(apiKey)
  return api !== undefined && isFlexible(api, apiVersion) ? 1 : 0
}

export function writeResponseHeader (w: Writer, apiKey: number, apiVersion: number, correlationId: number): void {
  encoderFor<MessageInput<ResponseHeader>>(responseHeaderSpec, responseHeaderVersion(apiKey, apiVersion))(w, { correlationId })
}

export interface RequestHeaderInput { correlationId: number, clientId?: string | null }

export function writeRequestHeader (w: Writer, apiKey: number, apiVersion: number, header: RequestHeaderInput): void {
  const api = apiByKey(apiKey)
  if (api === undefined) throw new ProtocolError(`unknown API key ${apiKey}`)
  encoderFor<MessageInput<RequestHeaderMessage>>(requestHeaderSpec, isFlexible(api, apiVersion) ? 2 : 1)(w, {
    requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId: header.correlationId, clientId: header.clientId ?? null
  })
}

/** Decodes the header of a response frame (without its size prefix); the reader is left at the body. */
export function decodeResponseHeader (frame: Buffer, apiKey: number, apiVersion: number): { correlationId: number, body: Reader } {
  const body = new Reader(frame)
  const { correlationId } = decoderFor<ResponseHeader>(responseHeaderSpec, responseHeaderVersion(apiKey, apiVersion))(body)
  return { correlationId, body }
}
