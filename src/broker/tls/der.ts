// Just enough DER for the TLS settings (certificate subjects, JKS key entries, PKCS12 trust stores):
// definite-length TLVs, walked in place without copying.

export interface Tlv {
  tag: number
  /** Where the TLV starts, where its contents start, and where it ends. */
  start: number
  body: number
  end: number
}

/** The TLV at `at`; throws on one that runs past the buffer. */
export function tlv (der: Buffer, at: number): Tlv {
  if (at + 2 > der.length) throw new Error('truncated DER')
  const tag = der[at]!
  let length = der[at + 1]!
  let body = at + 2
  if (length >= 0x80) {
    const bytes = length & 0x7f
    if (bytes === 0 || bytes > 4) throw new Error('unsupported DER length')
    length = 0
    for (let i = 0; i < bytes; i++) length = length * 256 + der[body + i]!
    body += bytes
  }
  if (body + length > der.length) throw new Error('truncated DER')
  return { tag, start: at, body, end: body + length }
}

/** The TLVs inside a constructed one. */
export function children (der: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = []
  for (let at = parent.body; at < parent.end; at = out[out.length - 1]!.end) out.push(tlv(der, at))
  return out
}

export const contents = (der: Buffer, t: Tlv): Buffer => der.subarray(t.body, t.end)

/** An OBJECT IDENTIFIER's contents in dotted form. */
export function oid (bytes: Buffer): string {
  const parts = [Math.floor(bytes[0]! / 40), bytes[0]! % 40]
  let value = 0
  for (const byte of bytes.subarray(1)) {
    value = value * 128 + (byte & 0x7f)
    if ((byte & 0x80) === 0) { parts.push(value); value = 0 }
  }
  return parts.join('.')
}
