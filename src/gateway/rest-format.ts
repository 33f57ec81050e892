// The REST Proxy v2 embedded formats (application/vnd.kafka.{binary,json}.v2+json): how keys and
// values travel inside the JSON of a request or answer. binary: base64 strings; json: any JSON value,
// stored as its JSON text. Schema formats (avro, protobuf, jsonschema) need a schema registry, which
// Sluice does not have: they are refused with 415, like any other content type.
import type { OutgoingRecord } from './producer.js'
import { RestError, unprocessable } from './rest-error.js'

export type EmbeddedFormat = 'binary' | 'json'

const V2_EMBEDDED = /^application\/vnd\.kafka\.(binary|json)\.v2\+json$/

/** The embedded format a produce request's Content-Type names; 415 for anything else. */
export function producedFormat (contentType: string): EmbeddedFormat {
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase()
  const match = V2_EMBEDDED.exec(type)
  if (match === null) {
    throw new RestError(415, 415, `HTTP 415 Unsupported Media Type: expected application/vnd.kafka.binary.v2+json or application/vnd.kafka.json.v2+json, got ${type === '' ? 'none' : type}`)
  }
  return match[1] as EmbeddedFormat
}

/** Whether an Accept header allows answers in `format` (absent or wildcard accepts anything). */
export function acceptsFormat (accept: string, format: EmbeddedFormat): boolean {
  if (accept === '') return true
  return accept.split(',').some(part => {
    const type = (part.split(';')[0] ?? '').trim().toLowerCase()
    return type === '*/*' || type === 'application/*' || type === `application/vnd.kafka.${format}.v2+json`
  })
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

export function isBase64 (text: string): boolean { return BASE64.test(text) }

function decodeBase64 (text: unknown, what: string): Buffer {
  if (typeof text !== 'string' || !BASE64.test(text)) throw unprocessable(`${what} is not a base64 string`)
  return Buffer.from(text, 'base64')
}

function embedded (format: EmbeddedFormat, data: unknown, what: string): Buffer | null {
  if (data === undefined || data === null) return null
  return format === 'binary' ? decodeBase64(data, what) : Buffer.from(JSON.stringify(data))
}

/**
 * The records of a v2 produce body, `{"records": [{"key", "value", "partition"}]}`. `withPartition`
 * false (POST /topics/t/partitions/p) ignores per-record partitions, as the REST Proxy does.
 */
export function decodeV2Records (body: unknown, format: EmbeddedFormat, withPartition: boolean): OutgoingRecord[] {
  const records = (body as { records?: unknown } | undefined)?.records
  if (!Array.isArray(records) || records.length === 0) throw unprocessable('records may not be empty')
  return records.map((raw: unknown, i): OutgoingRecord => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw unprocessable(`records[${i}] is not an object`)
    const r = raw as { key?: unknown, value?: unknown, partition?: unknown }
    const partition = withPartition ? r.partition : undefined
    if (partition !== undefined && partition !== null && !Number.isInteger(partition)) throw unprocessable(`records[${i}].partition is not an integer`)
    return {
      key: embedded(format, r.key, `records[${i}].key`),
      value: embedded(format, r.value, `records[${i}].value`),
      partition: partition as number | null | undefined
    }
  })
}

/** A consumed key or value in `format`; a json record whose bytes are not JSON is a Kafka error (50002). */
export function encodeEmbedded (format: EmbeddedFormat, bytes: Buffer | null, where: string): unknown {
  if (bytes === null) return null
  if (format === 'binary') return bytes.toString('base64')
  try {
    return JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new RestError(500, 50002, `Kafka error: the record at ${where} is not JSON and cannot be returned in the json format`)
  }
}
