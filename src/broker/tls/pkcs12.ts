// The certificates of a PKCS12 trust store (RFC 7292), which Node's TLS does not read without a
// private key in the file. The layout:
//
//   PFX ::= SEQUENCE { version, authSafe ContentInfo, macData MacData OPTIONAL }
//   authSafe: data whose OCTET STRING holds SEQUENCE OF ContentInfo, each one
//     data (1.2.840.113549.1.7.1):          [0] { OCTET STRING SafeContents }
//     encryptedData (1.2.840.113549.1.7.6): [0] { SEQUENCE { version, SEQUENCE { type, algorithm, [0] IMPLICIT bytes } } }
//   SafeContents ::= SEQUENCE OF SafeBag { bagId, [0] { bagValue }, attributes }; a certBag's value is
//     SEQUENCE { x509Certificate type, [0] { OCTET STRING DER } }
//   MacData ::= SEQUENCE { DigestInfo { algorithm, digest }, salt OCTET STRING, iterations INTEGER }
//
// Encryption: PBES2 with PBKDF2 and AES-CBC, what OpenSSL 3 and Java 17's keytool write (the password
// as UTF-8). The older PKCS#12 PBE schemes (3DES, RC2) are refused with how to re-export the file.
// The MAC key comes from RFC 7292's key derivation (appendix B, ID 3, the password as BMPString).
import { createDecipheriv, createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto'
import { children, contents, oid, tlv, type Tlv } from './der.js'

const DATA = '1.2.840.113549.1.7.1'
const ENCRYPTED_DATA = '1.2.840.113549.1.7.6'
const CERT_BAG = '1.2.840.113549.1.12.10.1.3'
const PBES2 = '1.2.840.113549.1.5.13'
const HASHES: Record<string, { name: string, block: number }> = {
  '1.3.14.3.2.26': { name: 'sha1', block: 64 },
  '2.16.840.1.101.3.4.2.1': { name: 'sha256', block: 64 },
  '2.16.840.1.101.3.4.2.2': { name: 'sha384', block: 128 },
  '2.16.840.1.101.3.4.2.3': { name: 'sha512', block: 128 }
}
/** PBKDF2's PRFs (HMAC with a hash); absent means HMAC-SHA1. */
const PRFS: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1', '1.2.840.113549.2.9': 'sha256', '1.2.840.113549.2.10': 'sha384', '1.2.840.113549.2.11': 'sha512'
}
const AES: Record<string, string> = {
  '2.16.840.1.101.3.4.1.2': 'aes-128-cbc', '2.16.840.1.101.3.4.1.22': 'aes-192-cbc', '2.16.840.1.101.3.4.1.42': 'aes-256-cbc'
}

/** A wrong password (the MAC, or a decryption, failed). */
export class Pkcs12PasswordError extends Error {}

const integer = (der: Buffer, t: Tlv): number => contents(der, t).reduce((n, byte) => n * 256 + byte, 0)
const oidOf = (der: Buffer, t: Tlv | undefined): string => {
  if (t?.tag !== 0x06) throw new Error('malformed PKCS12: expected an OBJECT IDENTIFIER')
  return oid(contents(der, t))
}
/** The single TLV inside an explicit [0]. */
const explicit = (der: Buffer, t: Tlv | undefined): Tlv => {
  if (t?.tag !== 0xa0) throw new Error('malformed PKCS12: expected [0]')
  return tlv(der, t.body)
}

/** The certificates (DER) of a PKCS12 file; the MAC is checked when a password is given. */
export function pkcs12Certificates (bytes: Buffer, password: string | null): Buffer[] {
  const [, authSafe, macData] = children(bytes, tlv(bytes, 0))
  const [type, content] = children(bytes, authSafe!)
  if (oidOf(bytes, type) !== DATA) throw new Error('malformed PKCS12: a public-key integrity mode store')
  const safes = contents(bytes, explicit(bytes, content))
  if (password !== null && macData !== undefined) checkMac(bytes, macData, safes, password)
  const certificates: Buffer[] = []
  for (const info of children(safes, tlv(safes, 0))) {
    const [infoType, infoContent] = children(safes, info)
    const kind = oidOf(safes, infoType)
    let bags: Buffer
    if (kind === DATA) bags = contents(safes, explicit(safes, infoContent))
    else if (kind === ENCRYPTED_DATA) bags = decrypt(safes, explicit(safes, infoContent), password ?? '')
    else continue // enveloped data: not in a password-based store
    for (const bag of children(bags, tlv(bags, 0))) {
      const [bagId, bagValue] = children(bags, bag)
      if (oidOf(bags, bagId) !== CERT_BAG) continue
      // CertBag ::= SEQUENCE { certId, [0] { OCTET STRING DER } }
      const [, certificate] = children(bags, explicit(bags, bagValue))
      certificates.push(Buffer.from(contents(bags, explicit(bags, certificate))))
    }
  }
  return certificates
}

