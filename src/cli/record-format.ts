// How `sluice consume` prints a record:
//   plain     the value and a newline
//   json      one JSON object per line: topic, partition, offset, timestamp, key, value, headers
//   template  kcat's -f tokens: %t topic · %p partition · %o offset · %T timestamp (ms) · %k key ·
//             %K key length · %s value · %S value length · %h headers as k=v,k2=v2 · %% a '%';
//             escapes \n \r \t \\. Nothing is appended, so a template usually ends in \n.
// Plain and template output carry keys and values as their raw bytes; json decodes them as UTF-8.
// A null key or value prints as nothing (json: null).
import type { ConsumedRecord } from '../client/index.js'

/** Appends the pieces of one formatted record to `out` (bytes stay bytes, no copy). */
export type RecordFormatter = (record: ConsumedRecord, out: Array<string | Buffer>) => void

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\' }

type Part = string | ((record: ConsumedRecord) => string | Buffer)
const EMPTY = Buffer.alloc(0)

const text = (b: Buffer | null): string => b === null ? '' : b.toString('utf8')
const nullableText = (b: Buffer | null): string | null => b === null ? null : b.toString('utf8')

const TOKENS: Record<string, (record: ConsumedRecord) => string | Buffer> = {
  t: r => r.topic,
  p: r => String(r.partition),
  o: r => String(r.offset),
  T: r => String(r.timestamp),
  k: r => r.key ?? EMPTY,
  K: r => String(r.key?.length ?? -1),
  s: r => r.value ?? EMPTY,
  S: r => String(r.value?.length ?? -1),
  h: r => r.headers.map(h => `${h.key}=${text(h.value)}`).join(','),
  '%': () => '%'
}

/** The formatter for --format; throws an Error naming the problem for an unknown format or token. */
export function recordFormatter (format: string): RecordFormatter {
  if (format === 'plain') return (r, out) => { out.push(r.value ?? EMPTY, '\n') }
  if (format === 'json') return (r, out) => { out.push(JSON.stringify(asJson(r)) + '\n') }
  if (!format.includes('%')) throw new Error(`--format must be plain, json or a template with %-tokens (like '%k %s\\n'), got "${format}"`)
  return compileTemplate(format)
}

export function asJson (r: ConsumedRecord): object {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: nullableText(r.key),
    value: nullableText(r.value),
    headers: r.headers.map(h => ({ key: h.key, value: nullableText(h.value) }))
  }
}

function compileTemplate (template: string): RecordFormatter {
  const parts: Part[] = []
  let literal = ''
  for (let i = 0; i < template.length; i++) {
    const c = template[i] as string
    const next = template[i + 1]
    if ((c === '%' || c === '\\') && next === undefined) throw new Error(`--format ends in a lone "${c}"`)
    if (c === '\\') {
      const escaped = ESCAPES[next as string]
      if (escaped === undefined) throw new Error(`--format: unknown escape "\\${next as string}" (known: \\n \\r \\t \\\\)`)
      literal += escaped
      i++
    } else if (c === '%') {
      const token = TOKENS[next as string]
      if (token === undefined) throw new Error(`--format: unknown token "%${next as string}" (known: %t %p %o %T %k %K %s %S %h %%)`)
      if (literal !== '') parts.push(literal)
      literal = ''
      parts.push(token)
      i++
    } else {
      literal += c
    }
  }
  if (literal !== '') parts.push(literal)
  return (record, out) => {
    for (const part of parts) out.push(typeof part === 'string' ? part : part(record))
  }
}
