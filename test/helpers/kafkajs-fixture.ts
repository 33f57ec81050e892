// The kafkajs admin and producer most integration suites open against their broker, and their close.
import { Kafka, logLevel, type Admin, type KafkaConfig, type Producer } from 'kafkajs'
import type { RunningBroker } from './broker.js'

export interface KafkajsClients { kafka: Kafka, admin: Admin, producer: Producer }

/** A connected kafkajs admin and producer for `broker`; `config` adds client id, retries and the like. */
export async function connectKafkajs (broker: RunningBroker, config: Omit<KafkaConfig, 'brokers'> = {}): Promise<KafkajsClients> {
  const kafka = new Kafka({ logLevel: logLevel.NOTHING, ...config, brokers: [broker.bootstrap] })
  const admin = kafka.admin()
  const producer = kafka.producer()
  await admin.connect()
  await producer.connect()
  return { kafka, admin, producer }
}

/** Disconnects the clients and stops the broker; any of them may be missing if set-up failed. */
export async function closeKafkajs (parts: { producer?: Producer, admin?: Admin, broker?: RunningBroker }): Promise<void> {
  await parts.producer?.disconnect()
  await parts.admin?.disconnect()
  await parts.broker?.stop()
}
