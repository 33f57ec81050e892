// piscina needs a file it can load in a fresh thread. Built, that is dist/storage/shard-worker.cjs
// (scripts/bundle.mjs), which piscina require()s; the path goes through ../storage/ because this
// module may run from tsc's dist/storage/ or from the bundle (dist/bundle/). Run from source (vitest,
// tsx) only shard-worker.ts exists and the new thread does not inherit the parent's TypeScript loader,
// so the worker registers tsx itself.
import { existsSync } from 'node:fs'

export interface WorkerFile { filename: string; execArgv?: string[] }

export function shardWorkerFile (): WorkerFile {
  const compiled = new URL('../storage/shard-worker.cjs', import.meta.url)
  if (existsSync(compiled)) return { filename: compiled.href }
  return { filename: new URL('../storage/shard-worker.ts', import.meta.url).href, execArgv: ['--import', 'tsx'] }
}
