// The REST consumer instances of this gateway, by group and name. An instance unused for
// http.consumer.instance.timeout.ms is closed (it leaves its group), as the REST Proxy's
// consumer.instance.timeout.ms does; stopping the gateway closes them all.
import { randomUUID } from 'node:crypto'
import type { Broker } from '../broker/broker.js'
import { RestConsumer, type ConsumerConfig } from './rest-consumer.js'
import { consumerNotFound, RestError } from './rest-error.js'

export class ConsumerRegistry {
  private readonly instances = new Map<string, RestConsumer>()
  private readonly timer: NodeJS.Timeout

  constructor (private readonly broker: Broker, private readonly idleMs: number) {
    this.timer = setInterval(() => { this.expire() }, Math.min(10_000, idleMs))
    this.timer.unref()
  }

  get size (): number { return this.instances.size }

  create (group: string, name: string | undefined, config: ConsumerConfig): RestConsumer {
    const instance = name ?? `rest-consumer-${randomUUID()}`
    const id = key(group, instance)
    if (this.instances.has(id)) {
      throw new RestError(409, 40902, 'Consumer with specified consumer ID already exists in the specified consumer group.')
    }
    const consumer = new RestConsumer(this.broker, group, instance, config)
    this.instances.set(id, consumer)
    return consumer
  }

  /** The instance, marked as used now; 40403 when there is none. */
  get (group: string, name: string): RestConsumer {
    const consumer = this.instances.get(key(group, name))
    if (consumer === undefined) throw consumerNotFound(group, name)
    consumer.lastUsed = Date.now()
    return consumer
  }

  async delete (group: string, name: string): Promise<void> {
    const consumer = this.get(group, name)
    this.instances.delete(key(group, name))
    await consumer.close()
  }

  async closeAll (): Promise<void> {
    clearInterval(this.timer)
    const all = [...this.instances.values()]
    this.instances.clear()
    await Promise.allSettled(all.map(async c => { await c.close() }))
  }

  private expire (): void {
    const now = Date.now()
    for (const [id, consumer] of this.instances) {
      if (now - consumer.lastUsed < this.idleMs) continue
      this.instances.delete(id)
      consumer.close().catch((error: unknown) => { this.broker.log.warn({ err: error, group: consumer.group, instance: consumer.name }, 'closing an idle REST consumer failed') })
    }
  }
}

function key (group: string, name: string): string {
  return `${group}\u0000${name}`
}
