// Kafka frames are an int32 size followed by that many bytes (protocol-notes.md §1). The broker's frame
// reader asks this module for the size instead of reading bytes itself.
import { ProtocolError } from './codec/protocol-error.js'

export const FRAME_PREFIX_BYTES = 4
/** Kafka's socket.request.max.bytes default; a larger prefix closes the connection. */
export const MAX_FRAME_BYTES = 104857600

/** Size of the frame starting at `offset`, or −1 when fewer than 4 bytes are buffered. */
export function frameSize (buf: Buffer, offset = 0, maxBytes = MAX_FRAME_BYTES): number {
  if (buf.length - offset < FRAME_PREFIX_BYTES) return -1
  const size = buf.readInt32BE(offset)
  if (size < 0 || size > maxBytes) throw new ProtocolError(`frame size ${size} outside 0..${maxBytes}`)
  return size
}
