// The shape of the message-spec data that scripts/gen-protocol.ts writes into specs.generated.ts.
// It mirrors Kafka's message JSON (see shared/reference/protocol-notes.md §4) without the docs text.
// A version range is inclusive on both ends; an open range ("3+") ends at MAX_VERSION and an empty one
// ("none") is [0, -1].

export type VersionRange = readonly [from: number, to: number]

export const MAX_VERSION = 0x7fff

export type PrimitiveType =
  | 'int8' | 'int16' | 'int32' | 'int64' | 'uint16' | 'float64' | 'bool'
  | 'string' | 'bytes' | 'uuid' | 'records'

export type DefaultValue = number | boolean | string | null

export interface FieldSpec {
  readonly name: string
  /** A primitive, or 'struct' when `fields` describes the element. */
  readonly type: PrimitiveType | 'struct'
  /** `[]T`: the field is an array of `type`. */
  readonly array?: true
  readonly versions: VersionRange
  readonly nullable?: VersionRange
  /** Present on tagged fields only: the tag number and the versions in which the field is tagged. */
  readonly tag?: number
  readonly tagged?: VersionRange
  /** Per-field override of the message's flexible versions (RequestHeader.ClientId is "none"). */
  readonly flexible?: VersionRange
  readonly ignorable?: true
  /** Present only when the spec states a default; otherwise the type's zero value applies. */
  readonly default?: DefaultValue
  readonly fields?: readonly FieldSpec[]
}

export interface MessageSpec {
  readonly name: string
  readonly apiKey: number
  readonly valid: VersionRange
  readonly flexible: VersionRange
  readonly fields: readonly FieldSpec[]
}

export function inRange (range: VersionRange | undefined, version: number): boolean {
  return range !== undefined && version >= range[0] && version <= range[1]
}
