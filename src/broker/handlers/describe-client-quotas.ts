// DescribeClientQuotas: the quota entries a filter selects (client-quotas.ts), as a Kafka broker
// answers from its metadata image. A bad filter fails the whole request: top-level error code and
// message, entries null (INVALID_REQUEST; an entity type Kafka does not know is UNSUPPORTED_VERSION).
//   v0–v1 (v1 flexible) the same semantics throughout
import {
  decodeDescribeClientQuotasRequest, describeClientQuotasApi, encodeDescribeClientQuotasResponse, ErrorCode,
  type DescribeClientQuotasRequest, type DescribeClientQuotasResponse
} from '../../protocol/index.js'
import { AclOperation } from '../acl/bindings.js'
import { clusterAllowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'
import { errorAnswer } from './errors.js'

export const describeClientQuotasHandler = defineHandler<DescribeClientQuotasRequest, DescribeClientQuotasResponse>({
  api: describeClientQuotasApi,
  decode: decodeDescribeClientQuotasRequest,
  encode: encodeDescribeClientQuotasResponse,
  handle (request, context) {
    const { broker } = context
    // With an authorizer, DESCRIBE_CONFIGS on the cluster.
    if (!clusterAllowed(context, AclOperation.DESCRIBE_CONFIGS)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.', entries: null }
    try {
      const entries = broker.quotas.describe(request).map(({ entity, values }) => ({
        entity: entity.map(([entityType, entityName]) => ({ entityType, entityName })),
        values: [...values].sort(([a], [b]) => a < b ? -1 : 1).map(([key, value]) => ({ key, value }))
      }))
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, entries }
    } catch (error) {
      // A bad filter (KafkaError), or a quotas file that cannot be read (UNKNOWN_SERVER_ERROR, logged).
      const { errorCode, errorMessage } = errorAnswer(error, broker.log, { api: 'DescribeClientQuotas' })
      return { throttleTimeMs: 0, errorCode, errorMessage, entries: null }
    }
  }
})
