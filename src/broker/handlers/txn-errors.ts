// PRODUCER_FENCED (90) is newer than the transaction APIs: versions before the one that introduced it
// answer INVALID_PRODUCER_EPOCH instead (Kafka's KafkaApis does the same per API).
import { ErrorCode } from '../../protocol/index.js'

export function fencedFor (errorCode: number, apiVersion: number, firstVersionWithFenced: number): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && apiVersion < firstVersionWithFenced ? ErrorCode.INVALID_PRODUCER_EPOCH : errorCode
}
