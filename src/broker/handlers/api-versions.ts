// ApiVersions: the ranges of every API this broker serves, straight from the protocol registry
// filtered by the router's handler table, so the two cannot drift apart.
import {
  advertisedVersions, apiVersionsApi, decodeApiVersionsRequest, encodeApiVersionsResponse, ErrorCode,
  isValidClientSoftwareField, type ApiVersionsRequest, type ApiVersionsResponse
} from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const apiVersionsHandler = defineHandler<ApiVersionsRequest, ApiVersionsResponse>({
  api: apiVersionsApi,
  decode: decodeApiVersionsRequest,
  encode: encodeApiVersionsResponse,
  handle (request, { apiVersion, router }) {
    if (apiVersion >= 3 && !(isValidClientSoftwareField(request.clientSoftwareName) && isValidClientSoftwareField(request.clientSoftwareVersion))) {
      return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys: [] }
    }
    // No finalized features: advertising transaction.version would switch Java 4.x to KIP-890 flows.
    return { errorCode: ErrorCode.NONE, apiKeys: advertisedVersions(router.servedKeys), finalizedFeaturesEpoch: -1 }
  }
})
