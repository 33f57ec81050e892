// ApiVersions · key 18 · v0–v4 · flexible from v3
//   v1 response +throttleTimeMs
//   v3 flexible · request +clientSoftwareName +clientSoftwareVersion · response +supportedFeatures +finalizedFeaturesEpoch +finalizedFeatures +zkMigrationReady
//   Quirks (protocol-notes.md §5): the response header is always v0 (header.ts). A request above v4
//   is answered, without reading its body, by encodeApiVersionsFallback: a v0 body with
//   UNSUPPORTED_VERSION and only ApiVersions' own range, so that the client steps down.
//   Not supported: nothing in the spec range. Plan: response header always v0; unknown higher versions get the v0-body UNSUPPORTED_VERSION fallback.
import type { ApiVersionsRequest, ApiVersionsResponse } from '../schema/types.generated.js'
import { ErrorCode } from '../errors.js'
import { registerApi } from '../registry.js'
import { apiCodec } from './api-codec.js'

export const apiVersionsApi = registerApi({ key: 18, name: 'ApiVersions', minVersion: 0, maxVersion: 4, flexibleFrom: 3 })

const codec = apiCodec<ApiVersionsRequest, ApiVersionsResponse>(apiVersionsApi)
export const decodeApiVersionsRequest = codec.decodeRequest
export const encodeApiVersionsResponse = codec.encodeResponse
export const encodeApiVersionsRequest = codec.encodeRequest
export const decodeApiVersionsResponse = codec.decodeResponse

/** The v0-body UNSUPPORTED_VERSION answer to an ApiVersions request of an unknown higher version. */
export function encodeApiVersionsFallback (correlationId: number): Buffer[] {
  const own = { apiKey: apiVersionsApi.key, minVersion: apiVersionsApi.advertiseMin, maxVersion: apiVersionsApi.advertiseMax }
  return encodeApiVersionsResponse({ errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: [own] }, 0, correlationId)
}

const clientSoftwarePattern = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/

/** v3+ ClientSoftwareName/Version must match Kafka's pattern, else the answer is INVALID_REQUEST. */
export function isValidClientSoftwareField (value: string): boolean {
  return clientSoftwarePattern.test(value)
}
