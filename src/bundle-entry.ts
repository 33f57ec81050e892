// The entry of dist/bundle/sluice.cjs: the one CommonJS bundle of the `sluice` command, the broker
// and the embedding API, which dist/cli/main.js and dist/index.js load through the V8 code cache
// (code-cache.ts; scripts/bundle.mjs writes those stubs). Each part is evaluated only when asked for.
export { whenBrokerStarted } from './startup-hooks.js'

/** Runs the `sluice` command on process.argv (cli/main.ts). */
export async function runCli (): Promise<void> { await import('./cli/main.js') }

export async function embedding (): Promise<typeof import('./index.js')> { return await import('./index.js') }
