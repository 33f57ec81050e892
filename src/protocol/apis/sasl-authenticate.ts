// SaslAuthenticate · key 36 · v0–v2 · flexible from v2
//   v1 response +sessionLifetimeMs
//   v2 flexible
//   Not supported: nothing in the spec range.
import type { SaslAuthenticateRequest, SaslAuthenticateResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const saslAuthenticateApi = registerApi({ key: 36, name: 'SaslAuthenticate', minVersion: 0, maxVersion: 2, flexibleFrom: 2 })

const codec = apiCodec<SaslAuthenticateRequest, SaslAuthenticateResponse>(saslAuthenticateApi)
export const decodeSaslAuthenticateRequest = codec.decodeRequest
export const encodeSaslAuthenticateResponse = codec.encodeResponse
export const encodeSaslAuthenticateRequest = codec.encodeRequest
export const decodeSaslAuthenticateResponse = codec.decodeResponse
