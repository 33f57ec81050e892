// A frame that cannot be decoded: truncated, an invalid varint, a negative or oversized length, a
// version we refuse. The broker answers it by closing the connection (STYLE.md §3), never with a code.
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError'
}
