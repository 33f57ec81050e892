// AlterClientQuotas: sets and removes quota values per entity (validation and persistence in
// client-quotas.ts), as Kafka's controller answers it: one result per distinct entity, each with its
// own error; the valid alterations apply together, the failed ones not at all; validateOnly checks
// and changes nothing. A quotas file that cannot be read or written fails every entity
// (UNKNOWN_SERVER_ERROR, logged).
//   v0–v1 (v1 flexible) the same semantics throughout
import {
  alterClientQuotasApi, decodeAlterClientQuotasRequest, encodeAlterClientQuotasResponse, ErrorCode, KafkaError,
  type AlterClientQuotasRequest, type AlterClientQuotasResponse
} from '../../protocol/index.js'
import { AclOperation } from '../acl/bindings.js'
import { clusterAllowed } from '../acl/check.js'
import { defineHandler } from '../handler.js'
import { errorAnswer } from './errors.js'

export const alterClientQuotasHandler = defineHandler<AlterClientQuotasRequest, AlterClientQuotasResponse>({
  api: alterClientQuotasApi,
  decode: decodeAlterClientQuotasRequest,
  encode: encodeAlterClientQuotasResponse,
  handle (request, context) {
    const { broker } = context
    const alterations = request.entries.map(e => ({
      entity: e.entity.map(({ entityType, entityName }) => [entityType, entityName] as const),
      ops: e.ops.map(op => ({ key: op.key, value: op.remove ? null : op.value }))
    }))
    let results
    try {
      // With an authorizer, ALTER_CONFIGS on the cluster.
      if (!clusterAllowed(context, AclOperation.ALTER_CONFIGS)) throw new KafkaError(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.')
      results = broker.quotas.alter(alterations, request.validateOnly)
    } catch (error) {
      // Not the request's fault (the quotas file could not be read or written): every entity fails alike.
      const { errorCode, errorMessage } = errorAnswer(error, broker.log, { api: 'AlterClientQuotas' })
      results = alterations.map(a => ({ entity: a.entity, errorCode, errorMessage }))
    }
    return {
      throttleTimeMs: 0,
      entries: results.map(r => ({
        errorCode: r.errorCode,
        errorMessage: r.errorMessage,
        entity: r.entity.map(([entityType, entityName]) => ({ entityType, entityName }))
      }))
    }
  }
})
