// piscina needs a file it can load in a fresh thread. Compiled (dist/), that is shard-worker.js next to
// this module. Run from source (vitest, tsx) only shard-worker.ts exists and the new thread does not
// inherit the parent's TypeScript loader, so the worker registers tsx itself.
import { existsSync } from 'node:fs'

export interface WorkerFile { filename: string; execArgv?: string[] }

export function shardWorkerFile (): WorkerFile {
  const compiled = new URL('./shard-worker.js', import.meta.url)
  if (existsSync(compiled)) return { filename: compiled.href }
  return { filename: new URL('./shard-worker.ts', import.meta.url).href, execArgv: ['--import', 'tsx'] }
}
