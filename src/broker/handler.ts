// The shape of an API handler: the protocol module's decoder and encoder for one API key, and the
// function that turns a decoded request into a response (or null: no response, as for acks=0).
import type { ApiRegistration, MessageInput, Reader } from '../protocol/index.js'
import type { Broker } from './broker.js'
import type { Connection } from './connection.js'
import type { Router } from './router.js'

export interface RequestContext {
  broker: Broker
  connection: Connection
  router: Router
  apiVersion: number
  correlationId: number
  clientId: string
  /** Aborted when the broker shuts down; long polls end early on it. */
  signal: AbortSignal
}

export interface ApiHandler<Req, Res> {
  api: ApiRegistration
  decode: (body: Reader, version: number) => Req
  encode: (response: MessageInput<Res>, version: number, correlationId: number) => Buffer[]
  handle: (request: Req, context: RequestContext) => Promise<MessageInput<Res> | null> | MessageInput<Res> | null
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyHandler = ApiHandler<any, any>

export function defineHandler<Req, Res> (handler: ApiHandler<Req, Res>): ApiHandler<Req, Res> {
  return handler
}
