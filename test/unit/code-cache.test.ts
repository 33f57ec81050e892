// The code cache loader (src/code-cache.ts) on small bundles in a temp dir, each load in a process of
// its own (within one process V8 reuses its own compilation and never consults the cache): the first
// run compiles from source and saves the cache, later runs start from it; a cache V8 rejects and a
// rebuilt bundle fall back to compiling.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadBundle } from '../../src/code-cache.js'

const LOADER = new URL('../../src/code-cache.ts', import.meta.url).href

let dir: string
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'sluice-code-cache-')) })
afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

function writeBundle (hash: string, answer: number): URL {
  const file = join(dir, 'bundle.cjs')
  writeFileSync(file, `// sluice bundle ${hash}\nexports.answer = ${answer}\nexports.add = (a, b) => a + b\nexports.file = __filename\n`)
  return pathToFileURL(file)
}

/** Loads the bundle in a new Node process, calls what it exports, saves the cache. */
function loadInChild (url: URL): { cached: boolean, answer: number, sum: number, file: string } {
  const script = `
    const { loadBundle } = await import(${JSON.stringify(LOADER)})
    const bundle = loadBundle(new URL(${JSON.stringify(url.href)}))
    const { answer, add, file } = bundle.exports
    bundle.saveCache()
    console.log(JSON.stringify({ cached: bundle.cached, answer, sum: add(2, 3), file }))`
  return JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' })) as ReturnType<typeof loadInChild>
}

const cacheFiles = (): string[] => readdirSync(join(dir, 'code-cache'))

describe('loadBundle', () => {
  it('runs a bundle from source, then from the code cache its first run saved', () => {
    const url = writeBundle('a'.repeat(32), 42)
    expect(loadInChild(url)).toEqual({ cached: false, answer: 42, sum: 5, file: join(dir, 'bundle.cjs') })
    expect(cacheFiles()).toEqual([`${'a'.repeat(32)}-${process.version}-${process.arch}.bin`])
    expect(loadInChild(url)).toEqual({ cached: true, answer: 42, sum: 5, file: join(dir, 'bundle.cjs') })
  })

  it('compiles from source when V8 rejects the cache, and replaces it', () => {
    const url = writeBundle('b'.repeat(32), 1)
    loadInChild(url)
    writeFileSync(join(dir, 'code-cache', cacheFiles()[0]!), Buffer.alloc(4096, 7))
    expect(loadInChild(url)).toMatchObject({ cached: false, answer: 1 })
    expect(loadInChild(url)).toMatchObject({ cached: true, answer: 1 })
  })

  it('never gives a rebuilt bundle the cache of the one before', () => {
    loadInChild(writeBundle('c'.repeat(32), 1))
    expect(loadInChild(writeBundle('d'.repeat(32), 2))).toMatchObject({ cached: false, answer: 2 })
    expect(cacheFiles().sort()).toEqual([`${'c'.repeat(32)}-${process.version}-${process.arch}.bin`, `${'d'.repeat(32)}-${process.version}-${process.arch}.bin`])
  })

  it('refuses a bundle that does not start with its hash', () => {
    const file = join(dir, 'bundle.cjs')
    writeFileSync(file, 'exports.answer = 1\n')
    expect(() => loadBundle(pathToFileURL(file))).toThrow(/content hash/)
  })
})
