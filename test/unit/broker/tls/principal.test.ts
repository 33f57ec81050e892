// Client certificate subjects as Kafka names them (Java's X500Principal.getName()), and Kafka's
// ssl.principal.mapping.rules, with the cases of Kafka's SslPrincipalMapperTest.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { X509Certificate } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { principalMapper, subjectDn } from '../../../../src/broker/tls/principal.js'

const dir = mkdtempSync(join(tmpdir(), 'sluice-dn-'))
afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

function certificateWith (subject: string): Buffer {
  const out = join(dir, 'cert.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', out, '-days', '1', '-subj', subject, '-utf8'], { stdio: 'ignore' })
  return new X509Certificate(readFileSync(out)).raw
}

describe('subjectDn', () => {
  it('writes the most specific RDN first, as RFC 2253', () => {
    expect(subjectDn(certificateWith('/C=US/ST=CA/L=Palo Alto/O=Example/OU=eng/CN=alice'))).toBe('CN=alice,OU=eng,O=Example,L=Palo Alto,ST=CA,C=US')
  })

  it('escapes as Java does and writes attributes without an RFC 2253 keyword as OID=#DER', () => {
    const dn = subjectDn(certificateWith('/C=US/emailAddress=ops@example.com/OU=#a=b;c<d>"e"\\+ /CN=Smith\\, John'))
    expect(dn).toBe('CN=Smith\\, John,OU=\\#a\\=b\\;c\\<d\\>\\"e\\"\\+\\ ,1.2.840.113549.1.9.1=#160f6f7073406578616d706c652e636f6d,C=US')
  })

  it('keeps UTF-8 text and the DC and UID keywords', () => {
    expect(subjectDn(certificateWith('/DC=com/DC=example/UID=jdoe/CN=Jürgen'))).toBe('CN=Jürgen,UID=jdoe,DC=example,DC=com')
  })
})

describe('ssl.principal.mapping.rules', () => {
  const rules = 'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L,' +
    'RULE:^cn=(.*?),ou=(.*?),dc=(.*?),dc=(.*?)$/$1@$2/U,RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/U,DEFAULT'

  it.each([
    ['CN=Duke,OU=ServiceUsers,O=Org,C=US', 'Duke'],
    ['CN=Duke,OU=SME,O=mycp,L=Fulton,ST=MD,C=US', 'duke@sme'],
    ['cn=duke,ou=sme,dc=mycp,dc=com', 'DUKE@SME'],
    ['cN=duke,OU=JavaSoft,O=Sun Microsystems', 'DUKE'],
    ['OU=JavaSoft,O=Sun Microsystems,C=US', 'OU=JavaSoft,O=Sun Microsystems,C=US']
  ])('maps %s to %s', (dn, name) => {
    expect(principalMapper('ssl.principal.mapping.rules', rules)(dn)).toBe(name)
  })

  it('answers null when no rule applies (the connection is refused), and DEFAULT is the DN itself', () => {
    expect(principalMapper('k', 'RULE:^CN=(.*?),OU=eng$/$1/')('CN=bob,OU=ops')).toBeNull()
    expect(principalMapper('k', 'DEFAULT')('CN=bob,OU=ops')).toBe('CN=bob,OU=ops')
  })

  it('treats a back reference past the last group as text, as Kafka does', () => {
    expect(principalMapper('k', 'RULE:^CN=(.*?),OU=(.*?)$/$1@$3/')('CN=a,OU=b')).toBe('a@$3')
  })

  it.each([
    'DEFAULT/L', 'DEFAUL', 'DEFAULT/U', 'RULE:CN=(.*?),OU=ServiceUsers.*/$1', 'rule:CN=(.*?),OU=ServiceUsers.*/$1/',
    'RULE:CN=(.*?),OU=ServiceUsers.*/$1/L/U', 'RULE:CN=(.*?),OU=ServiceUsers.*/L', 'RULE:CN=(.*?),OU=ServiceUsers.*/U',
    'RULE:CN=(.*?),OU=ServiceUsers.*/LU'
  ])('refuses the invalid rule %s naming the key', (invalid) => {
    expect(() => principalMapper('ssl.principal.mapping.rules', invalid)).toThrow(/ssl\.principal\.mapping\.rules/)
  })
})
