// Generates the checked-in protocol data from the Kafka reference material:
//   src/protocol/schema/specs.generated.ts   field layouts of every planned API (request + response) and headers
//   src/protocol/schema/types.generated.ts   one TypeScript interface per message and nested struct
//   src/protocol/error-codes.generated.ts    ErrorCode from protocol-notes.md §7
// and then checks every registered API's version ranges against the specs' validVersions.
// Run: npx tsx scripts/gen-protocol.ts [referenceDir]   (default ../shared/reference from the repo root)
// test/unit/protocol/generated-files.test.ts re-runs generateProtocolFiles() and compares.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { FieldSpec, MessageSpec, VersionRange } from '../src/protocol/schema/spec-types.js'
import { MAX_VERSION } from '../src/protocol/schema/spec-types.js'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const defaultReferenceDir = resolve(repoRoot, '../shared/reference')

interface RawField {
  name: string
  type: string
  versions: string
  nullableVersions?: string
  taggedVersions?: string
  tag?: number
  flexibleVersions?: string
  ignorable?: boolean
  default?: string | number | boolean
  fields?: RawField[]
}
interface RawMessage {
  apiKey?: number
  name: string
  validVersions: string
  flexibleVersions: string
  fields: RawField[]
  commonStructs?: Array<{ name: string, fields: RawField[] }>
}
interface PlanEntry { apiKey: number, name: string }

/** Removes `//` comments outside string literals; the spec files are JSON with comments. */
export function stripJsonComments (text: string): string {
  let out = ''
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      out += c
      if (c === '\\') out += text[++i] ?? ''
      else if (c === '"') inString = false
    } else if (c === '"') {
      inString = true
      out += c
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++
      out += '\n'
    } else {
      out += c
    }
  }
  return out
}

function parseRange (text: string): VersionRange {
  if (text === 'none') return [0, -1]
  if (text.endsWith('+')) return [Number(text.slice(0, -1)), MAX_VERSION]
  const [from, to] = text.split('-')
  return [Number(from), Number(to ?? from)]
}

const primitives = new Set(['int8', 'int16', 'int32', 'int64', 'uint16', 'float64', 'bool', 'string', 'bytes', 'uuid', 'records'])

function parseDefault (raw: RawField, type: string): FieldSpec['default'] {
  const text = String(raw.default)
  if (text === 'null') return null
  if (type === 'bool') return text === 'true'
  if (type === 'string') return text
  const value = Number(text)
  if (Number.isNaN(value)) throw new Error(`unparseable default ${text} for ${raw.name}`)
  return value
}

const camel = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1)

/** A struct as the types generator needs it: the interface name and its fields. */
interface StructInfo { typeName: string, fields: FieldSpec[] }

interface ConvertContext { msg: string, common: Map<string, RawField[]>, structs: Map<string, StructInfo>, typeNames: Map<FieldSpec, string> }

function convertFields (raws: RawField[], ctx: ConvertContext): FieldSpec[] {
  return raws.map((raw) => {
    const isArray = raw.type.startsWith('[]')
    const base = isArray ? raw.type.slice(2) : raw.type
    const field: { -readonly [K in keyof FieldSpec]: FieldSpec[K] } = {
      name: camel(raw.name),
      type: primitives.has(base) ? base as FieldSpec['type'] : 'struct',
      versions: parseRange(raw.versions)
    }
    if (isArray) field.array = true
    if (raw.nullableVersions !== undefined) field.nullable = parseRange(raw.nullableVersions)
    if (raw.taggedVersions !== undefined) {
      field.tag = raw.tag
      field.tagged = parseRange(raw.taggedVersions)
    }
    if (raw.flexibleVersions !== undefined) field.flexible = parseRange(raw.flexibleVersions)
    if (raw.ignorable === true) field.ignorable = true
    if (raw.default !== undefined) field.default = parseDefault(raw, base)
    if (field.type === 'struct') {
      const body = raw.fields ?? ctx.common.get(base)
      if (body === undefined) throw new Error(`${ctx.msg}: unknown struct type ${base}`)
      field.fields = convertFields(body, ctx)
      ctx.structs.set(base, { typeName: ctx.msg + base, fields: field.fields as FieldSpec[] })
      ctx.typeNames.set(field, ctx.msg + base)
    }
    return field
  })
}

interface Parsed { spec: MessageSpec, structs: Map<string, StructInfo>, typeNames: Map<FieldSpec, string> }

