// SaslAuthenticate: one SASL token of the mechanism a v1 SaslHandshake chose (sasl/session.ts).
//   v1   +session_lifetime_ms once authenticated: connections.max.reauth.ms, or an OAUTHBEARER token's
//        remaining lifetime if that is shorter (0: the session never expires)
// A failed exchange is answered SASL_AUTHENTICATION_FAILED with Kafka's message, and the connection
// closes after the answer. Outside an exchange (a PLAINTEXT listener, an authenticated connection)
// the answer is ILLEGAL_SASL_STATE, as Kafka's KafkaApis.
import {
  decodeSaslAuthenticateRequest, encodeSaslAuthenticateResponse, ErrorCode, saslAuthenticateApi, type SaslAuthenticateRequest,
  type SaslAuthenticateResponse
} from '../../protocol/index.js'
import { defineHandler } from '../handler.js'
import { SaslAuthenticationError } from '../sasl/mechanisms.js'

const EMPTY = Buffer.alloc(0)

export const saslAuthenticateHandler = defineHandler<SaslAuthenticateRequest, SaslAuthenticateResponse>({
  api: saslAuthenticateApi,
  decode: decodeSaslAuthenticateRequest,
  encode: encodeSaslAuthenticateResponse,
  handle ({ authBytes }, { connection, broker }) {
    const sasl = connection.sasl
    if (sasl === null || !sasl.expectsAuthenticate) {
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: 'SaslAuthenticate request received after successful authentication', authBytes: EMPTY, sessionLifetimeMs: 0 }
    }
    try {
      const { challenge, lifetimeMs } = sasl.evaluate(authBytes)
      if (sasl.authenticated) connection.capFrames(null)
      return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: challenge, sessionLifetimeMs: lifetimeMs }
    } catch (error) {
      if (!(error instanceof SaslAuthenticationError)) throw error
      broker.log.info({ remote: connection.remote, reason: error.message, cause: (error.cause as Error | undefined)?.message }, 'SASL authentication failed')
      void connection.drain()
      return { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: error.message, authBytes: EMPTY, sessionLifetimeMs: 0 }
    }
  }
})
