// AlterClientQuotas: sets and removes quota values per entity (validation and persistence in
// client-quotas.ts), as Kafka's controller answers it: one result per distinct entity, each with its
// own error; the valid alterations apply together, the failed ones not at all; validateOnly checks
// and changes nothing.
//   v0–v1 (v1 flexible) the same semantics throughout
import {
  alterClientQuotasApi, decodeAlterClientQuotasRequest, encodeAlterClientQuotasResponse,
  type AlterClientQuotasRequest, type AlterClientQuotasResponse
} from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const alterClientQuotasHandler = defineHandler<AlterClientQuotasRequest, AlterClientQuotasResponse>({
  api: alterClientQuotasApi,
  decode: decodeAlterClientQuotasRequest,
  encode: encodeAlterClientQuotasResponse,
  handle (request, { broker }) {
    const alterations = request.entries.map(e => ({
      entity: e.entity.map(({ entityType, entityName }) => [entityType, entityName] as const),
      ops: e.ops.map(op => ({ key: op.key, value: op.remove ? null : op.value }))
    }))
    const results = broker.quotas.alter(alterations, request.validateOnly)
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
