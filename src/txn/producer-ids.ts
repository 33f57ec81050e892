// Producer ids: unique on this broker and never reused, also across restarts. Like Kafka's blocks from
// the controller, ids are reserved in blocks: the file `producer-ids` in the data directory holds the
// first id of the next block, and is rewritten (fsynced) before any id of a new block is handed out,
// so a crash loses at most the unused rest of a block.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeFileDurably } from '../storage/durable-file.js'

const BLOCK_SIZE = 1000
const FILE_NAME = 'producer-ids'

export class ProducerIdAllocator {
  private next: number
  private blockEnd: number

  private constructor (private readonly file: string, nextBlock: number) {
    this.next = nextBlock
    this.blockEnd = nextBlock
  }

  static open (dataDir: string): ProducerIdAllocator {
    const file = join(dataDir, FILE_NAME)
    let nextBlock = 0
    try {
      nextBlock = Number.parseInt(readFileSync(file, 'utf8').trim(), 10)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    if (!Number.isSafeInteger(nextBlock) || nextBlock < 0) throw new Error(`${file} does not hold a producer id block: ${String(nextBlock)}`)
    return new ProducerIdAllocator(file, nextBlock)
  }

  allocate (): number {
    if (this.next >= this.blockEnd) this.reserveBlock()
    return this.next++
  }

  private reserveBlock (): void {
    const end = this.next + BLOCK_SIZE
    writeFileDurably(this.file, `${end}\n`)
    this.blockEnd = end
  }
}
