// Reads a topic with a kafkajs consumer in a fresh group, for the suites that check what a reader
// at one isolation level sees.
import type { EachMessagePayload, Kafka } from 'kafkajs'

/** Consumes `topic` from the beginning in a new group until `until` holds; returns the values seen. */
export async function consumeUntil (
  kafka: Kafka, topic: string, readUncommitted: boolean, until: (values: string[]) => boolean, timeoutMs = 20_000
): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${String(readUncommitted)}-${Math.random()}`, readUncommitted, maxWaitTimeInMs: 100, sessionTimeout: 6000 })
  const values: string[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`saw only ${JSON.stringify(values)} from ${topic}`)), timeoutMs)
      void consumer.run({
        eachMessage: async ({ message }: EachMessagePayload) => {
          values.push(message.value?.toString() ?? '')
          if (until(values)) { clearTimeout(timer); resolve() }
        }
      }).catch(reject)
    })
  } finally {
    await consumer.disconnect()
  }
  return values
}
