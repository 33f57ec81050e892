// What the client throws besides KafkaError (a broker's answer with an error code). Every message names
// the address and, where one exists, the next step a person can take; the CLI prints them unchanged.
import { errorInfo, errorName, KafkaError } from '../protocol/index.js'

/** Nothing listens at the address (connection refused), or the host does not resolve. */
export class BrokerUnreachableError extends Error {
  override readonly name = 'BrokerUnreachableError'
  constructor (readonly address: string, cause: Error, advertisedBy?: string) {
    super(unreachableMessage(address, cause, advertisedBy), { cause })
  }
}

function unreachableMessage (address: string, cause: Error, advertisedBy: string | undefined): string {
  const code = (cause as NodeJS.ErrnoException).code
  const via = advertisedBy === undefined
    ? ''
    : ` (the address the broker at ${advertisedBy} advertises; check its advertised.listeners)`
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve the host of ${address}${via}`
  if (advertisedBy !== undefined) return `no broker at ${address}${via}`
  return `no broker at ${address} — start one with \`sluice start\``
}

/** The connection broke, or a request got no answer in time. In-flight requests fail with it. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError'
}

/** The broker does not serve an API (or any version of it that we speak). */
export class UnsupportedApiError extends Error {
  override readonly name = 'UnsupportedApiError'
}

/** A KafkaError whose message says what it is about: `topic "x": UNKNOWN_TOPIC_OR_PARTITION: ...`. */
export function kafkaError (code: number, subject: string, message?: string | null): KafkaError {
  const detail = message !== undefined && message !== null && message !== ''
    ? message
    : errorInfo.get(code)?.message ?? 'no details'
  return new KafkaError(code as KafkaError['code'], `${subject}: ${errorName(code)}: ${detail}`)
}

/** Throws kafkaError(code, subject, message) unless code is NONE. */
export function check (code: number, subject: string, message?: string | null): void {
  if (code !== 0) throw kafkaError(code, subject, message)
}
