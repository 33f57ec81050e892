// uWebSockets.js, loaded the only way it can be: it is a CommonJS native addon (installed under its own
// name as an npm alias of @trufflesuite/uws-js-unofficial 20.30.0, which carries Node 18/20 binaries
// for glibc 2.36). Its typings come with the package.
import { createRequire } from 'node:module'
import type * as UwsTypes from 'uWebSockets.js'

export type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket as ListenSocket, WebSocket } from 'uWebSockets.js'

export const uws = createRequire(import.meta.url)('uWebSockets.js') as typeof UwsTypes
