// Compiles a message spec (schema/specs.generated.ts) for one version into a decode and an encode function.
// The functions are generated JavaScript source (new Function) rather than a walk over the field tree:
// the source reads fields in wire order into one object literal, so every decoded message of a given
// version has one hidden class, and nothing is interpreted per field at run time. Measured with
// bench/protocol-codec.ts. Compiled functions are cached per message and version.
//
// Semantics (protocol-notes.md §4):
// - A field absent from the version decodes as its default; every decoded object has all fields.
// - Encoding takes each missing (undefined) field as its default. In a request, a non-default value in a
//   field the version lacks is an error unless the field is ignorable. In a response every field counts
//   as ignorable: the broker builds one answer for all versions, and a field the client's version lacks
//   is one that client cannot read, so it is left out rather than failing the whole answer.
// - Tagged fields: written in ascending tag order, omitted when they hold their default; on read,
//   unknown tags are skipped, duplicate or descending tags and size mismatches are errors.
// - A nullable struct is preceded by an int8: −1 for null, 1 for present.
// codegenSource() returns the generated source, for reading and debugging.
import type { FieldSpec, MessageSpec } from '../schema/spec-types.js'
import { inRange } from '../schema/spec-types.js'
import { ProtocolError } from './protocol-error.js'
import type { Reader } from './reader.js'
import { Writer } from './writer.js'

export type Decoder<T> = (r: Reader) => T
export type Encoder<T> = (w: Writer, message: T) => void

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000'
const EMPTY_BYTES = Buffer.alloc(0)

/** Helpers the generated source closes over. */
const helpers = {
  ProtocolError,
  Writer,
  EMPTY_BYTES,
  ZERO_UUID,
  readArray<T> (r: Reader, nullable: boolean, name: string, readOne: (r: Reader) => T): T[] | null {
    const n = r.arrayLength()
    if (n < 0) {
      if (nullable) return null
      throw new ProtocolError(`null in non-nullable array ${name}`)
    }
    const out: T[] = []
    for (let i = 0; i < n; i++) out.push(readOne(r))
    return out
  },
  writeArray<T> (w: Writer, items: readonly T[] | null, name: string, writeOne: (w: Writer, item: T) => void): void {
    if (items === null) throw new ProtocolError(`null in non-nullable array ${name}`)
    w.arrayLength(items.length)
    for (const item of items) writeOne(w, item)
  },
  writeNullableArray<T> (w: Writer, items: readonly T[] | null, writeOne: (w: Writer, item: T) => void): void {
    if (items === null) { w.arrayLength(-1); return }
    w.arrayLength(items.length)
    for (const item of items) writeOne(w, item)
  },
  absent (field: string, version: number): never {
    throw new ProtocolError(`field ${field} has a non-default value but does not exist in version ${version}`)
  }
}

const primitiveCall: Record<string, string> = {
  int8: 'int8', int16: 'int16', int32: 'int32', int64: 'int64', uint16: 'uint16', float64: 'float64', bool: 'bool', uuid: 'uuid'
}

/** Code generation state for one (message, version, direction). */
class Gen {
  readonly functions: string[] = []
  private count = 0
  constructor (readonly spec: MessageSpec, readonly version: number, readonly flexible: boolean) {}

  fnName (prefix: string): string { return `${prefix}${this.count++}` }

  get isResponse (): boolean { return this.spec.name.endsWith('Response') }

  present (f: FieldSpec): boolean { return inRange(f.versions, this.version) }
  nullable (f: FieldSpec): boolean { return inRange(f.nullable, this.version) }
  tagged (f: FieldSpec): boolean { return this.flexible && inRange(f.tagged, this.version) }
  /** RequestHeader.ClientId keeps the old INT16 string inside flexible headers. */
  legacy (f: FieldSpec): boolean {
    if (f.flexible === undefined || !this.flexible || inRange(f.flexible, this.version)) return false
    if (f.type !== 'string' || f.array === true) throw new Error(`per-field flexibleVersions only supported on strings (${f.name})`)
    return true
  }

  /** JS expression for the value of `f` when it is absent; arrays and structs get fresh objects. */
  defaultExpr (f: FieldSpec): string {
    if (f.default === null) return 'null'
    if (f.array === true) return '[]'
    if (f.type === 'struct') return `${this.defaultsFn(f)}()`
    if (f.default !== undefined) return typeof f.default === 'string' ? JSON.stringify(f.default) : String(f.default)
    switch (f.type) {
      case 'bool': return 'false'
      case 'string': return "''"
      case 'uuid': return 'h.ZERO_UUID'
      case 'bytes': return 'h.EMPTY_BYTES'
      case 'records': return 'null'
      default: return '0'
    }
  }

