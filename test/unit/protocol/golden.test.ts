// Golden frames captured from real clients (test/golden/capture.ts):
//   test/golden/<api>/v<N>-<source>.bin   <api> is the API module's file name, e.g. list-offsets;
//                                         <source> names the client, or is "request"
// Each file holds one request as the client sent it, without the 4-byte size prefix. We decode it,
// re-encode it with the same header and expect the same bytes. New files are picked up automatically.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { apiCodec, decodeRequestHeader, frameSize, registeredApis } from '../../../src/protocol/index.js'

const goldenDir = join(import.meta.dirname, '../../golden')
const kebab = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()
const apiByDir = new Map(registeredApis().map((api) => [kebab(api.name), api]))

const files = existsSync(goldenDir)
  ? readdirSync(goldenDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.bin')).sort()
  : []

describe('golden request frames', () => {
  it('every golden file is named <api>/v<N>-<source>.bin after a registered API', () => {
    for (const file of files) {
      const match = /^([a-z-]+)\/v(\d+)-[a-z0-9-]+\.bin$/.exec(file)
      expect(match, file).not.toBeNull()
      expect(apiByDir.has(match?.[1] ?? ''), file).toBe(true)
    }
  })

  it.each(files.map((file) => ({ file })))('$file decodes and re-encodes to the same bytes', ({ file }) => {
    const [dir, name] = file.split('/') as [string, string]
    const api = apiByDir.get(dir)
    if (api === undefined) throw new Error(`no API for ${dir}`)
    const frame = readFileSync(join(goldenDir, file))
    const header = decodeRequestHeader(frame)
    expect(header.apiKey).toBe(api.key)
    expect(name.startsWith(`v${header.apiVersion}-`)).toBe(true)
    const codec = apiCodec(api)
    const decoded = codec.decodeRequest(header.body, header.apiVersion)
    const again = Buffer.concat(codec.encodeRequest(decoded, header.apiVersion, { correlationId: header.correlationId, clientId: header.clientId }))
    expect(frameSize(again)).toBe(frame.length)
    expect(again.subarray(4)).toEqual(frame)
  })
})
