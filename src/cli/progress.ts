// A one-line progress bar on stderr for reading a file of known size: bar, percentage, bytes and the
// record rate. Drawn at most every 200 ms, only on a terminal, and erased when done so it never mixes
// with output that a script reads.
const WIDTH = 30
const REDRAW_MS = 200

export class Progress {
  private bytes = 0
  private records = 0
  private lastDraw = 0
  private readonly started = performance.now()
  private readonly enabled: boolean

  constructor (private readonly totalBytes: number, private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = stream.isTTY === true && totalBytes > 0
  }

  addBytes (n: number): void { this.bytes += n; this.maybeDraw() }
  addRecords (n: number): void { this.records += n; this.maybeDraw() }

  private maybeDraw (): void {
    if (!this.enabled) return
    const now = performance.now()
    if (now - this.lastDraw < REDRAW_MS) return
    this.lastDraw = now
    const fraction = Math.min(1, this.bytes / this.totalBytes)
    const filled = Math.round(fraction * WIDTH)
    const seconds = Math.max((now - this.started) / 1000, 0.001)
    const rate = Math.round(this.records / seconds)
    const mib = (n: number): string => (n / 1048576).toFixed(1)
    this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ` +
      `${mib(this.bytes)}/${mib(this.totalBytes)} MiB  ${rate.toLocaleString('en')} records/s `)
  }

  done (): void {
    if (this.enabled) this.stream.write('\r\x1b[2K')
  }
}
