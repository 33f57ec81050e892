// A do-nothing Kafka broker for measuring Node clients' own ceilings: it answers ApiVersions,
// Metadata (every topic asked for exists with STUB_PARTITIONS partitions, led by itself),
// InitProducerId and Produce (success, offsets counted, records dropped), and nothing else. It keeps
// no data, so a client's rate against it is what the client itself can do on this machine.
// --delay-ms N holds every answer N ms (a timer per read), to see how a client's rate follows the
// broker's latency rather than its CPU.
// Run: npx tsx bench/kafka-stub.ts [--port N] [--partitions N] [--delay-ms N]   (prints "stub ready on PORT")
import { createServer, type Socket } from 'node:net'
import { parseArgs } from 'node:util'
import {
  apiVersionsApi, decodeApiVersionsRequest, decodeInitProducerIdRequest, decodeMetadataRequest, decodeProduceRequest, decodeRequestHeader,
  encodeApiVersionsResponse, encodeInitProducerIdResponse, encodeMetadataResponse, encodeProduceResponse, FRAME_PREFIX_BYTES, frameSize,
  initProducerIdApi, metadataApi, produceApi
} from '../src/protocol/index.js'
import { batchHeader } from '../src/protocol/codec/record-batch.js'

const { values: args } = parseArgs({ options: { port: { type: 'string', default: '0' }, partitions: { type: 'string', default: '1' }, 'delay-ms': { type: 'string', default: '0' } } })
const delayMs = Number(args['delay-ms'])
const partitions = Number(args.partitions)
const offsets = new Map<string, number>()
let port = 0

function answer (frame: Buffer): Buffer[] {
  const h = decodeRequestHeader(frame)
  const v = h.apiVersion
  switch (h.apiKey) {
    case apiVersionsApi.key:
      decodeApiVersionsRequest(h.body, v)
      return encodeApiVersionsResponse({
        errorCode: 0,
        apiKeys: [apiVersionsApi, metadataApi, produceApi, initProducerIdApi].map(a => ({ apiKey: a.key, minVersion: a.minVersion, maxVersion: a.maxVersion })),
        finalizedFeaturesEpoch: -1
      }, v, h.correlationId)
    case metadataApi.key: {
      const request = decodeMetadataRequest(h.body, v)
      const topics = (request.topics ?? []).map(t => ({
        errorCode: 0, name: t.name, isInternal: false,
        partitions: Array.from({ length: partitions }, (_, p) => ({ errorCode: 0, partitionIndex: p, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }))
      }))
      return encodeMetadataResponse({ brokers: [{ nodeId: 1, host: '127.0.0.1', port, rack: null }], clusterId: 'stub', controllerId: 1, topics }, v, h.correlationId)
    }
    case initProducerIdApi.key:
      decodeInitProducerIdRequest(h.body, v)
      return encodeInitProducerIdResponse({ errorCode: 0, producerId: 1n, producerEpoch: 0 } as never, v, h.correlationId)
    case produceApi.key: {
      const request = decodeProduceRequest(h.body, v)
      const responses = request.topicData.map(t => ({
        name: t.name,
        partitionResponses: t.partitionData.map(p => {
          const id = `${t.name}\0${p.index}`
          const base = offsets.get(id) ?? 0
          const records = p.records === null ? 0 : batchHeader(p.records as Buffer).recordsCount
          offsets.set(id, base + records)
          return { index: p.index, errorCode: 0, baseOffset: base, logAppendTimeMs: -1, logStartOffset: 0 }
        })
      }))
      if (request.acks === 0) return []
      return encodeProduceResponse({ responses } as never, v, h.correlationId)
    }
    default:
      throw new Error(`the stub does not serve API key ${h.apiKey}`)
  }
}

function serve (socket: Socket): void {
  let pending: Buffer = Buffer.alloc(0)
  socket.setNoDelay(true)
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    let pos = 0
    const out: Buffer[] = []
    for (;;) {
      const size = frameSize(pending, pos)
      if (size < 0 || pending.length - pos < FRAME_PREFIX_BYTES + size) break
      out.push(...answer(pending.subarray(pos + FRAME_PREFIX_BYTES, pos + FRAME_PREFIX_BYTES + size)))
      pos += FRAME_PREFIX_BYTES + size
    }
    pending = pending.subarray(pos)
    if (out.length === 0) return
    const answers = Buffer.concat(out)
    if (delayMs > 0) setTimeout(() => { if (!socket.destroyed) socket.write(answers) }, delayMs)
    else socket.write(answers)
  })
  socket.on('error', () => socket.destroy())
}

const server = createServer(serve)
server.listen(Number(args.port), '127.0.0.1', () => {
  const address = server.address()
  port = typeof address === 'object' && address !== null ? address.port : 0
  console.log(`stub ready on ${port}`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
