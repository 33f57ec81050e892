// The second half of `npm run build`: after tsc has written dist/ (one file per module, with the
// declarations), esbuild bundles what starts a broker, so a process (and each shard thread) loads a
// few files instead of ~150 modules:
//   dist/bundle/sluice.cjs            one CommonJS bundle of the `sluice` command, the broker and the
//                                     embedding API (src/bundle-entry.ts); each part (each CLI tool,
//                                     the broker, the gateway) is evaluated only when asked for
//   dist/cli/main.js, dist/index.js   small ES module stubs in place of tsc's files: they load the
//                                     bundle through its V8 code cache (src/code-cache.ts) and run
//                                     the command / export the API
//   dist/bundle/shard-threads.cjs     the start of the shard threads (src/storage/shard-threads.ts),
//                                     one module that both the bundle and dist/cli/main.js require():
//                                     `sluice start` spawns the threads before it loads the bundle
//   dist/storage/shard-worker.cjs     the shard thread's module, one self-contained CommonJS file
//                                     (tsc's shard-worker.js is removed), which piscina require()s: an
//                                     ES module would first start Node's ESM loader in the thread
// CommonJS, not ES modules: Node 20 caches no compiled code for either, but vm.Script takes a V8 code
// cache, which only a script can use; and one script loads faster than an ES module graph of chunks.
// The bundle's first line is the hash of its content, which names its code cache (V8 only compares
// the source's length). Measured: README, Performance, Start-up.
// The native addons stay external, and so do the packages that load files by path (uWebSockets.js
// and the codecs their binaries, hdr-histogram-js is loaded with createRequire);
// pino and its dependencies are bundled: importing them as packages (about 20 CommonJS files, each
// resolved and scanned for its exports) took ~70 ms of the main thread's start. pino's transports
// (worker threads started from their files' paths) would not work from the bundle; Sluice uses none.
// dist/bundle/ sits two levels below the package root like every tsc output file, so
// import.meta.url-relative paths (native.ts's addon, worker-file.ts) resolve the same from either.
import { createHash } from 'node:crypto'
import { build } from 'esbuild'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = (path) => new URL(`../dist/${path}`, import.meta.url)
const { dependencies } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const BUNDLED = new Set(['pino'])
const HASH_PLACEHOLDER = '0'.repeat(32)
const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: Object.keys(dependencies).filter(name => !BUNDLED.has(name)),
  // Every module's import.meta.url is the bundle file's.
  define: { 'import.meta.url': '__sluiceModuleUrl' },
  sourcemap: true,
  logLevel: 'warning'
}

const banner = "const __sluiceModuleUrl = require('node:url').pathToFileURL(__filename).href;"
// The bundle's imports of shard-threads.ts load dist/bundle/shard-threads.cjs (the same module
// instance as the one dist/cli/main.js required, so the threads it spawned are found).
const shardThreadsApart = {
  name: 'shard-threads-apart',
  setup (b) { b.onResolve({ filter: /\/shard-threads\.js$/ }, () => ({ path: './shard-threads.cjs', external: true })) }
}

rmSync(dist('chunks'), { recursive: true, force: true })
rmSync(dist('bundle'), { recursive: true, force: true })
// piscina is bundled into it (as a package, resolving and loading its dozen files took the main thread
// ~10 ms before it could spawn a thread); its one file path, the worker it runs, stays its own.
await build({
  ...common,
  entryPoints: ['src/storage/shard-threads.ts'],
  outfile: 'dist/bundle/shard-threads.cjs',
  external: common.external.filter(name => name !== 'piscina'),
  define: { ...common.define, __dirname: '__piscinaDir' },
  banner: { js: `${banner}\nconst __piscinaDir = require('node:path').dirname(require.resolve('piscina'));` }
})
await build({
  ...common,
  entryPoints: ['src/bundle-entry.ts'],
  outfile: 'dist/bundle/sluice.cjs',
  plugins: [shardThreadsApart],
  banner: { js: `// sluice bundle ${HASH_PLACEHOLDER}\n${banner}` }
})
// The code cache a broker writes next to the bundle is this machine's (Node version, V8 flags): never packed.
writeFileSync(dist('bundle/.npmignore'), 'code-cache/\n')
// The placeholder has the hash's length, so the source map's positions stay right. esbuild escapes
// every non-ASCII character in code but keeps comments as written: escaped there too, the bundle is
// pure ASCII, which Node reads into a one-byte string (it took twice as long as a two-byte one).
const bundled = readFileSync(dist('bundle/sluice.cjs'), 'utf8').replace(/[^\x00-\x7f]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
const hash = createHash('sha256').update(bundled).digest('hex').slice(0, HASH_PLACEHOLDER.length)
writeFileSync(dist('bundle/sluice.cjs'), bundled.replace(HASH_PLACEHOLDER, hash))

writeFileSync(dist('cli/main.js'), `#!/usr/bin/env node
// The \`sluice\` command (src/cli/main.ts), from dist/bundle/sluice.cjs and its code cache (scripts/bundle.mjs).
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { loadBundle } from '../code-cache.js'
// The shard threads boot while \`sluice start\` loads the bundle, its config, the native addon and the
// broker (the default count; the store stops those it does not take, start --help all of them).
if (process.argv[2] === 'start') createRequire(import.meta.url)('../bundle/shard-threads.cjs').prestartShardThreads(availableParallelism())
const bundle = loadBundle(new URL('../bundle/sluice.cjs', import.meta.url))
bundle.exports.whenBrokerStarted(bundle.saveCache)
await bundle.exports.runCli()
`)
writeFileSync(dist('index.js'), `// The embedding API (src/index.ts), from dist/bundle/sluice.cjs and its code cache (scripts/bundle.mjs).
import { loadBundle } from './code-cache.js'
const bundle = loadBundle(new URL('./bundle/sluice.cjs', import.meta.url))
bundle.exports.whenBrokerStarted(bundle.saveCache)
export const { startBroker, Broker } = await bundle.exports.embedding()
`)
for (const file of ['cli/main.js.map', 'index.js.map', 'bundle-entry.js', 'bundle-entry.js.map', 'bundle-entry.d.ts']) rmSync(dist(file), { force: true })

await build({
  ...common,
  entryPoints: ['src/storage/shard-worker.ts'],
  outfile: 'dist/storage/shard-worker.cjs',
  banner: { js: banner }
})
for (const file of ['shard-worker.js', 'shard-worker.js.map']) rmSync(dist(`storage/${file}`), { force: true })
