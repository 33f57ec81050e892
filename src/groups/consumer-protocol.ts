// The one thing the coordinator reads from the otherwise opaque member metadata: the topics a
// "consumer" member subscribes to (ConsumerProtocolSubscription: int16 version, then Topics as an
// int32-counted array of int16-prefixed strings, in every version). It decides whether OffsetDelete
// may remove a topic's offsets from a live group and which offsets of a stable group expire.
import { ProtocolError, Reader } from '../protocol/index.js'

export const CONSUMER_PROTOCOL_TYPE = 'consumer'

/** The subscribed topics, or null when the bytes are not a subscription we can read. */
export function subscribedTopicsOf (metadata: Buffer): string[] | null {
  try {
    const r = new Reader(metadata)
    if (r.int16() < 0) return null
    const count = r.arrayLength()
    const topics: string[] = []
    for (let i = 0; i < count; i++) topics.push(r.string())
    return topics
  } catch (error) {
    if (error instanceof ProtocolError) return null
    throw error
  }
}
