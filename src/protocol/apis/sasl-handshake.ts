// SaslHandshake · key 17 · v0–v1 · never flexible
//   v0: the SASL tokens that follow travel as raw size-prefixed frames (kafka-python); v1: in SaslAuthenticate
//   Not supported: nothing in the spec range.
import type { SaslHandshakeRequest, SaslHandshakeResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const saslHandshakeApi = registerApi({ key: 17, name: 'SaslHandshake', minVersion: 0, maxVersion: 1, flexibleFrom: null })

const codec = apiCodec<SaslHandshakeRequest, SaslHandshakeResponse>(saslHandshakeApi)
export const decodeSaslHandshakeRequest = codec.decodeRequest
export const encodeSaslHandshakeResponse = codec.encodeResponse
export const encodeSaslHandshakeRequest = codec.encodeRequest
export const decodeSaslHandshakeResponse = codec.decodeResponse
