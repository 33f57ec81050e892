// A reader for Java's JKS key stores (Kafka's default ssl.keystore.type), from the format:
//
//   u32 magic 0xFEEDFEED · u32 version (1 or 2) · u32 entry count, then each entry:
//     u32 tag (1 private key, 2 trusted certificate) · alias (u16 length + modified UTF-8) · u64 date
//     tag 1: u32 length + EncryptedPrivateKeyInfo (DER) · u32 chain length · per certificate: [v2: type
//            (u16 length + UTF-8)] u32 length + DER
//     tag 2: [v2: type] u32 length + DER
//   20-byte SHA-1 over: the store password as UTF-16BE, "Mighty Aphrodite", every byte before it.
//
// A private key is protected by Sun's key protector (OID 1.3.6.1.4.1.42.2.17.1.1): the encrypted data
// is salt (20 bytes) · key XOR keystream · check (20 bytes), where the keystream is SHA-1 chained
// from the salt (d1 = SHA1(password · salt), d2 = SHA1(password · d1), ...), the password again as
// UTF-16BE, and the check is SHA1(password · key). The key is a PKCS#8 PrivateKeyInfo.
import { createHash, timingSafeEqual } from 'node:crypto'
import { children, contents, tlv } from './der.js'

export const JKS_MAGIC = 0xfeedfeed
const PRIVATE_KEY = 1
const TRUSTED_CERTIFICATE = 2
const DIGEST_BYTES = 20

/** A wrong password: `which` names the one (the store's integrity, or the key's). */
export class JksPasswordError extends Error {
  constructor (readonly which: 'store' | 'key') { super(`wrong ${which} password (the ${which === 'store' ? 'integrity check' : 'key check'} failed)`) }
}

export interface JksEntries {
  /** Private key entries: the protected key and its certificate chain (DER), in file order. */
  keys: Array<{ protectedKey: Buffer, chain: Buffer[] }>
  /** Trusted certificate entries (DER). */
  trusted: Buffer[]
}

const sha1 = (...parts: Buffer[]): Buffer => {
  const hash = createHash('sha1')
  for (const part of parts) hash.update(part)
  return hash.digest()
}

const utf16be = (password: string): Buffer => Buffer.from(password, 'utf16le').swap16()

/** Reads the entries; checks the store's integrity when a password is given (Java skips it without). */
export function readJks (bytes: Buffer, password: string | null): JksEntries {
  let at = 0
  const need = (n: number): void => { if (at + n > bytes.length) throw new Error('truncated JKS key store') }
  const u32 = (): number => { need(4); at += 4; return bytes.readUInt32BE(at - 4) }
  const chunk = (length: number): Buffer => { need(length); at += length; return bytes.subarray(at - length, at) }
  const utf = (): string => { need(2); at += 2; return chunk(bytes.readUInt16BE(at - 2)).toString('utf8') }
  if (u32() !== JKS_MAGIC) throw new Error('not a JKS key store')
  const version = u32()
  if (version !== 1 && version !== 2) throw new Error(`unknown JKS version ${version}`)
  const certificate = (): Buffer => {
    if (version === 2) utf()
    return chunk(u32())
  }
  const out: JksEntries = { keys: [], trusted: [] }
  for (let count = u32(); count > 0; count--) {
    const tag = u32()
    utf() // alias
    chunk(8) // date
    if (tag === PRIVATE_KEY) {
      const protectedKey = chunk(u32())
      const chain = Array.from({ length: u32() }, certificate)
      out.keys.push({ protectedKey, chain })
    } else if (tag === TRUSTED_CERTIFICATE) {
      out.trusted.push(certificate())
    } else {
      throw new Error(`unknown JKS entry tag ${tag} (a JCEKS store?)`)
    }
  }
  const digest = chunk(DIGEST_BYTES)
  if (password !== null && !timingSafeEqual(digest, sha1(utf16be(password), Buffer.from('Mighty Aphrodite'), bytes.subarray(0, at - DIGEST_BYTES)))) {
    throw new JksPasswordError('store')
  }
  return out
}

/** The PKCS#8 DER of a protected key entry. */
export function recoverKey (protectedKey: Buffer, password: string): Buffer {
  // EncryptedPrivateKeyInfo: SEQUENCE { AlgorithmIdentifier, OCTET STRING }.
  const encrypted = octetStringAtEnd(protectedKey)
  if (encrypted.length < 2 * DIGEST_BYTES) throw new Error('malformed protected key')
  const salt = encrypted.subarray(0, DIGEST_BYTES)
  const sealed = encrypted.subarray(DIGEST_BYTES, encrypted.length - DIGEST_BYTES)
  const check = encrypted.subarray(encrypted.length - DIGEST_BYTES)
  const secret = utf16be(password)
  const key = Buffer.alloc(sealed.length)
  let digest = salt
  for (let i = 0; i < sealed.length; i++) {
    if (i % DIGEST_BYTES === 0) digest = sha1(secret, digest)
    key[i] = sealed[i]! ^ digest[i % DIGEST_BYTES]!
  }
  if (!timingSafeEqual(check, sha1(secret, key))) throw new JksPasswordError('key')
  return key
}

function octetStringAtEnd (der: Buffer): Buffer {
  const [, data] = children(der, tlv(der, 0))
  if (data?.tag !== 0x04) throw new Error('malformed protected key')
  return contents(der, data)
}

/** DER certificates as one PEM text. */
export function certificatesPem (certificates: Buffer[]): string {
  return certificates.map(der => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`).join('')
}
