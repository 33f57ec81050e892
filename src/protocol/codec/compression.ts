// Record batch compression codecs (record-batch-format.md §3): the region after recordsCount is one
// blob in the codec named by attribute bits 0–2. All calls are synchronous: they run once per batch,
// and the callers (gateway, compaction) already run where blocking for one batch is acceptable.
//
// Every decompressor takes a size limit and checks it *before* allocating the output, from the
// sizes the format declares (snappy preambles, zstd frame headers, LZ4 block headers), so a small
// malicious blob cannot make us allocate gigabytes. gzip declares nothing usable; zlib stops at the limit.
//
// Wire framings, chosen to match what the Java client writes and what every client reads:
//   gzip    an RFC 1952 gzip stream (node:zlib).
//   snappy  we write the xerial snappy-java stream framing, as the Java client does (its
//           SnappyOutputStream, 32 KiB blocks). librdkafka writes one raw snappy block instead; it
//           reads xerial, and Java's reader accepts raw blocks, so both forms circulate. We read both:
//           a raw block can never begin with the xerial magic, since its first tag after the length
//           preamble must be a literal, and 'N' (0x4e) is a copy tag. Known exception: @platformatic/kafka
//           1.35 reads raw blocks only and fails on xerial (as it would on a Java producer's batches).
//   lz4     the LZ4 frame format (lz4-napi, lz4_flex inside). It writes 64 KiB independent blocks
//           without checksums, the same frame options as Java's KafkaLZ4BlockOutputStream. It reads
//           liblz4 frames (librdkafka's) with linked blocks, block and content checksums, content size.
//   zstd    standard zstd frames (zstd-napi), level 3 like zstd-jni's default.

import { createRequire } from 'node:module'
import { gunzipSync, gzipSync } from 'node:zlib'
import type * as Snappy from 'snappy'
import type * as Lz4 from 'lz4-napi'
import type * as Zstd from 'zstd-napi'
import type ZstdNative from 'zstd-napi/binding.js'

// The codec addons load on first use, not at import: together they cost ~50 ms of every start, and
// most brokers and tools never see a compressed batch. require() is synchronous, as the calls are.
const require = createRequire(import.meta.url)
let snappyModule: typeof Snappy | undefined
let lz4Module: typeof Lz4 | undefined
let zstdModule: typeof Zstd | undefined
let zstdNativeModule: typeof ZstdNative | undefined
const snappy = (): typeof Snappy => (snappyModule ??= require('snappy') as typeof Snappy)
const lz4 = (): typeof Lz4 => (lz4Module ??= require('lz4-napi') as typeof Lz4)
const zstd = (): typeof Zstd => (zstdModule ??= require('zstd-napi') as typeof Zstd)
const zstdNative = (): typeof ZstdNative => (zstdNativeModule ??= require('zstd-napi/binding.js') as typeof ZstdNative)

export const CompressionCodec = { NONE: 0, GZIP: 1, SNAPPY: 2, LZ4: 3, ZSTD: 4 } as const
export type CompressionCodec = (typeof CompressionCodec)[keyof typeof CompressionCodec]

const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const

/** Default decompressed-size limit: Kafka's socket.request.max.bytes (100 MiB) rounded up. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 128 * 1024 * 1024

/** A blob that cannot be (de)compressed: unknown codec, corrupt or truncated data, or over the size limit. */
export class CompressionError extends Error {
  override readonly name = 'CompressionError'
}

export function isCompressionCodec (n: number): n is CompressionCodec {
  return Number.isInteger(n) && n >= 0 && n <= 4
}

export function codecName (codec: number): string {
  return CODEC_NAMES[codec] ?? `unknown codec ${codec}`
}

function checkCodec (codec: number): CompressionCodec {
  if (!isCompressionCodec(codec)) {
    throw new CompressionError(`unsupported compression codec ${codec} (attributes bits 0-2 allow 0-4)`)
  }
  return codec
}

/** Compresses `data` in the framing Kafka's Java client writes for `codec`. Codec 0 returns `data` itself. */
export function compress (codec: number, data: Uint8Array): Buffer {
  const input = asBuffer(data)
  switch (checkCodec(codec)) {
    case CompressionCodec.NONE: return input
    case CompressionCodec.GZIP: return gzipSync(input)
    case CompressionCodec.SNAPPY: return snappy().compressSync(input)
    case CompressionCodec.LZ4: return lz4().compressFrameSync(input)
    case CompressionCodec.ZSTD: return zstd().compress(input)
  }
}

