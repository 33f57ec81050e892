// Loads a CommonJS bundle (scripts/bundle.mjs: dist/bundle/sluice.cjs) the way require() would, but
// through vm.Script with a V8 code cache, so a process starts from the bytecode an earlier run
// compiled instead of parsing and compiling the bundle again (Node 20 has no compile cache of its own;
// module.enableCompileCache came with Node 22).
//
// The cache lives next to the bundle, in code-cache/<bundle hash>-<node version>-<arch>.bin, written
// once by the first process that finds none (or finds it rejected by V8), after its broker has
// started (saveCache, called from the entry stubs): it then holds every function the start path
// compiled. The bundle's first line names the hash of its content: V8 itself only checks the source's
// length, so a rebuilt bundle must never meet an older cache. A package directory that is not
// writable simply runs without a cache.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import Module from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { constants as vmConstants, Script } from 'node:vm'

const HASH_LINE = /^\/\/ sluice bundle ([0-9a-f]{16,})\n/

export interface LoadedBundle<Exports> {
  exports: Exports
  /** Whether V8 took the bundle's code from the cache. */
  cached: boolean
  /** Writes the code cache if there was none or V8 rejected it; later calls do nothing. */
  saveCache: () => void
}

/** Errors that mean "no cache here", not a bug: none yet, or a package directory we may not write. */
const NO_CACHE = new Set(['ENOENT', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT'])

export function loadBundle<Exports> (url: URL): LoadedBundle<Exports> {
  const file = fileURLToPath(url)
  const source = readFileSync(file, 'utf8')
  const hash = HASH_LINE.exec(source)?.[1]
  if (hash === undefined) throw new Error(`${file} does not start with its content hash (rebuild with npm run build)`)
  const cacheFile = join(dirname(file), 'code-cache', `${hash}-${process.version}-${process.arch}.bin`)
  const cachedData = readCache(cacheFile)
  // A dynamic import() in the bundle (esbuild inlines ours; an external's would stay) loads as it
  // would from a file (the option exists from Node 20.12).
  const importModuleDynamically = vmConstants?.USE_MAIN_CONTEXT_DEFAULT_LOADER
  const script = new Script(Module.wrap(source), { filename: file, cachedData, importModuleDynamically })
  const cached = cachedData !== undefined && script.cachedDataRejected === false
  let pending = !cached
  const module = new Module(file)
  module.filename = file
  const run = script.runInThisContext() as (...args: unknown[]) => void
  run.call(module.exports, module.exports, Module.createRequire(file), module, file, dirname(file))
  module.loaded = true
  return {
    exports: module.exports as Exports,
    cached,
    saveCache () {
      if (!pending) return
      pending = false
      writeCache(cacheFile, script.createCachedData())
    }
  }
}

function readCache (file: string): Buffer | undefined {
  try {
    return readFileSync(file)
  } catch (error) {
    if (NO_CACHE.has((error as NodeJS.ErrnoException).code ?? '')) return undefined
    throw error
  }
}

/** Atomically (processes started side by side may write it at once); gives up quietly where the
 *  package directory is not writable. */
function writeCache (file: string, data: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`
  try {
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(tmp, data)
    renameSync(tmp, file)
  } catch (error) {
    rmSync(tmp, { force: true })
    if (!NO_CACHE.has((error as NodeJS.ErrnoException).code ?? '')) throw error
  }
}
