// Turns what a handler catches into the Kafka error code a client expects. Expected failures are
// KafkaError (their code) or StoreError (mapped below); anything else is a bug: it is logged with its
// context and answered UNKNOWN_SERVER_ERROR, never dressed up as a "nice" code.
import type { Logger } from 'pino'
import { CompressionError } from '../../protocol/codec/compression.js'
import { RecordBatchError } from '../../protocol/codec/record-batch.js'
import { ErrorCode, KafkaError } from '../../protocol/index.js'
import { StoreError } from '../../storage/native.js'

const storeCodes: Record<string, number> = {
  CORRUPT_MESSAGE: ErrorCode.CORRUPT_MESSAGE,
  INVALID_RECORD: ErrorCode.INVALID_RECORD,
  OFFSET_OUT_OF_RANGE: ErrorCode.OFFSET_OUT_OF_RANGE,
  UNKNOWN_PARTITION: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  NO_SPACE: ErrorCode.KAFKA_STORAGE_ERROR,
  IO: ErrorCode.KAFKA_STORAGE_ERROR,
  CLOSED: ErrorCode.NOT_LEADER_OR_FOLLOWER
}

export interface ErrorAnswer { errorCode: number; errorMessage: string | null }

export function errorAnswer (error: unknown, log: Logger, context: Record<string, unknown>): ErrorAnswer {
  if (error instanceof KafkaError) return { errorCode: error.code, errorMessage: error.message }
  // A request's batch that does not decode (where the broker reads its records: compaction keys,
  // timestamps, recompression) is the client's corrupt message, as Kafka answers it.
  if (error instanceof RecordBatchError || error instanceof CompressionError) return { errorCode: ErrorCode.CORRUPT_MESSAGE, errorMessage: error.message }
  if (error instanceof StoreError) {
    const code = storeCodes[error.code]
    if (code !== undefined) {
      if (code === ErrorCode.KAFKA_STORAGE_ERROR) log.error({ ...context, err: error }, 'storage failure')
      return { errorCode: code, errorMessage: error.message }
    }
  }
  log.error({ ...context, err: error }, 'unexpected error while handling a request')
  return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null }
}