function checkMac (bytes: Buffer, macData: Tlv, safes: Buffer, password: string): void {
  const [digestInfo, salt, iterations] = children(bytes, macData)
  const [algorithm, digest] = children(bytes, digestInfo!)
  const hash = HASHES[oidOf(bytes, children(bytes, algorithm!)[0])]
  if (hash === undefined) throw new Error('PKCS12 MAC with an unknown digest')
  const expected = contents(bytes, digest!)
  const key = pkcs12Kdf(hash, bmpPassword(password), contents(bytes, salt!), iterations === undefined ? 1 : integer(bytes, iterations), expected.length)
  const actual = createHmac(hash.name, key).update(safes).digest()
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw new Pkcs12PasswordError('wrong password (the MAC check failed)')
}

/** EncryptedData ::= SEQUENCE { version, EncryptedContentInfo { type, AlgorithmIdentifier, [0] IMPLICIT bytes } }. */
function decrypt (der: Buffer, encryptedData: Tlv, password: string): Buffer {
  const [, info] = children(der, encryptedData)
  const [, algorithm, encrypted] = children(der, info!)
  const [scheme, params] = children(der, algorithm!)
  if (oidOf(der, scheme) !== PBES2) throw new Error('encrypted with a legacy PKCS#12 scheme (3DES or RC2): re-export it with openssl 3 or keytool 17, or as PEM')
  const [kdf, cipher] = children(der, params!)
  const [kdfId, kdfParams] = children(der, kdf!)
  if (oidOf(der, kdfId) !== '1.2.840.113549.1.5.12') throw new Error('PBES2 with a key derivation other than PBKDF2')
  const [salt, iterations, ...rest] = children(der, kdfParams!)
  const prfId = rest.find(t => t.tag === 0x30)
  const prf = prfId === undefined ? 'sha1' : PRFS[oidOf(der, children(der, prfId)[0])]
  const [cipherId, iv] = children(der, cipher!)
  const aes = AES[oidOf(der, cipherId)]
  if (prf === undefined || aes === undefined) throw new Error('PBES2 with an unsupported PRF or cipher')
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), contents(der, salt!), integer(der, iterations!), Number(aes.slice(4, 7)) / 8, prf)
  try {
    const decipher = createDecipheriv(aes, key, contents(der, iv!))
    return Buffer.concat([decipher.update(contents(der, encrypted!)), decipher.final()])
  } catch {
    throw new Pkcs12PasswordError('wrong password (decryption failed)')
  }
}

function bmpPassword (password: string): Buffer {
  return Buffer.concat([Buffer.from(password, 'utf16le').swap16(), Buffer.alloc(2)])
}

/** RFC 7292 appendix B.2 with ID 3 (MAC key). */
function pkcs12Kdf (hash: { name: string, block: number }, password: Buffer, salt: Buffer, iterations: number, length: number): Buffer {
  const v = hash.block
  const fill = (bytes: Buffer): Buffer => {
    const out = Buffer.alloc(v * Math.ceil(bytes.length / v))
    for (let i = 0; i < out.length; i++) out[i] = bytes[i % bytes.length]!
    return out
  }
  const input = Buffer.concat([fill(salt), fill(password)])
  const diversifier = Buffer.alloc(v, 3)
  const out: Buffer[] = []
  for (let produced = 0; produced < length;) {
    let a = createHash(hash.name).update(diversifier).update(input).digest()
    for (let i = 1; i < iterations; i++) a = createHash(hash.name).update(a).digest()
    out.push(a)
    produced += a.length
    // Each v-byte block of the input becomes (block + B + 1) mod 2^(8v), B being A repeated to v bytes.
    const b = fill(a).subarray(0, v)
    for (let j = 0; j < input.length; j += v) {
      let carry = 1
      for (let k = v - 1; k >= 0; k--) {
        const sum = input[j + k]! + b[k]! + carry
        input[j + k] = sum & 0xff
        carry = sum >> 8
      }
    }
  }
  return Buffer.concat(out).subarray(0, length)
}
