// DescribeClientQuotas: the quota entries a filter selects (client-quotas.ts), as a Kafka broker
// answers from its metadata image. A bad filter fails the whole request: top-level error code and
// message, entries null (INVALID_REQUEST; an entity type Kafka does not know is UNSUPPORTED_VERSION).
//   v0–v1 (v1 flexible) the same semantics throughout
import {
  decodeDescribeClientQuotasRequest, describeClientQuotasApi, encodeDescribeClientQuotasResponse, ErrorCode, KafkaError,
  type DescribeClientQuotasRequest, type DescribeClientQuotasResponse
} from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const describeClientQuotasHandler = defineHandler<DescribeClientQuotasRequest, DescribeClientQuotasResponse>({
  api: describeClientQuotasApi,
  decode: decodeDescribeClientQuotasRequest,
  encode: encodeDescribeClientQuotasResponse,
  handle (request, { broker }) {
    try {
      const entries = broker.quotas.describe(request).map(({ entity, values }) => ({
        entity: entity.map(([entityType, entityName]) => ({ entityType, entityName })),
        values: [...values].sort(([a], [b]) => a < b ? -1 : 1).map(([key, value]) => ({ key, value }))
      }))
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, entries }
    } catch (error) {
      if (!(error instanceof KafkaError)) throw error
      return { throttleTimeMs: 0, errorCode: error.code, errorMessage: error.message, entries: null }
    }
  }
})
