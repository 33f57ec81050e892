// KafkaConnection against a real broker (negotiation, pipelining, frames over many socket chunks)
// and against small raw-TCP "brokers" for the behaviours a healthy Sluice never shows: an older
// ApiVersions, a wrong correlation id, silence.
import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { calls } from '../../../src/client/calls.js'
import { KafkaConnection } from '../../../src/client/connection.js'
import { BrokerUnreachableError, ConnectionError, UnsupportedApiError } from '../../../src/client/errors.js'
import { KafkaClient } from '../../../src/client/client.js'
import { Producer } from '../../../src/client/producer.js'
import {
  apiVersionsApi, encodeApiVersionsFallback, encodeApiVersionsResponse, encodeMetadataResponse, frameSize, peekRequestHeader,
  registeredApis, type ApiRegistration
} from '../../../src/protocol/index.js'
import { startBroker, type RunningBroker } from '../../helpers/broker.js'

const HOOK_TIMEOUT = 30_000

describe('KafkaConnection against a Sluice broker', () => {
  let broker: RunningBroker
  let connection: KafkaConnection

  beforeAll(async () => {
    broker = await startBroker()
    connection = await KafkaConnection.connect({ host: '127.0.0.1', port: broker.port })
  }, HOOK_TIMEOUT)

  afterAll(async () => {
    connection?.close()
    await broker?.stop()
  }, HOOK_TIMEOUT)

  it('picks, per API, the lower of our highest version and the broker\'s', () => {
    const served = registeredApis().filter(api => connection.brokerVersions(api.key) !== undefined)
    expect(served.map(api => api.name)).toEqual(expect.arrayContaining(['Produce', 'Fetch', 'Metadata', 'ApiVersions']))
    for (const api of served) {
      const theirs = connection.brokerVersions(api.key)!
      expect(connection.version(api)).toBe(Math.min(api.maxVersion, theirs.maxVersion))
    }
  })

  it('refuses an API the broker does not advertise, naming the API and the address', async () => {
    // The broker serves every API the protocol layer registers, so this one is made up.
    const api: ApiRegistration = { key: 9999, name: 'Unserved', minVersion: 0, maxVersion: 0, advertiseMin: 0, advertiseMax: 0, flexibleFrom: null }
    expect(connection.brokerVersions(api.key)).toBeUndefined()
    expect(connection.supports(api)).toBe(false)
    expect(() => connection.version(api)).toThrow(UnsupportedApiError)
    expect(() => connection.version(api)).toThrow(`the broker at 127.0.0.1:${broker.port} cannot answer ${api.name}`)
    await expect(connection.request({ ...calls.metadata, api }, () => ({}))).rejects.toThrow(UnsupportedApiError)
    expect(connection.isOpen).toBe(true)
  })

  it('pipelines requests and matches each answer to its request in order', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `pipelined-${i}`)
    const answers = names.map(name => connection.request(calls.metadata, () => ({ topics: [{ name }], allowAutoTopicCreation: false })))
    expect(connection.inFlight).toBe(names.length)
    const responses = await Promise.all(answers)
    expect(responses.map(r => r.topics[0]?.name)).toEqual(names)
    expect(connection.inFlight).toBe(0)
  })

  it('reads a response frame that arrives in many socket chunks', async () => {
    const client = new KafkaClient({ bootstrap: broker.bootstrap })
    try {
      const value = Buffer.alloc(900_000, 'x')
      const meta = await new Producer(client).send({ topic: 'big-frames', value })
      const topic = await client.topic('big-frames')
      const response = await connection.request(calls.fetch, () => ({
        maxWaitMs: 0,
        minBytes: 0,
        topics: [{ topic: 'big-frames', topicId: topic.id, partitions: [{ partition: meta.partition, fetchOffset: meta.offset, partitionMaxBytes: 2_000_000 }] }]
      }))
      const records = response.responses[0]?.partitions[0]?.records
      expect(records?.length).toBeGreaterThan(value.length)
      expect(records?.includes(value)).toBe(true)
    } finally {
      await client.close()
    }
  })

  it('fails requests still waiting when it is closed', async () => {
    const own = await KafkaConnection.connect({ host: '127.0.0.1', port: broker.port })
    const pending = own.request(calls.fetch, () => ({ maxWaitMs: 5_000, minBytes: 1, topics: [] }))
    own.close()
    await expect(pending).rejects.toThrow(ConnectionError)
    await expect(own.request(calls.metadata, () => ({ topics: [] }))).rejects.toThrow('was closed')
  })
})

