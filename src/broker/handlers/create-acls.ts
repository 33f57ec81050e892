// CreateAcls: with no authorizer there is nowhere to keep an ACL, so every creation fails with
// SECURITY_DISABLED, as on a Kafka broker without authorizer.class.name.
import {
  createAclsApi, decodeCreateAclsRequest, encodeCreateAclsResponse, ErrorCode,
  type CreateAclsRequest, type CreateAclsResponse
} from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

/** Kafka's wording for the SECURITY_DISABLED answers. */
export const NO_AUTHORIZER = { errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.' }

export const createAclsHandler = defineHandler<CreateAclsRequest, CreateAclsResponse>({
  api: createAclsApi,
  decode: decodeCreateAclsRequest,
  encode: encodeCreateAclsResponse,
  handle (request) {
    return { throttleTimeMs: 0, results: request.creations.map(() => ({ ...NO_AUTHORIZER })) }
  }
})
