// SaslHandshake · key 17 · v0–v1 · never flexible

//   Not supported: nothing in the spec range. Plan: only when SASL is enabled; v0 = raw SASL tokens (kafka-python 2.0.2).
import type { SaslHandshakeRequest, SaslHandshakeResponse } from '../schema/types.generated.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const saslHandshakeApi = registerApi({ key: 17, name: 'SaslHandshake', minVersion: 0, maxVersion: 1, flexibleFrom: null })

const codec = apiCodec<SaslHandshakeRequest, SaslHandshakeResponse>(saslHandshakeApi)
export const decodeSaslHandshakeRequest = codec.decodeRequest
export const encodeSaslHandshakeResponse = codec.encodeResponse
export const encodeSaslHandshakeRequest = codec.encodeRequest
export const decodeSaslHandshakeResponse = codec.decodeResponse
