// A shard's thread: one single-thread piscina pool, pinned (piscina would otherwise recycle idle
// workers and move partitions). `sluice start` starts them first thing (prestartShardThreads, called
// by dist/cli/main.js before it loads the bundle, see scripts/bundle.mjs), before it loads its config,
// the native addon or the broker, so that their boot (Node's start and the module loading of each
// thread, ~100-150 ms on the 2-core VM) overlaps that loading; the store then takes them
// (takeShardThread) instead of starting its own.
import { Piscina } from 'piscina'
import { shardWorkerFile } from './worker-file.js'

const early: Piscina[] = []

function startShardThread (): Piscina {
  return new Piscina({ ...shardWorkerFile(), minThreads: 1, maxThreads: 1, idleTimeout: Infinity, atomics: 'disabled' })
}

export function prestartShardThreads (count: number): void {
  for (let i = 0; i < count; i++) early.push(startShardThread())
}

/** A thread started early, or a new one. */
export function takeShardThread (): Piscina { return early.shift() ?? startShardThread() }

/** Stops the early threads nobody took (the config asked for fewer shards, or no broker started). */
export async function releaseShardThreads (): Promise<void> {
  await Promise.allSettled(early.splice(0).map(async pool => { await pool.destroy() }))
}
