// Errors cross threads as plain data: structured clone keeps an Error's message but drops custom
// fields such as `code`, and the caller must get back a StoreError with the code the native core chose.
import { StoreError } from './native.js'
import type { WireError } from './messages.js'

/** `context` (the op and its log) leads the message, so the caller's error says where it happened. */
export function toWireError (err: unknown, context: string): WireError {
  if (err instanceof StoreError) {
    const message = `${context}: ${err.message}`
    return err.errno === undefined ? { code: err.code, message } : { code: err.code, message, errno: err.errno }
  }
  if (err instanceof Error) return { code: null, message: `${context}: ${err.stack ?? err.message}` }
  return { code: null, message: `${context}: ${String(err)}` }
}

/** A coded error becomes a StoreError again; anything else is a bug in the shard and stays a plain Error. */
export function fromWireError (wire: WireError): Error {
  if (wire.code === null) return new Error(`unexpected error in shard: ${wire.message}`)
  return new StoreError(wire.code, wire.message, wire.errno)
}
