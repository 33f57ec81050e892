// What each client does while test/golden/capture.ts records its requests in --broker mode: a small
// session touching admin, produce, fetch and offsets, so that the golden set holds every request kind
// the client sends, at the versions it picks against our ApiVersions. Uses the same drivers as the
// integration suites. Topics are named golden-<client>-*; kcat cannot create topics, so its topic is
// created beforehand by a setup admin whose requests are not recorded (client id SETUP_CLIENT_ID).
import { fileURLToPath } from 'node:url'
import { Admin as PlatformaticAdmin, Consumer as PlatformaticConsumer, Producer as PlatformaticProducer, stringDeserializers, stringSerializers } from '@platformatic/kafka'
import kafkajs from 'kafkajs'
import { kcat, runPython, type PythonModule } from '../helpers/clients.js'
import { PartitionReader } from '../integration/support/kafkajs-reader.js'

export const SETUP_CLIENT_ID = 'sluice-golden-setup'
export type ClientName = 'kcat' | 'kafka-python' | 'confluent-kafka' | 'kafkajs' | 'platformatic'

// kafkajs is CommonJS; under plain Node ESM (tsx) only its default export is reliably importable.
const { CompressionTypes, ConfigResourceTypes, Kafka, logLevel } = kafkajs
const PY_DIR = new URL('../integration/py/', import.meta.url)

export async function prepareTopics (bootstrap: string): Promise<void> {
  const admin = new Kafka({ clientId: SETUP_CLIENT_ID, brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'golden-kcat', numPartitions: 1 }] })
  await admin.disconnect()
}

async function kcatSession (bootstrap: string): Promise<void> {
  const b = ['-b', bootstrap, '-t', 'golden-kcat', '-p', '0']
  await kcat([...b, '-P', '-K:', '-z', 'gzip'], { input: 'k1:one\nk2:two\n' })
  await kcat([...b, '-C', '-o', 'beginning', '-e', '-q'])
  await kcat(['-b', bootstrap, '-L'])
}

async function pythonSession (module: PythonModule, script: string, client: string, bootstrap: string): Promise<void> {
  const path = fileURLToPath(new URL(script, PY_DIR))
  const call = async (op: string, request: object): Promise<unknown> => await runPython(module, path, { op, bootstrap, ...request })
  const topic = `golden-${client}`
  await call('create_topics', { topics: [{ name: topic, partitions: 1 }, { name: `${topic}-doomed`, partitions: 1 }] })
  const produce = module === 'kafka' ? { compression: 'gzip' } : { config: { 'compression.type': 'gzip' } }
  await call('produce', { topic, records: [{ key: 'k', value: 'v', partition: 0 }], ...produce })
  await call('consume', { topic, partitions: [0], count: 1 })
  await call('offsets', { topic, partitions: [0], timestamp: 0 })
  await call('describe_configs', { topic })
  await call('list_topics', {})
  await call('delete_topics', { topics: [`${topic}-doomed`] })
}

async function kafkajsSession (bootstrap: string): Promise<void> {
  const kafka = new Kafka({ clientId: 'sluice-golden-kafkajs', brokers: [bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  const producer = kafka.producer()
  await admin.connect()
  await producer.connect()
  const topic = 'golden-kafkajs'
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] }, { topic: `${topic}-doomed` }] })
  await producer.send({ topic, compression: CompressionTypes.GZIP, messages: [{ key: 'k', value: 'v' }] })
  const reader = await PartitionReader.connect(bootstrap)
  await reader.read(topic, 0, { count: 1 })
  await reader.close()
  await admin.fetchTopicOffsets(topic)
  await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] })
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: '7200000' }] }] })
  await admin.createPartitions({ topicPartitions: [{ topic, count: 2 }] })
  await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '1' }] })
  await admin.deleteTopics({ topics: [`${topic}-doomed`] })
  await producer.disconnect()
  await admin.disconnect()
}

async function platformaticSession (bootstrap: string): Promise<void> {
  const common = { bootstrapBrokers: [bootstrap], retries: 1 }
  const admin = new PlatformaticAdmin({ clientId: 'sluice-golden-platformatic', ...common })
  const producer = new PlatformaticProducer({ clientId: 'sluice-golden-platformatic', serializers: stringSerializers, ...common })
  const consumer = new PlatformaticConsumer({ clientId: 'sluice-golden-platformatic', groupId: 'unused', deserializers: stringDeserializers, ...common })
  const topic = 'golden-platformatic'
  try {
    await admin.createTopics({ topics: [topic, `${topic}-doomed`], partitions: 1, replicas: 1 })
    await producer.send({ messages: [{ topic, partition: 0, key: 'k', value: 'v' }], acks: 1 })
    const metadata = await consumer.metadata({ topics: [topic], forceUpdate: true })
    const described = metadata.topics.get(topic)
    if (described === undefined) throw new Error(`no metadata for ${topic}`)
    await consumer.fetch({
      node: described.partitions[0]?.leader ?? 0,
      maxWaitTime: 100,
      topics: [{ topicId: described.id, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }]
    })
    await consumer.listOffsets({ topics: [topic] })
    await admin.deleteTopics({ topics: [`${topic}-doomed`] })
  } finally {
    await consumer.close()
    await producer.close()
    await admin.close()
  }
}

export const sessions: Record<ClientName, (bootstrap: string) => Promise<void>> = {
  kcat: kcatSession,
  'kafka-python': async b => { await pythonSession('kafka', 'kafka_python_client.py', 'kafka-python', b) },
  'confluent-kafka': async b => { await pythonSession('confluent_kafka', 'confluent_client.py', 'confluent-kafka', b) },
  kafkajs: kafkajsSession,
  platformatic: platformaticSession
}
