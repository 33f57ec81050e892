// Kafka error codes at the protocol boundary. ErrorCode and errorInfo are generated from
// protocol-notes.md §7 into error-codes.generated.ts; this file adds the error class that expected
// domain failures throw inside the broker (STYLE.md §3).
import { errorInfo, ErrorCode } from './error-codes.generated.js'

export { ErrorCode, errorInfo, type ErrorInfo } from './error-codes.generated.js'

export function errorName (code: number): string {
  return errorInfo.get(code)?.name ?? `UNKNOWN_ERROR_${code}`
}

export function isRetriable (code: number): boolean {
  return errorInfo.get(code)?.retriable ?? false
}

export class KafkaError extends Error {
  override readonly name = 'KafkaError'
  constructor (readonly code: ErrorCode, message: string = errorInfo.get(code)?.message ?? errorName(code)) {
    super(message)
  }

  get retriable (): boolean { return isRetriable(this.code) }
}