  private defaultsFn (f: FieldSpec): string {
    const name = this.fnName('defaults')
    const props = (f.fields ?? []).map((c) => `${c.name}: ${this.defaultExpr(c)}`)
    this.functions.push(`function ${name} () { return { ${props.join(', ')} } }`)
    return name
  }

  /** JS condition that `v` holds the default of `f` (tagged fields are omitted then). */
  isDefaultExpr (f: FieldSpec, v: string): string {
    if (f.default === null) return `${v} === null`
    if (f.array === true || f.type === 'bytes') return `(${v} !== null && ${v}.length === 0)`
    if (f.type === 'struct') {
      const checks = (f.fields ?? []).map((c) => {
        const value = `${v}.${c.name}`
        return `(${value} === undefined || ${this.isDefaultExpr(c, value)})`
      })
      return checks.length === 0 ? 'true' : checks.join(' && ')
    }
    if (f.type === 'uuid') return `${v}.replaceAll('-', '') === '${'0'.repeat(32)}'`
    return `${v} === ${this.defaultExpr(f)}`
  }
}

// ---- decode ----

function readExpr (g: Gen, f: FieldSpec): string {
  if (f.array === true) {
    const one = f.type === 'struct' ? decodeStruct(g, f.fields ?? []) : `(r) => ${readOne(g, f, false)}`
    return `h.readArray(r, ${String(g.nullable(f))}, '${f.name}', ${one})`
  }
  return readOne(g, f, g.nullable(f))
}

function readOne (g: Gen, f: FieldSpec, nullable: boolean): string {
  switch (f.type) {
    case 'struct': {
      const fn = decodeStruct(g, f.fields ?? [])
      return nullable ? `(r.int8() < 0 ? null : ${fn}(r))` : `${fn}(r)`
    }
    case 'string':
      if (g.legacy(f)) return 'r.legacyNullableString()'
      return nullable ? 'r.nullableString()' : 'r.string()'
    case 'bytes': case 'records':
      return nullable ? 'r.nullableBytes()' : 'r.bytes()'
    default:
      return `r.${primitiveCall[f.type] as string}()`
  }
}

/** Emits a function reading one struct; returns its name. */
function decodeStruct (g: Gen, fields: readonly FieldSpec[]): string {
  const name = g.fnName('decode')
  const props: string[] = []
  const tagCases: string[] = []
  for (const f of fields) {
    if (!g.present(f)) props.push(`${f.name}: ${g.defaultExpr(f)}`)
    else if (g.tagged(f)) {
      props.push(`${f.name}: ${g.defaultExpr(f)}`)
      tagCases.push(`case ${String(f.tag)}: o.${f.name} = ${readExpr(g, f)}; break`)
    } else props.push(`${f.name}: ${readExpr(g, f)}`)
  }
  const body = [`  const o = {\n    ${props.join(',\n    ')}\n  }`]
  if (g.flexible) body.push(tagSectionReader(tagCases))
  g.functions.push(`function ${name} (r) {\n${body.join('\n')}\n  return o\n}`)
  return name
}

function tagSectionReader (cases: string[]): string {
  return `  for (let n = r.uvarint(), previous = -1; n > 0; n--) {
    const tag = r.uvarint()
    if (tag <= previous) throw new h.ProtocolError('tag ' + tag + ' after tag ' + previous + ': tags must ascend')
    previous = tag
    const size = r.uvarint()
    if (size > r.remaining) throw new h.ProtocolError('tagged field ' + tag + ' of ' + size + ' bytes is truncated')
    const end = r.offset + size
    switch (tag) {
      ${[...cases, 'default: r.offset = end'].join('\n      ')}
    }
    if (r.offset !== end) throw new h.ProtocolError('tagged field ' + tag + ' does not fill its ' + size + ' bytes')
  }`
}

// ---- encode ----

function writeStmt (g: Gen, f: FieldSpec, v: string, w = 'w'): string {
  if (f.array === true) {
    const one = f.type === 'struct' ? encodeStruct(g, f.fields ?? []) : `(w, x) => { ${writeOne(g, f, 'x', false, 'w')} }`
    return g.nullable(f) ? `h.writeNullableArray(${w}, ${v}, ${one})` : `h.writeArray(${w}, ${v}, '${f.name}', ${one})`
  }
  return writeOne(g, f, v, g.nullable(f), w)
}

