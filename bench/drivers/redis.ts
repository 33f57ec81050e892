// Redis Streams throughput: XADD through ioredis with pipelining (a pipeline of `batch` XADDs, up to
// `inFlight` pipelines outstanding), catch-up XREAD COUNT from the start, and redis-benchmark (Redis's
// own C tool) running XADD with a pipeline. An acknowledgement is the server's reply: the entry is in
// memory and in the AOF buffer, written to the file before the reply and fsynced once a second.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import type { ThroughputResult } from './kafka-lean.js'
import { value } from './records.js'

const run = promisify(execFile)

export interface RedisLoad {
  host: string
  port: number
  stream: string
  recordBytes: number
  maxRecords: number
  maxSeconds: number
  /** XADDs per pipeline. */
  batch: number
  inFlight: number
}

export async function redisProduce (o: RedisLoad): Promise<ThroughputResult> {
  const redis = new Redis({ host: o.host, port: o.port })
  const payload = value(o.recordBytes)
  let sent = 0
  let requests = 0
  const started = performance.now()
  const deadline = started + o.maxSeconds * 1000
  await Promise.all(Array.from({ length: o.inFlight }, async () => {
    while (sent < o.maxRecords && performance.now() < deadline) {
      const pipeline = redis.pipeline()
      for (let i = 0; i < o.batch; i++) pipeline.xadd(o.stream, '*', 'v', payload)
      sent += o.batch
      requests++
      const answers = await pipeline.exec()
      const failed = answers?.find(([error]) => error !== null)
      if (failed !== undefined) throw failed[0] as Error
    }
  }))
  const seconds = (performance.now() - started) / 1000
  redis.disconnect()
  return { records: sent, bytes: sent * o.recordBytes, seconds, requests }
}

export async function redisConsume (o: RedisLoad): Promise<ThroughputResult> {
  const redis = new Redis({ host: o.host, port: o.port })
  let last = '0'
  let records = 0
  let bytes = 0
  let requests = 0
  const started = performance.now()
  const deadline = started + o.maxSeconds * 1000
  while (records < o.maxRecords && performance.now() < deadline) {
    const answer = await redis.xreadBuffer('COUNT', 1000, 'STREAMS', o.stream, last)
    requests++
    const entries = answer?.[0]?.[1] ?? []
    if (entries.length === 0) break
    for (const [id, fields] of entries) { records++; bytes += fields[1]?.length ?? 0; last = id.toString() }
  }
  const seconds = (performance.now() - started) / 1000
  redis.disconnect()
  return { records, bytes, seconds, requests }
}

/** redis-benchmark: 50 clients, pipeline `batch`, XADD of a recordBytes value. */
export async function redisBenchmark (o: RedisLoad): Promise<ThroughputResult> {
  const args = ['-h', o.host, '-p', String(o.port), '-n', String(o.maxRecords), '-c', '50', '-P', String(o.batch), '--csv',
    'XADD', `${o.stream}-rb`, '*', 'v', 'x'.repeat(o.recordBytes)]
  const { stdout } = await run('redis-benchmark', args, { timeout: (o.maxSeconds + 30) * 1000, maxBuffer: 1 << 20 })
  const line = stdout.trim().split('\n').pop() ?? ''
  const rps = Number(line.split(',')[1]?.replace(/"/g, ''))
  if (!Number.isFinite(rps)) throw new Error(`redis-benchmark printed no rate: ${stdout.slice(0, 400)}`)
  return { records: o.maxRecords, bytes: o.maxRecords * o.recordBytes, seconds: o.maxRecords / rps, requests: Math.ceil(o.maxRecords / o.batch) }
}
