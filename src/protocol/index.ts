// The public surface of the protocol layer. The broker decodes requests and encodes responses only
// through these functions; it never reads or writes bytes itself.
export * from './apis/index.js'
export { apiCodec, type ApiCodec } from './apis/api-codec.js'
export { ProtocolError } from './codec/protocol-error.js'
export { Reader } from './codec/reader.js'
export { Writer, ZERO_COPY_BYTES, type BytesInput } from './codec/writer.js'
export { ErrorCode, errorInfo, errorName, isRetriable, KafkaError, type ErrorInfo } from './errors.js'
export { frameSize, FRAME_PREFIX_BYTES, MAX_FRAME_BYTES } from './frame.js'
export {
  API_VERSIONS_KEY, decodeRequestHeader, decodeResponseHeader, peekApiKey, peekRequestHeader, responseHeaderVersion,
  type PeekedHeader, type RequestHeader, type RequestHeaderInput
} from './header.js'
export { implementsVersion, isFlexible, requireVersion, type AdvertisedVersion, type ApiRegistration } from './registry.js'
export type { MessageInput } from './schema/message-input.js'
export * from './schema/types.generated.js'
