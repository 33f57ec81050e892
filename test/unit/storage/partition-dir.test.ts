import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { discoverPartitions, parsePartitionDir, partitionDirName } from '../../../src/storage/partition-dir.js'

describe('partition directories', () => {
  it('round-trips a topic whose name contains dashes: the partition is the suffix after the last dash', () => {
    const name = partitionDirName('my-topic-v2', 13)
    expect(name).toBe('my-topic-v2-13')
    expect(parsePartitionDir(name)).toEqual({ topic: 'my-topic-v2', partition: 13 })
  })

  it('rejects names without a decimal partition suffix', () => {
    for (const name of ['topic', '-3', 'topic-', 'topic-x', 'topic-01', 'topic-99999999999', 'topic-2147483648']) {
      expect(parsePartitionDir(name)).toBeNull()
    }
    expect(parsePartitionDir('topic--1')).toEqual({ topic: 'topic-', partition: 1 })
    expect(parsePartitionDir('topic-2147483647')).toEqual({ topic: 'topic', partition: 2147483647 })
  })

  it('discovers only directories named like partitions', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-dirs-'))
    try {
      await mkdir(join(dir, 'a-b-0'))
      await mkdir(join(dir, '__consumer_offsets-7'))
      await mkdir(join(dir, 'not_a_partition'))
      await writeFile(join(dir, 'file-1'), '')
      const found = discoverPartitions(dir)
      expect(found.sort((x, y) => x.topic.localeCompare(y.topic))).toEqual([
        { topic: '__consumer_offsets', partition: 7 },
        { topic: 'a-b', partition: 0 }
      ])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