/** A raw TCP server answering each request frame with `answer(frame)`; null means stay silent. */
async function fakeBroker (answer: (frame: Buffer, socket: Socket) => Buffer[] | null): Promise<{ server: Server, port: number }> {
  const server = createServer(socket => {
    let buffered = Buffer.alloc(0)
    socket.on('data', chunk => {
      buffered = Buffer.concat([buffered, chunk])
      for (let size = frameSize(buffered); size >= 0 && buffered.length >= 4 + size; size = frameSize(buffered)) {
        const frame = buffered.subarray(4, 4 + size)
        buffered = buffered.subarray(4 + size)
        const reply = answer(frame, socket)
        if (reply !== null) for (const chunk of reply) socket.write(chunk)
      }
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0 }
}

describe('KafkaConnection against unusual brokers', () => {
  const servers: Server[] = []
  afterAll(() => { for (const server of servers) server.close() })

  it('steps ApiVersions down when the broker answers UNSUPPORTED_VERSION with its own range', async () => {
    const asked: number[] = []
    const { server, port } = await fakeBroker(frame => {
      const { apiVersion, correlationId } = peekRequestHeader(frame)
      asked.push(apiVersion)
      if (apiVersion > 2) return encodeApiVersionsFallback(correlationId).map((chunk, i) => i === 0 ? patchRange(chunk) : chunk)
      return encodeApiVersionsResponse({ apiKeys: [{ apiKey: 3, minVersion: 0, maxVersion: 5 }, { apiKey: 18, minVersion: 0, maxVersion: 2 }] }, apiVersion, correlationId)
    })
    servers.push(server)
    const connection = await KafkaConnection.connect({ host: '127.0.0.1', port })
    expect(asked).toEqual([apiVersionsApi.maxVersion, 2])
    expect(connection.brokerVersions(3)).toEqual({ minVersion: 0, maxVersion: 5 })
    connection.close()
  })

  it('fails the connection when a response carries the wrong correlation id', async () => {
    const { server, port } = await fakeBroker(frame => {
      const { apiKey, apiVersion, correlationId } = peekRequestHeader(frame)
      if (apiKey === apiVersionsApi.key) return encodeApiVersionsResponse({ apiKeys: [{ apiKey: 3, minVersion: 0, maxVersion: 12 }] }, apiVersion, correlationId)
      return encodeMetadataResponse({ brokers: [] }, apiVersion, correlationId + 1000)
    })
    servers.push(server)
    const connection = await KafkaConnection.connect({ host: '127.0.0.1', port })
    const first = connection.request(calls.metadata, () => ({ topics: [] }))
    const second = connection.request(calls.metadata, () => ({ topics: [] }))
    await expect(first).rejects.toThrow(/correlation id \d+ where \d+ was expected/)
    await expect(second).rejects.toThrow(ConnectionError)
    expect(connection.isOpen).toBe(false)
  })

  it('fails a request that gets no answer within its timeout', async () => {
    const { server, port } = await fakeBroker(frame => {
      const { apiKey, apiVersion, correlationId } = peekRequestHeader(frame)
      if (apiKey === apiVersionsApi.key) return encodeApiVersionsResponse({ apiKeys: [{ apiKey: 3, minVersion: 0, maxVersion: 12 }] }, apiVersion, correlationId)
      return null
    })
    servers.push(server)
    const connection = await KafkaConnection.connect({ host: '127.0.0.1', port, requestTimeoutMs: 200 })
    await expect(connection.request(calls.metadata, () => ({ topics: [] }))).rejects.toThrow(`Metadata to 127.0.0.1:${port} got no answer within 200 ms`)
  })

  it('says there is no broker, and how to start one, when the connection is refused', async () => {
    const { server, port } = await fakeBroker(() => null)
    await new Promise(resolve => server.close(resolve))
    const failure = KafkaConnection.connect({ host: '127.0.0.1', port })
    await expect(failure).rejects.toThrow(BrokerUnreachableError)
    await expect(failure).rejects.toThrow(`no broker at 127.0.0.1:${port} — start one with \`sluice start\``)
  })
})

/** The fallback lists ApiVersions v0-4 (ours); an older broker would list v0-2: patch the max in place. */
function patchRange (chunk: Buffer): Buffer {
  const out = Buffer.from(chunk)
  // size(4) correlation(4) error(2) count(4) key(2) min(2) max(2)
  out.writeInt16BE(2, 4 + 4 + 2 + 4 + 2 + 2)
  return out
}