/**
 * Decompresses a blob of `codec`. Throws `CompressionError` if the data is corrupt or truncated, or if
 * the output would exceed `maxBytes`; the limit is enforced before the output is allocated
 * (for LZ4, within one block: at most 4 MiB past it).
 */
export function decompress (codec: number, data: Uint8Array, maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): Buffer {
  const input = asBuffer(data)
  const c = checkCodec(codec)
  if (c === CompressionCodec.NONE) return input
  let out: Buffer
  try {
    switch (c) {
      case CompressionCodec.GZIP: out = gunzipSync(input, { maxOutputLength: Math.max(1, maxBytes) }); break
      case CompressionCodec.SNAPPY: out = snappyDecompress(input, maxBytes); break
      case CompressionCodec.LZ4: out = lz4Decompress(input, maxBytes); break
      case CompressionCodec.ZSTD: out = zstdDecompress(input, maxBytes); break
    }
  } catch (err) {
    if (err instanceof CompressionError) throw err
    const reason = (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
      ? `output exceeds the ${maxBytes}-byte limit`
      : (err as Error).message
    throw new CompressionError(`${codecName(c)} decompression failed: ${reason}`, { cause: err })
  }
  if (out.length > maxBytes) throw overLimit(c, out.length, maxBytes)
  return out
}

function overLimit (codec: CompressionCodec, size: number, maxBytes: number): CompressionError {
  return new CompressionError(`${codecName(codec)} data decompresses to ${size} bytes, over the ${maxBytes}-byte limit`)
}

function truncated (codec: CompressionCodec, what: string): CompressionError {
  return new CompressionError(`${codecName(codec)} data is truncated: ${what}`)
}

function asBuffer (data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
}

// ---- snappy ---------------------------------------------------------------------------------
// We write one raw snappy block, as librdkafka does: every client reads it (the Java client falls back
// to raw when the xerial magic is absent, and @platformatic/kafka 1.x reads only raw blocks).
// We read both raw blocks and xerial streams: magic 82 'SNAPPY' 00, int32 version (1), int32 min
// compatible version (1), then blocks of int32 BE compressed length + one raw snappy block.

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
const XERIAL_HEADER_SIZE = 16

function snappyDecompress (input: Buffer, maxBytes: number): Buffer {
  const isXerial = input.length >= XERIAL_HEADER_SIZE && XERIAL_MAGIC.equals(input.subarray(0, 8))
  if (!isXerial) return snappyBlock(input, maxBytes)
  const blocks: Buffer[] = []
  let total = 0
  let pos = XERIAL_HEADER_SIZE
  while (pos < input.length) {
    if (pos + 4 > input.length) throw truncated(CompressionCodec.SNAPPY, `block length at ${pos}`)
    const length = input.readInt32BE(pos)
    pos += 4
    if (length < 0 || pos + length > input.length) {
      throw truncated(CompressionCodec.SNAPPY, `block of ${length} bytes at ${pos}, ${input.length - pos} present`)
    }
    const block = snappyBlock(input.subarray(pos, pos + length), maxBytes - total)
    total += block.length
    blocks.push(block)
    pos += length
  }
  return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks, total)
}

/** One raw snappy block; its preamble (uvarint, ≤ 5 bytes) declares the uncompressed length. */
function snappyBlock (block: Buffer, maxBytes: number): Buffer {
  let declared = 0
  let i = 0
  for (let shift = 0; ; shift += 7, i++) {
    if (i >= block.length || i >= 5) throw new CompressionError('snappy block has a malformed length preamble')
    const b = block[i]!
    declared += (b & 0x7f) * 2 ** shift
    if ((b & 0x80) === 0) break
  }
  if (declared > maxBytes) throw overLimit(CompressionCodec.SNAPPY, declared, maxBytes)
  return snappy().uncompressSync(block, { asBuffer: true }) as Buffer
}

// ---- lz4 ------------------------------------------------------------------------------------
// Frame: magic 04 22 4D 18 (LE 0x184D2204), FLG, BD, [content size u64 LE], [dict id u32], HC,
// then blocks of u32 LE size (bit 31 = stored uncompressed, 0 = end mark) + data [+ u32 checksum],
// then [u32 content checksum]. BD bits 4–6 give the block maximum: 4 = 64 KiB … 7 = 4 MiB.
// Skippable frames (magic 0x184D2A50–5F, u32 size) may sit between frames.

const LZ4_MAGIC = 0x184d2204
// An LZ4 sequence turns n input bytes into at most 255·n output bytes (one 255-length byte each).
const LZ4_MAX_RATIO = 255

