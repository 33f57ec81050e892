// The generated protocol files are checked in; this re-runs the generator in memory and compares.
// It needs the Kafka reference material beside the repo (../shared/reference), so it runs only there.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkRegisteredRanges, defaultReferenceDir, generateProtocolFiles, repoRoot } from '../../../scripts/gen-protocol.js'

const haveReference = existsSync(defaultReferenceDir)

describe('generated protocol files', () => {
  it.runIf(haveReference)('match a fresh run of scripts/gen-protocol.ts (runs only where ../shared/reference exists)', () => {
    for (const [path, text] of generateProtocolFiles()) {
      expect(readFileSync(join(repoRoot, path), 'utf8'), path).toBe(text)
    }
  })

  it.runIf(haveReference)('every registered version range lies inside the specs and the plan (runs only where ../shared/reference exists)', async () => {
    expect(await checkRegisteredRanges()).toEqual([])
  })
})
