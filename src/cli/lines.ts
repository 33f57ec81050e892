// Splits a byte stream into lines without decoding it: records may hold any bytes but '\n'. A line
// ending "\r\n" loses the '\r' too. The text after the last '\n' is a line when it is not empty, so a
// file with or without a final newline gives the same records.
import type { Readable } from 'node:stream'

const NEWLINE = 0x0a
const CARRIAGE_RETURN = 0x0d

/**
 * Yields the complete lines of each chunk together (one await per chunk, not per line), each a view
 * into the chunk it came in, or a copy when it spans chunks.
 */
export async function * lines (input: Readable, onBytes?: (n: number) => void): AsyncGenerator<Buffer[]> {
  let carry: Buffer | null = null
  for await (const chunk of input as AsyncIterable<Buffer>) {
    onBytes?.(chunk.length)
    const out: Buffer[] = []
    let start = 0
    for (let end = chunk.indexOf(NEWLINE); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
      let line = chunk.subarray(start, end)
      if (carry !== null) {
        line = Buffer.concat([carry, line])
        carry = null
      }
      out.push(trimCarriageReturn(line))
      start = end + 1
    }
    if (out.length > 0) yield out
    if (start < chunk.length) carry = carry === null ? Buffer.from(chunk.subarray(start)) : Buffer.concat([carry, chunk.subarray(start)])
  }
  if (carry !== null && carry.length > 0) yield [trimCarriageReturn(carry)]
}

function trimCarriageReturn (line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN ? line.subarray(0, line.length - 1) : line
}

/** Splits at the first `separator`; a line without one has a null key (as kcat -K does). */
export function splitKey (line: Buffer, separator: Buffer | null): { key: Buffer | null, value: Buffer } {
  if (separator === null) return { key: null, value: line }
  const at = line.indexOf(separator)
  if (at < 0) return { key: null, value: line }
  return { key: line.subarray(0, at), value: line.subarray(at + separator.length) }
}
