// Structured logs (pino): JSON lines when stdout is not a terminal, a short human form on one.
import { pino, type Logger } from 'pino'

export function createLogger (level: string = process.env.SLUICE_LOG_LEVEL ?? 'info'): Logger {
  if (process.stderr.isTTY) {
    return pino({ level, base: undefined, timestamp: false }, humanStream())
  }
  return pino({ level }, pino.destination({ fd: 2, sync: false }))
}

/** A dependency-free pretty printer: `level message key=value ...` to stderr. */
function humanStream (): { write: (line: string) => void } {
  const names: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }
  return {
    write (line: string) {
      const { level, msg, ...rest } = JSON.parse(line) as Record<string, unknown>
      const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')
      process.stderr.write(`${(names[level as number] ?? String(level)).padEnd(5)} ${String(msg ?? '')}${fields === '' ? '' : ' ' + fields}\n`)
    }
  }
}
