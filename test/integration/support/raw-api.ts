// Hand-built requests for the few APIs integration tests need to see byte-exact: ApiVersions v0 (is the
// broker still answering correctly?) and Fetch v10 (which codec does a stored batch really carry?).
// Layouts from shared/reference/kafka-message-specs; independent of src/protocol on purpose.
import { API_KEY, BodyReader, BodyWriter, WireConnection } from '../../helpers/wire.js'

export interface ApiVersionRange { apiKey: number, minVersion: number, maxVersion: number }

export interface ApiVersionsAnswer { errorCode: number, apiKeys: ApiVersionRange[] }

/** The ApiVersions v0 body layout; also what a broker answers to an ApiVersions version it does not know. */
export function decodeApiVersionsV0 (body: Buffer): ApiVersionsAnswer {
  const r = new BodyReader(body)
  const errorCode = r.int16()
  const apiKeys = r.array(a => ({ apiKey: a.int16(), minVersion: a.int16(), maxVersion: a.int16() }))
  return { errorCode, apiKeys }
}

/** Opens a fresh connection, asks ApiVersions v0 and returns the decoded answer. */
export async function askApiVersions (host: string, port: number): Promise<ApiVersionsAnswer> {
  const conn = await WireConnection.open(host, port)
  try {
    conn.send({ apiKey: API_KEY.ApiVersions, apiVersion: 0, correlationId: 7, clientId: 'sluice-test' }, Buffer.alloc(0))
    const response = await conn.nextResponse()
    if (response.correlationId !== 7) throw new Error(`answer carries correlation id ${response.correlationId}, expected 7`)
    return decodeApiVersionsV0(response.body)
  } finally {
    conn.close()
  }
}

export const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const
export type Codec = typeof CODECS[number]

export interface RawBatch {
  baseOffset: bigint
  /** Attributes bits 0-2 (record-batch-format.md). */
  codec: Codec
  lastOffsetDelta: number
  recordCount: number
}

export interface RawPartitionFetch {
  errorCode: number
  highWatermark: bigint
  batches: RawBatch[]
}

const FETCH_VERSION = 10 // the last version before rack ids; the first one that may carry zstd batches

/** One Fetch v10 of one partition; returns the batches exactly as the broker sent them (not decompressed). */
export async function fetchRawBatches (
  host: string, port: number, target: { topic: string, partition: number, offset?: bigint }
): Promise<RawPartitionFetch> {
  const body = new BodyWriter()
    .int32(-1).int32(500).int32(1).int32(64 << 20).int8(0) // replica, max wait, min bytes, max bytes, read_uncommitted
    .int32(0).int32(-1) // no fetch session
    .array([target], (w, t) => w.string(t.topic).array([t], (p, x) => p
      .int32(x.partition).int32(-1).int64(x.offset ?? 0n).int64(-1).int32(64 << 20)))
    .array([], () => {}) // forgotten topics
    .finish()
  const conn = await WireConnection.open(host, port)
  try {
    conn.send({ apiKey: API_KEY.Fetch, apiVersion: FETCH_VERSION, correlationId: 1, clientId: 'sluice-test' }, body)
    return decodeFetchV10((await conn.nextResponse()).body)
  } finally {
    conn.close()
  }
}

function decodeFetchV10 (body: Buffer): RawPartitionFetch {
  const r = new BodyReader(body)
  r.int32() // throttle
  const topLevelError = r.int16()
  r.int32() // session id
  const topics = r.array(t => ({
    topic: t.string(),
    partitions: t.array(p => {
      p.int32() // partition index
      const errorCode = p.int16()
      const highWatermark = p.int64()
      p.int64() // last stable offset
      p.int64() // log start offset
      p.array(a => [a.int64(), a.int64()]) // aborted transactions (count -1 = null reads as empty)
      return { errorCode, highWatermark, records: p.bytes() }
    })
  }))
  const partition = topics[0]?.partitions[0]
  if (partition === undefined) return { errorCode: topLevelError, highWatermark: -1n, batches: [] }
  return { errorCode: partition.errorCode, highWatermark: partition.highWatermark, batches: splitBatches(partition.records) }
}

// RecordBatch v2 header: baseOffset int64 @0, batchLength int32 @8, leaderEpoch @12, magic @16, crc @17,
// attributes int16 @21, lastOffsetDelta int32 @23, ..., records count int32 @57. A trailing partial
// batch is legal in a fetch response and is ignored.
function splitBatches (records: Buffer | null): RawBatch[] {
  const batches: RawBatch[] = []
  let at = 0
  while (records !== null && records.length - at >= 61) {
    const batchLength = records.readInt32BE(at + 8)
    if (records.length - at < 12 + batchLength) break
    const codec = CODECS[records.readInt16BE(at + 21) & 0x7]
    if (codec === undefined) throw new Error(`batch at byte ${at} has an unknown codec`)
    batches.push({
      baseOffset: records.readBigInt64BE(at),
      codec,
      lastOffsetDelta: records.readInt32BE(at + 23),
      recordCount: records.readInt32BE(at + 57)
    })
    at += 12 + batchLength
  }
  return batches
}
