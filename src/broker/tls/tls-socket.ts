// The server side of a TLS connection: wraps a socket the listener accepted (paused, nothing read)
// in a TLSSocket over the same connection, reading decrypted bytes straight into the frame reader's
// slabs as readInto does for plaintext (frame-reader.ts).
//
// Node's TLSSocket takes no `onread` option, but reads through the same user-buffer path as
// net.Socket once its three fields are set: the buffer to read into, the function that gives the
// next one, and the callback told of each read. They are found by their symbols' descriptions (Node's
// own names); a Node without them falls back to copying each 'data' chunk into the reader.
import type { Socket } from 'node:net'
import { TLSSocket } from 'node:tls'
import type { FrameReader } from '../frame-reader.js'
import type { TlsSettings } from './tls-config.js'
import { subjectDn } from './principal.js'

const ANONYMOUS = 'User:ANONYMOUS'

/** A client refused after the handshake (Kafka's SslAuthenticationException): logged, not a bug. */
export class SslAuthenticationError extends Error {}

/**
 * Starts the TLS handshake on `accepted`. Once it completes, `secured` gets the client's principal
 * (its certificate's, mapped; User:ANONYMOUS without one), or an SslAuthenticationError when it must be
 * refused (an untrusted certificate the client offered unasked, a subject no mapping rule matches).
 */
export function acceptTls (accepted: Socket, reader: FrameReader, tls: TlsSettings, secured: (principal: string | SslAuthenticationError) => void): TLSSocket {
  const socket = new TLSSocket(accepted, {
    isServer: true,
    secureContext: tls.context,
    requestCert: tls.clientAuth !== 'none',
    rejectUnauthorized: tls.clientAuth === 'required'
  })
  readIntoTls(socket, reader)
  socket.once('secure', () => { secured(principalOf(socket, tls)) })
  return socket
}

function principalOf (socket: TLSSocket, tls: TlsSettings): string | SslAuthenticationError {
  const certificate = socket.getPeerX509Certificate()
  if (certificate === undefined) return tls.clientAuth === 'required' ? new SslAuthenticationError('client sent no certificate (ssl.client.auth=required)') : ANONYMOUS
  // Node's OpenSSL accepts any certificate in the handshake and leaves the verdict to whoever made
  // the socket (tls.Server reads it as here). As Java's, `requested` refuses an untrusted one too.
  const verdict = (socket as unknown as { _handle: { verifyError: () => Error | null } })._handle.verifyError()
  if (verdict !== null) return new SslAuthenticationError(`client certificate refused: ${verdict.message}`)
  const dn = subjectDn(certificate.raw)
  const name = tls.principalName(dn)
  return name === null ? new SslAuthenticationError(`no ssl.principal.mapping.rules rule applies to ${dn}`) : `User:${name}`
}

function readIntoTls (socket: TLSSocket, reader: FrameReader): void {
  const symbols = new Map(Object.getOwnPropertySymbols(socket).map(s => [s.description, s]))
  const buffer = symbols.get('kBuffer')
  const next = symbols.get('kBufferGen')
  const callback = symbols.get('kBufferCb')
  const handle = (socket as unknown as { _handle?: { useUserBuffer?: (b: Buffer) => void } })._handle
  if (buffer !== undefined && next !== undefined && callback !== undefined && typeof handle?.useUserBuffer === 'function') {
    const fields = socket as unknown as Record<symbol, unknown>
    const first = reader.next()
    fields[buffer] = first
    fields[next] = () => reader.next()
    fields[callback] = (count: number) => { reader.received(count) }
    handle.useUserBuffer(first)
    return
  }
  socket.on('data', (chunk: Buffer) => {
    for (let at = 0; at < chunk.length;) {
      const copied = chunk.copy(reader.next(), 0, at)
      at += copied
      reader.received(copied)
    }
  })
}
