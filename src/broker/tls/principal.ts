// The principal of a client on an SSL listener, as Kafka's DefaultKafkaPrincipalBuilder makes it:
// the client certificate's subject as Java's X500Principal.getName() writes it (RFC 2253: the most
// specific RDN first, CN=alice,OU=eng,O=Example,C=US), mapped by ssl.principal.mapping.rules
// (SslPrincipalMapper), as User:<name>. Without a client certificate it is User:ANONYMOUS.
//
// The subject is read from the certificate's DER rather than from Node's text form, which lists the
// RDNs the other way round and names attributes as OpenSSL does (emailAddress, where Java writes the
// OID and the value's DER in hex).
import { ConfigError } from '../../config/settings.js'
import { children, oid, tlv, type Tlv } from './der.js'

/** The principal name for a subject DN, or null when no rule matches (the connection is refused). */
export type PrincipalMapper = (dn: string) => string | null

/** Java's RFC 2253 keywords; every other attribute is written as OID=#<DER hex>. */
const KEYWORDS: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC'
}

/** A directory string's text, or null for a value that is not one (Java then writes it in hex). */
function text (der: Buffer, value: Tlv): string | null {
  const bytes = der.subarray(value.body, value.end)
  switch (value.tag) {
    case 0x0c: return bytes.toString('utf8') // UTF8String
    case 0x12: case 0x13: case 0x16: return bytes.toString('latin1') // Numeric, Printable, IA5
    case 0x14: return bytes.toString('latin1') // T61String, as Java reads it
    case 0x1e: return Buffer.from(bytes).swap16().toString('utf16le') // BMPString
    default: return null
  }
}

/** Java's AVA.toRFC2253String escaping (getName(), not the canonical form). */
function escape (value: string): string {
  let out = ''
  for (const c of value) {
    if (',=+<>#;"\\'.includes(c)) out += '\\' + c
    else if (c < ' ' || c === '\u007f') out += '\\' + c.charCodeAt(0).toString(16).padStart(2, '0')
    else out += c
  }
  if (out.startsWith(' ')) out = '\\' + out
  if (out.endsWith(' ') && !out.endsWith('\\ ')) out = out.slice(0, -1) + '\\ '
  return out
}

/** The subject of a DER certificate, as Java's X500Principal.getName(). */
export function subjectDn (certificate: Buffer): string {
  const tbs = children(certificate, tlv(certificate, 0))[0]!
  const fields = children(certificate, tbs)
  const subject = fields[fields[0]!.tag === 0xa0 ? 5 : 4]!
  return children(certificate, subject).reverse().map(rdn => children(certificate, rdn).map(ava => {
    const [type, value] = children(certificate, ava)
    const id = oid(certificate.subarray(type!.body, type!.end))
    const keyword = KEYWORDS[id]
    const string = keyword === undefined ? null : text(certificate, value!)
    if (string === null) return `${id}=#${certificate.subarray(value!.start, value!.end).toString('hex')}`
    return `${keyword!}=${escape(string)}`
  }).join('+')).join(',')
}

/**
 * ssl.principal.mapping.rules: comma-separated DEFAULT (the DN itself) or RULE:<regex>/<replacement>/[LU]
 * (the first rule whose regex matches the whole DN; $1… name its groups; L/U change the case).
 * Kafka compiles Java regexes; the common ones read the same in JavaScript.
 */
export function principalMapper (key: string, rules: string): PrincipalMapper {
  const parsed: Array<{ pattern: RegExp, whole: RegExp, replacement: string, caseTo: string } | null> = []
  const rule = /\s*(?:(DEFAULT)|RULE:((?:\\.|[^\\/])*)\/((?:\\.|[^\\/])*)\/([LU]?)|([^,]*?))\s*(?:,|$)/y
  const trimmed = rules.trim()
  for (let at = 0; at < trimmed.length;) {
    rule.lastIndex = at
    const match = rule.exec(trimmed)
    if (match === null || rule.lastIndex === at) throw new ConfigError(key, rules, `invalid rule at "${trimmed.slice(at)}"`)
    at = rule.lastIndex
    if (match[1] !== undefined) parsed.push(null)
    else if (match[2] !== undefined) {
      try {
        // Java's replaceAll after matches(): every match is replaced, the whole DN having matched.
        parsed.push({ pattern: new RegExp(match[2], 'g'), whole: new RegExp(`^(?:${match[2]})$`), replacement: match[3]!, caseTo: match[4]! })
      } catch (error) {
        throw new ConfigError(key, rules, `invalid regular expression ${match[2]}: ${(error as Error).message}`)
      }
    } else if (match[5] !== '') throw new ConfigError(key, rules, `invalid rule "${match[5]!}": expected DEFAULT or RULE:pattern/replacement/[LU]`)
  }
  return dn => {
    for (const r of parsed) {
      if (r === null) return dn
      if (!r.whole.test(dn)) continue
      const name = dn.replace(r.pattern, r.replacement)
      return r.caseTo === 'L' ? name.toLowerCase() : r.caseTo === 'U' ? name.toUpperCase() : name
    }
    return null
  }
}
