// What an encoder accepts for a generated message type T: every field may be left out (it is then
// written as its default, see codec/schema-codec.ts), nested structs likewise, and byte or record
// fields may be a list of buffers that go out back to back without being concatenated.
import type { BytesInput } from '../codec/writer.js'

export type MessageInput<T> =
  T extends Buffer ? BytesInput
    : T extends ReadonlyArray<infer E> ? ReadonlyArray<MessageInput<E>>
      : T extends object ? { [K in keyof T]?: MessageInput<T[K]> }
        : T
