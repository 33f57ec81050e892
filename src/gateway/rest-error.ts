// The REST Proxy error body ({"error_code", "message"}) and the codes the Confluent REST Proxy v2/v3 API
// reference documents: error_code is the HTTP status, or status * 100 + a sub-code (40401 topic not
// found, 40402 partition not found, 40403 consumer instance not found, 40601 format mismatch, 40901/40902
// conflicting subscription or instance name, 42204 invalid consumer configuration, 50002/50003 Kafka
// error, non-retriable/retriable). Every HTTP error the gateway answers goes through RestError.
export class RestError extends Error {
  override readonly name = 'RestError'
  constructor (readonly status: number, readonly errorCode: number, message: string) {
    super(message)
  }

  get body (): { error_code: number, message: string } { return { error_code: this.errorCode, message: this.message } }
}

export const topicNotFound = (topic: string): RestError => new RestError(404, 40401, `Topic ${topic} not found.`)
export const partitionNotFound = (topic: string, partition: number | string): RestError =>
  new RestError(404, 40402, `Partition ${String(partition)} of topic ${topic} not found.`)
export const consumerNotFound = (group: string, instance: string): RestError =>
  new RestError(404, 40403, `Consumer instance ${instance} of group ${group} not found.`)
export const badRequest = (message: string): RestError => new RestError(400, 400, message)
export const unprocessable = (message: string): RestError => new RestError(422, 422, message)
export const notFound = (message = 'HTTP 404 Not Found'): RestError => new RestError(404, 404, message)

export const STATUS_TEXT: Record<number, string> = {
  200: '200 OK',
  201: '201 Created',
  204: '204 No Content',
  400: '400 Bad Request',
  404: '404 Not Found',
  405: '405 Method Not Allowed',
  406: '406 Not Acceptable',
  408: '408 Request Timeout',
  409: '409 Conflict',
  413: '413 Payload Too Large',
  415: '415 Unsupported Media Type',
  422: '422 Unprocessable Entity',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable'
}
