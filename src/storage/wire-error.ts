// Errors cross threads as plain data: structured clone keeps an Error's message but drops custom
// fields such as `code`, and the caller must get back a StoreError with the code the native core chose.
import { StoreError } from './native.js'
import type { WireError } from './messages.js'

export function toWireError (err: unknown): WireError {
  if (err instanceof StoreError) {
    return err.errno === undefined ? { code: err.code, message: err.message } : { code: err.code, message: err.message, errno: err.errno }
  }
  if (err instanceof Error) return { code: null, message: err.stack ?? err.message }
  return { code: null, message: String(err) }
}

/** A coded error becomes a StoreError again; anything else is a bug in the shard and stays a plain Error. */
export function fromWireError (wire: WireError, context: string): Error {
  if (wire.code === null) return new Error(`${context}: unexpected error in shard: ${wire.message}`)
  return new StoreError(wire.code, `${context}: ${wire.message}`, wire.errno)
}
