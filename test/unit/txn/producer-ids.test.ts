// Producer ids are never handed out twice, also after a restart that lost the rest of a block.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ProducerIdAllocator } from '../../../src/txn/producer-ids.js'

const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

describe('producer id allocator', () => {
  it('never reuses an id after reopening the data directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-pids-'))
    dirs.push(dir)
    const first = ProducerIdAllocator.open(dir)
    const before = [first.allocate(), first.allocate(), first.allocate()]
    expect(before).toEqual([0, 1, 2])
    expect(Number(readFileSync(join(dir, 'producer-ids'), 'utf8'))).toBeGreaterThan(2)
    const again = ProducerIdAllocator.open(dir).allocate()
    expect(again).toBeGreaterThan(Math.max(...before))
  })
})