function writeOne (g: Gen, f: FieldSpec, v: string, nullable: boolean, w: string): string {
  switch (f.type) {
    case 'struct': {
      const fn = encodeStruct(g, f.fields ?? [])
      return nullable ? `if (${v} === null) ${w}.int8(-1); else { ${w}.int8(1); ${fn}(${w}, ${v}) }` : `${fn}(${w}, ${v})`
    }
    case 'string':
      if (g.legacy(f)) return `${w}.legacyNullableString(${v})`
      return nullable ? `${w}.nullableString(${v})` : `${w}.string(${v})`
    case 'bytes': case 'records':
      return nullable ? `${w}.nullableBytes(${v})` : `${w}.bytes(${v})`
    default:
      return `${w}.${primitiveCall[f.type] as string}(${v})`
  }
}

/** The field's value in message `m`, with its default when undefined. */
function valueExpr (g: Gen, f: FieldSpec): string {
  const d = f.type === 'struct' && f.array !== true && f.default !== null ? '{}' : g.defaultExpr(f)
  return g.nullable(f) || f.default === null ? `(m.${f.name} === undefined ? ${d} : m.${f.name})` : `(m.${f.name} ?? ${d})`
}

/** Emits a function writing one struct; returns its name. */
function encodeStruct (g: Gen, fields: readonly FieldSpec[]): string {
  const name = g.fnName('encode')
  const lines: string[] = []
  const tagged: FieldSpec[] = []
  for (const f of fields) {
    if (!g.present(f)) {
      if (f.ignorable !== true && !g.isResponse) lines.push(`if (m.${f.name} !== undefined && !(${g.isDefaultExpr(f, `m.${f.name}`)})) h.absent('${f.name}', ${g.version})`)
    } else if (g.tagged(f)) tagged.push(f)
    else lines.push(`${writeStmt(g, f, valueExpr(g, f))}`)
  }
  if (g.flexible) lines.push(...tagSectionWriter(g, tagged.sort((a, b) => (a.tag ?? 0) - (b.tag ?? 0))))
  g.functions.push(`function ${name} (w, m) {\n  ${lines.join('\n  ')}\n}`)
  return name
}

function tagSectionWriter (g: Gen, tagged: FieldSpec[]): string[] {
  if (tagged.length === 0) return ['w.emptyTaggedFields()']
  const lines = ['let tags = 0']
  tagged.forEach((f, i) => {
    lines.push(`const t${i} = m.${f.name}`, `const has${i} = t${i} !== undefined && !(${g.isDefaultExpr(f, `t${i}`)})`, `if (has${i}) tags++`)
  })
  lines.push('w.uvarint(tags)')
  tagged.forEach((f, i) => {
    lines.push(`if (has${i}) { const s = new h.Writer({ flexible: true, initialSize: 64 }); ${writeStmt(g, f, `t${i}`, 's')}; w.taggedField(${String(f.tag)}, s) }`)
  })
  return lines
}

// ---- compile and cache ----

function checkVersion (spec: MessageSpec, version: number): void {
  if (!Number.isInteger(version) || version < spec.valid[0] || version > spec.valid[1]) {
    throw new ProtocolError(`${spec.name} has no version ${version} (valid ${spec.valid[0]}-${spec.valid[1]})`)
  }
}

export function codegenSource (spec: MessageSpec, version: number, direction: 'decode' | 'encode'): string {
  checkVersion(spec, version)
  const g = new Gen(spec, version, inRange(spec.flexible, version))
  const root = direction === 'decode' ? decodeStruct(g, spec.fields) : encodeStruct(g, spec.fields)
  const entry = direction === 'decode'
    ? `return function decode${spec.name}V${version} (r) { r.flexible = ${String(g.flexible)}; return ${root}(r) }`
    : `return function encode${spec.name}V${version} (w, m) { w.flexible = ${String(g.flexible)}; ${root}(w, m) }`
  return `'use strict'\n${g.functions.join('\n')}\n${entry}\n`
}

// Per spec, indexed by version: the lookup on every message costs no string building.
const decoders = new WeakMap<MessageSpec, Array<Decoder<unknown> | undefined>>()
const encoders = new WeakMap<MessageSpec, Array<Encoder<unknown> | undefined>>()

function cached<F> (cache: WeakMap<MessageSpec, Array<F | undefined>>, spec: MessageSpec, version: number, direction: 'decode' | 'encode'): F {
  let byVersion = cache.get(spec)
  if (byVersion === undefined) cache.set(spec, byVersion = [])
  let fn = byVersion[version]
  if (fn === undefined) {
    fn = new Function('h', codegenSource(spec, version, direction))(helpers) as F
    byVersion[version] = fn
  }
  return fn
}

export function decoderFor<T> (spec: MessageSpec, version: number): Decoder<T> {
  return cached(decoders, spec, version, 'decode') as Decoder<T>
}

export function encoderFor<T> (spec: MessageSpec, version: number): Encoder<T> {
  return cached(encoders, spec, version, 'encode') as Encoder<T>
}