function parseMessage (refDir: string, fileName: string): Parsed {
  const raw = JSON.parse(stripJsonComments(readFileSync(join(refDir, 'kafka-message-specs', fileName), 'utf8'))) as RawMessage
  const common = new Map((raw.commonStructs ?? []).map((s) => [s.name, s.fields]))
  const structs = new Map<string, StructInfo>()
  const typeNames = new Map<FieldSpec, string>()
  const fields = convertFields(raw.fields, { msg: raw.name, common, structs, typeNames })
  return {
    typeNames,
    spec: { name: raw.name, apiKey: raw.apiKey ?? -1, valid: parseRange(raw.validVersions), flexible: parseRange(raw.flexibleVersions), fields },
    structs
  }
}

function fieldLiteral (f: FieldSpec, indent: string): string {
  const parts = [`name: '${f.name}'`, `type: '${f.type}'`]
  if (f.array === true) parts.push('array: true')
  parts.push(`versions: [${f.versions.join(', ')}]`)
  if (f.nullable !== undefined) parts.push(`nullable: [${f.nullable.join(', ')}]`)
  if (f.tagged !== undefined) parts.push(`tag: ${String(f.tag)}`, `tagged: [${f.tagged.join(', ')}]`)
  if (f.flexible !== undefined) parts.push(`flexible: [${f.flexible.join(', ')}]`)
  if (f.ignorable === true) parts.push('ignorable: true')
  if (f.default !== undefined) parts.push(`default: ${typeof f.default === 'string' ? `'${f.default}'` : String(f.default)}`)
  if (f.fields === undefined) return `${indent}{ ${parts.join(', ')} }`
  return `${indent}{ ${parts.join(', ')}, fields: [\n${fieldsLiteral(f.fields, indent + '  ')}\n${indent}] }`
}

const fieldsLiteral = (fields: readonly FieldSpec[], indent: string): string => fields.map((f) => fieldLiteral(f, indent)).join(',\n')

function tsType (f: FieldSpec, typeNames: Map<FieldSpec, string>): string {
  let base: string
  switch (f.type) {
    case 'bool': base = 'boolean'; break
    case 'string': case 'uuid': base = 'string'; break
    case 'bytes': case 'records': base = 'Buffer'; break
    case 'struct': base = typeNames.get(f) ?? 'never'; break
    default: base = 'number'
  }
  const type = f.array === true ? `${base}[]` : base
  return f.nullable !== undefined || f.type === 'records' ? `${type} | null` : type
}

function interfaceText (name: string, fields: readonly FieldSpec[], typeNames: Map<FieldSpec, string>): string {
  const lines = fields.map((f) => `  ${f.name}: ${tsType(f, typeNames)}`)
  return `export interface ${name} {\n${lines.join('\n')}\n}`
}

interface ErrorRow { code: number, name: string, retriable: boolean, message: string }

/** Parses the error table of protocol-notes.md §7: `| code | name | retriable | typical use |`. */
function parseErrorTable (refDir: string): ErrorRow[] {
  const notes = readFileSync(join(refDir, 'protocol-notes.md'), 'utf8')
  const section = notes.slice(notes.indexOf('## 7. Error codes'), notes.indexOf('## 8.'))
  const rows: ErrorRow[] = []
  for (const line of section.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim())
    const [code, name, retriable, use] = cells
    if (code === undefined || name === undefined || !/^-?\d+$/.test(code)) continue
    const message = use !== undefined && use !== '' ? use : name.toLowerCase().replaceAll('_', ' ')
    rows.push({ code: Number(code), name, retriable: retriable === 'yes', message })
  }
  return [...rows, ...extraErrors.filter(e => !rows.some(r => r.code === e.code))].sort((a, b) => a.code - b.code)
}

const banner = (what: string): string =>
  `// GENERATED by scripts/gen-protocol.ts from ${what}. Do not edit; run \`npm run gen:protocol\`.\n`

function errorCodesFile (rows: ErrorRow[]): string {
  const codes = rows.map((r) => `  ${r.name}: ${r.code}`).join(',\n')
  const info = rows.map((r) => `  [${r.code}, { name: '${r.name}', retriable: ${String(r.retriable)}, message: ${JSON.stringify(r.message)} }]`).join(',\n')
  return banner('shared/reference/protocol-notes.md §7') +
    `\nexport const ErrorCode = {\n${codes}\n} as const\n\nexport type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]\n\n` +
    'export interface ErrorInfo { readonly name: string, readonly retriable: boolean, readonly message: string }\n\n' +
    `export const errorInfo: ReadonlyMap<number, ErrorInfo> = new Map<number, ErrorInfo>([\n${info}\n])\n`
}

