// Deterministic pseudo-random messages for round-trip tests. sampleMessage() fills every field present
// in the version (arrays have 1–2 elements, nullable fields are sometimes null, tagged fields sometimes
// hold their default) and gives absent fields the value a decoder must report for them, so
// decode(encode(sample)) must equal the sample exactly. The default rules are restated here from
// protocol-notes.md §4 rather than taken from the codec, so the two check each other.
import type { FieldSpec, MessageSpec } from '../../../src/protocol/schema/spec-types.js'
import { inRange } from '../../../src/protocol/schema/spec-types.js'

/** mulberry32: small, fast and reproducible. */
export function prng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function defaultValue (f: FieldSpec): unknown {
  if (f.default === null) return null
  if (f.array === true) return []
  if (f.type === 'struct') return Object.fromEntries((f.fields ?? []).map((c) => [c.name, defaultValue(c)]))
  if (f.default !== undefined) return f.default
  switch (f.type) {
    case 'bool': return false
    case 'string': return ''
    case 'uuid': return '00000000-0000-0000-0000-000000000000'
    case 'bytes': return Buffer.alloc(0)
    case 'records': return null
    default: return 0
  }
}

interface SampleContext { rand: () => number, version: number, flexible: boolean, taggedDefaults: boolean }

const int = (rand: () => number, bits: number): number => Math.floor(rand() * 2 ** bits) - 2 ** (bits - 1)

function primitive (f: FieldSpec, ctx: SampleContext): unknown {
  const { rand } = ctx
  switch (f.type) {
    case 'int8': return int(rand, 8)
    case 'int16': return int(rand, 16)
    case 'int32': return int(rand, 32)
    case 'int64': return int(rand, 53)
    case 'uint16': return Math.floor(rand() * 65536)
    case 'float64': return rand() * 1e6 - 5e5
    case 'bool': return rand() < 0.5
    case 'uuid': {
      const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('')
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
    }
    case 'string': return ['', 'a', 'topic-ü', 'grüße-€-测试', 'x'.repeat(200)][Math.floor(rand() * 5)]
    case 'bytes': return Buffer.from(Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)))
    case 'records': return Buffer.alloc(rand() < 0.3 ? 5000 : 61, Math.floor(rand() * 256))
    default: throw new Error(`no sample for ${f.type}`)
  }
}

function value (f: FieldSpec, ctx: SampleContext): unknown {
  if (!inRange(f.versions, ctx.version)) return defaultValue(f)
  if (inRange(f.nullable, ctx.version) && ctx.rand() < 0.2) return null
  if (ctx.flexible && inRange(f.tagged, ctx.version) && (ctx.taggedDefaults || ctx.rand() < 0.25)) return defaultValue(f)
  const one = (): unknown => f.type === 'struct' ? struct(f.fields ?? [], ctx) : primitive(f, ctx)
  if (f.array !== true) return one()
  return Array.from({ length: 1 + Math.floor(ctx.rand() * 2) }, one)
}

function struct (fields: readonly FieldSpec[], ctx: SampleContext): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f.name, value(f, ctx)]))
}

/** With `taggedDefaults`, every tagged field holds its default, so none is written. */
export function sampleMessage (spec: MessageSpec, version: number, seed: number, options: { taggedDefaults?: boolean } = {}): Record<string, unknown> {
  const flexible = inRange(spec.flexible, version)
  return struct(spec.fields, { rand: prng(seed), version, flexible, taggedDefaults: options.taggedDefaults ?? false })
}
