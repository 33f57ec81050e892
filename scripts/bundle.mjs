// The second half of `npm run build`: after tsc has written dist/ (one file per module, with the
// declarations), esbuild replaces the three entry files that start a broker with bundles, so a
// process (and each shard thread) loads a few files instead of ~150 modules:
//   dist/cli/main.js, dist/index.js   the `sluice` command and the embedding API; code they share and
//                                     every lazy import (each CLI tool, the broker, the gateway) are
//                                     chunks under dist/chunks/, loaded only when imported, as before
//   dist/storage/shard-worker.js      the shard thread, one self-contained file
// The native addons stay external, and so do the packages that load files by path (piscina its
// worker, uWebSockets.js and the codecs their binaries, hdr-histogram-js is loaded with createRequire);
// pino and its dependencies are bundled: importing them as packages (about 20 CommonJS files, each
// resolved and scanned for its exports) took ~70 ms of the main thread's start. pino's transports
// (worker threads started from their files' paths) would not work from the bundle; Sluice uses none.
// dist/chunks/ sits two levels below the package root like every tsc output file, so
// import.meta.url-relative paths (native.ts's addon, worker-file.ts) resolve the same from either.
import { build } from 'esbuild'
import { readFileSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const { dependencies } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const BUNDLED = new Set(['pino'])
const common = {
  absWorkingDir: root,
  outdir: 'dist',
  outbase: 'src',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: Object.keys(dependencies).filter(name => !BUNDLED.has(name)),
  // CommonJS code in an ES module bundle calls require() for Node's own modules.
  banner: { js: "import { createRequire as __sluiceRequire } from 'node:module'; const require = __sluiceRequire(import.meta.url);" },
  sourcemap: true,
  logLevel: 'warning'
}

rmSync(new URL('../dist/chunks', import.meta.url), { recursive: true, force: true })
await build({ ...common, entryPoints: ['src/cli/main.ts', 'src/index.ts'], splitting: true, chunkNames: 'chunks/[name]-[hash]' })
await build({ ...common, entryPoints: ['src/storage/shard-worker.ts'] })