// APIs served beyond shared/reference/api-version-plan.json (a read-only plan that predates them);
// their specs are in the same kafka-message-specs.
const extraPlan: PlanEntry[] = [
  { apiKey: 43, name: 'ElectLeaders' },
  { apiKey: 48, name: 'DescribeClientQuotas' },
  { apiKey: 49, name: 'AlterClientQuotas' },
  { apiKey: 50, name: 'DescribeUserScramCredentials' },
  { apiKey: 51, name: 'AlterUserScramCredentials' },
  { apiKey: 55, name: 'DescribeQuorum' }
]
// Error codes those APIs answer that protocol-notes.md §7 (read-only) does not list, merged in by code.
const extraErrors: ErrorRow[] = [
  { code: 92, name: 'DUPLICATE_RESOURCE', retriable: false, message: 'a request alters or describes the same resource twice' },
  { code: 93, name: 'UNACCEPTABLE_CREDENTIAL', retriable: false, message: 'the credential does not meet the broker\'s rules' }
]

function readPlan (refDir: string): PlanEntry[] {
  const planned = (JSON.parse(readFileSync(join(refDir, 'api-version-plan.json'), 'utf8')) as { apis: PlanEntry[] }).apis
  return [...planned, ...extraPlan].sort((a, b) => a.apiKey - b.apiKey)
}

/** Returns generated file contents keyed by path relative to the repo root. */
export function generateProtocolFiles (refDir: string = defaultReferenceDir): Map<string, string> {
  const files = ['RequestHeader', 'ResponseHeader'].map((n) => `${n}.json`)
  for (const api of readPlan(refDir)) files.push(`${api.name}Request.json`, `${api.name}Response.json`)
  const parsed = files.map((f) => parseMessage(refDir, f))
  const source = readFileSync(join(refDir, 'kafka-message-specs', 'SOURCE.txt'), 'utf8').match(/commit: (\w+)/)?.[1] ?? 'unknown'

  const specBlocks = parsed.map(({ spec: s }) =>
    `  ${s.name}: {\n    name: '${s.name}', apiKey: ${s.apiKey}, valid: [${s.valid.join(', ')}], flexible: [${s.flexible.join(', ')}], fields: [\n` +
    `${fieldsLiteral(s.fields, '      ')}\n    ]\n  }`)
  const specsText = banner(`kafka-message-specs @ ${source}`) +
    "import type { MessageSpec } from './spec-types.js'\n\n" +
    `export const messageSpecs: Readonly<Record<string, MessageSpec>> = {\n${specBlocks.join(',\n')}\n}\n`

  const typeBlocks: string[] = []
  for (const { spec, structs, typeNames } of parsed) {
    typeBlocks.push(interfaceText(spec.name, spec.fields, typeNames))
    for (const s of structs.values()) typeBlocks.push(interfaceText(s.typeName, s.fields, typeNames))
  }
  const typesText = banner(`kafka-message-specs @ ${source}`) +
    '// Every message interface holds the union of the fields of all its versions. int64 is `number` (rule in\n' +
    '// src/protocol/codec/reader.ts); uuid is a lowercase 8-4-4-4-12 string; records decode as a Buffer view.\n\n' +
    typeBlocks.join('\n\n') + '\n'

  return new Map([
    ['src/protocol/schema/specs.generated.ts', specsText],
    ['src/protocol/schema/types.generated.ts', typesText],
    ['src/protocol/error-codes.generated.ts', errorCodesFile(parseErrorTable(refDir))]
  ])
}

/** Every registered API must exist in the plan and stay inside its specs' validVersions. */
export async function checkRegisteredRanges (refDir: string = defaultReferenceDir): Promise<string[]> {
  const { registeredApis } = await import('../src/protocol/apis/index.js')
  const problems: string[] = []
  const plan = readPlan(refDir)
  for (const api of registeredApis()) {
    const entry = plan.find((p) => p.apiKey === api.key)
    if (entry === undefined) problems.push(`${api.name} (key ${api.key}) is not in the version plan`)
    for (const dir of ['Request', 'Response']) {
      const { spec } = parseMessage(refDir, `${api.name}${dir}.json`)
      const low = Math.min(api.minVersion, api.advertiseMin)
      const high = Math.max(api.maxVersion, api.advertiseMax)
      if (low < spec.valid[0] || high > spec.valid[1]) problems.push(`${api.name}: ${low}-${high} outside ${spec.name} ${spec.valid.join('-')}`)
      if (api.flexibleFrom !== (spec.flexible[1] < 0 ? null : spec.flexible[0])) problems.push(`${api.name}: flexibleFrom ${String(api.flexibleFrom)} disagrees with ${spec.name}`)
    }
  }
  return problems
}

async function main (): Promise<void> {
  const refDir = resolve(process.argv[2] ?? defaultReferenceDir)
  for (const [path, text] of generateProtocolFiles(refDir)) {
    writeFileSync(join(repoRoot, path), text)
    console.log(`wrote ${path}`)
  }
  const problems = await checkRegisteredRanges(refDir)
  for (const p of problems) console.error(`range check: ${p}`)
  if (problems.length > 0) process.exitCode = 1
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main()
