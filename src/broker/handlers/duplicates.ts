// Kafka answers an entity named twice in one admin request (a topic, a config resource) once, with
// INVALID_REQUEST, and acts on none of its entries; the other entries proceed as usual.

export interface Split<T> {
  unique: T[]
  /** The first entry of each key that occurs more than once. */
  repeated: T[]
}

export function splitDuplicates<T> (items: readonly T[], keyOf: (item: T) => string): Split<T> {
  const times = new Map<string, number>()
  for (const item of items) times.set(keyOf(item), (times.get(keyOf(item)) ?? 0) + 1)
  const unique: T[] = []
  const repeated = new Map<string, T>()
  for (const item of items) {
    const key = keyOf(item)
    if (times.get(key) === 1) unique.push(item)
    else if (!repeated.has(key)) repeated.set(key, item)
  }
  return { unique, repeated: [...repeated.values()] }
}