function lz4Decompress (input: Buffer, maxBytes: number): Buffer {
  const bound = lz4FrameBound(input, maxBytes)
  if (bound > maxBytes + 4 * 1024 * 1024) throw overLimit(CompressionCodec.LZ4, bound, maxBytes)
  return lz4().decompressFrameSync(input)
}

/** Walks the frames' headers and returns an upper bound of the decompressed size. */
function lz4FrameBound (input: Buffer, maxBytes: number): number {
  let bound = 0
  let pos = 0
  while (pos < input.length) {
    if (pos + 7 > input.length) throw truncated(CompressionCodec.LZ4, `frame header at ${pos}`)
    const magic = input.readUInt32LE(pos)
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      pos += 8 + input.readUInt32LE(pos + 4)
      continue
    }
    if (magic !== LZ4_MAGIC) throw new CompressionError(`lz4 frame magic 0x${magic.toString(16)} at ${pos} is not 0x184d2204`)
    const flg = input[pos + 4]!
    const blockMax = 1 << (8 + 2 * ((input[pos + 5]! >> 4) & 7))
    pos += 6
    if ((flg & 0x08) !== 0) {
      if (pos + 8 > input.length) throw truncated(CompressionCodec.LZ4, 'content size')
      const declared = input.readUInt32LE(pos) + input.readUInt32LE(pos + 4) * 2 ** 32
      if (declared > maxBytes) throw overLimit(CompressionCodec.LZ4, declared, maxBytes)
      pos += 8
    }
    if ((flg & 0x01) !== 0) pos += 4
    pos += 1
    const blockChecksum = (flg & 0x10) !== 0 ? 4 : 0
    for (;;) {
      if (pos + 4 > input.length) throw truncated(CompressionCodec.LZ4, `block header at ${pos}`)
      const word = input.readUInt32LE(pos)
      pos += 4
      if (word === 0) break
      const size = word & 0x7fffffff
      const stored = word >>> 31 === 1
      bound += stored ? size : Math.min(blockMax, size * LZ4_MAX_RATIO)
      pos += size + blockChecksum
      if (pos > input.length) throw truncated(CompressionCodec.LZ4, `block of ${size} bytes`)
    }
    if ((flg & 0x04) !== 0) pos += 4
  }
  if (pos > input.length) throw truncated(CompressionCodec.LZ4, 'content checksum')
  return bound
}

// ---- zstd -----------------------------------------------------------------------------------

// One decompression context for the process: contexts are expensive to create (window buffers),
// and all calls are synchronous, so no two calls can interleave on it.
let zstdContext: InstanceType<typeof ZstdNative.DCtx> | undefined

function zstdDecompress (input: Buffer, maxBytes: number): Buffer {
  const native = zstdNative()
  // findFrameCompressedSize throws on a truncated frame; getFrameContentSize is null when the
  // producer streamed (zstd-jni does) and the header carries no size.
  let declared: number | null = 0
  for (let rest = input; rest.length > 0;) {
    const size = native.getFrameContentSize(rest)
    declared = declared === null || size === null ? null : declared + size
    rest = rest.subarray(native.findFrameCompressedSize(rest))
  }
  if (declared !== null && declared > maxBytes) throw overLimit(CompressionCodec.ZSTD, declared, maxBytes)
  zstdContext ??= new native.DCtx()
  const ctx = zstdContext
  ctx.reset(native.ResetDirective.sessionOnly)
  if (declared !== null) {
    const out = Buffer.allocUnsafe(declared)
    const written = ctx.decompress(out, input)
    if (written !== declared) throw new CompressionError(`zstd frame declared ${declared} bytes but produced ${written}`)
    return out
  }
  return zstdStream(ctx, input, maxBytes)
}

function zstdStream (ctx: InstanceType<typeof ZstdNative.DCtx>, input: Buffer, maxBytes: number): Buffer {
  const chunks: Buffer[] = []
  let produced = 0
  let rest = input
  for (;;) {
    // Room for one byte past the limit, so that crossing it is seen without a larger allocation.
    const room = maxBytes + 1 - produced
    const out = Buffer.allocUnsafe(Math.min(room, Math.max(zstdNative().dStreamOutSize(), rest.length * 4)))
    const [remaining, written, consumed] = ctx.decompressStream(out, rest)
    produced += written
    if (produced > maxBytes) throw overLimit(CompressionCodec.ZSTD, produced, maxBytes)
    chunks.push(out.subarray(0, written))
    rest = rest.subarray(consumed)
    if (rest.length === 0 && remaining === 0) break
    if (written === 0 && consumed === 0) throw truncated(CompressionCodec.ZSTD, 'the frame ends early')
  }
  return Buffer.concat(chunks, produced)
}
