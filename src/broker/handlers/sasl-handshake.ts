// SaslHandshake: picks the SASL mechanism of a connection on a SASL_PLAINTEXT listener (sasl/session.ts).
//   v0   the tokens that follow are bare size-prefixed frames (the router passes them to the session)
//   v1   the tokens travel in SaslAuthenticate
// A mechanism not enabled on the listener is answered UNSUPPORTED_SASL_MECHANISM with the enabled
// list, and the connection closes after the answer. On a PLAINTEXT listener, or on an authenticated
// connection that may not re-authenticate now, the answer is ILLEGAL_SASL_STATE, as Kafka's KafkaApis.
import {
  decodeSaslHandshakeRequest, encodeSaslHandshakeResponse, ErrorCode, saslHandshakeApi, type SaslHandshakeRequest, type SaslHandshakeResponse
} from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const saslHandshakeHandler = defineHandler<SaslHandshakeRequest, SaslHandshakeResponse>({
  api: saslHandshakeApi,
  decode: decodeSaslHandshakeRequest,
  encode: encodeSaslHandshakeResponse,
  handle ({ mechanism }, { connection, apiVersion }) {
    const sasl = connection.sasl
    if (sasl === null) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] }
    if (sasl.expectsHandshake) {
      if (sasl.handshake(mechanism, apiVersion)) return { errorCode: ErrorCode.NONE, mechanisms: sasl.mechanisms }
      void connection.drain()
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: sasl.mechanisms }
    }
    if (sasl.authenticated && sasl.reauthenticate(mechanism, apiVersion)) return { errorCode: ErrorCode.NONE, mechanisms: sasl.mechanisms }
    return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] }
  }
})
