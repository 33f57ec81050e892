// The exit-code contract of every `sluice` tool, apart from command.ts so that main.ts can name it
// without loading the client that command.ts needs:
//   0 ok · 1 Kafka or runtime error (no broker, unknown topic, a failed request) · 2 usage or config error
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const

/** Bad flags or arguments: exit code 2, with a pointer to the tool's --help. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
  constructor (message: string, readonly tool?: string) { super(message) }
}
