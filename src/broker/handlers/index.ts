// Every API this broker serves. ApiVersions advertises exactly these keys.
import type { AnyHandler } from '../handler.js'
import { apiVersionsHandler } from './api-versions.js'
import { fetchHandler } from './fetch.js'
import { listOffsetsHandler } from './list-offsets.js'
import { metadataHandler } from './metadata.js'
import { produceHandler } from './produce.js'

export const handlers: AnyHandler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  apiVersionsHandler
]
