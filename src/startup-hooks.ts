// The moment a broker of this process has first started (the CLI printed its ready line, startBroker
// resolved): the entry stubs write the V8 code cache then (code-cache.ts), so that it holds the
// start path compiled. The callbacks run in a later turn: the start itself never waits for them.
let waiting: Array<() => void> = []

export function whenBrokerStarted (callback: () => void): void { waiting.push(callback) }

export function brokerStarted (): void {
  const callbacks = waiting
  waiting = []
  if (callbacks.length > 0) setImmediate(() => { for (const callback of callbacks) callback() })
}
