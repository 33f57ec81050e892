// A test client that speaks to the broker with our own protocol encoders over a raw socket, for the
// error cases and versions that real clients hide. Requests on one connection are answered in order.
import { decodeResponseHeader, type Reader, type RequestHeaderInput } from '../../src/protocol/index.js'
import type { RunningBroker } from './broker.js'
import { WireConnection } from './wire.js'

/** One API: `Input` is what its request encoder takes (a MessageInput of the generated request type). */
export interface Api<Input, Res> {
  key: number
  encode: (message: Input, version: number, header: RequestHeaderInput) => Buffer[]
  decode: (body: Reader, version: number) => Res
}

export const api = <Input, Res>(key: number, encode: Api<Input, Res>['encode'], decode: Api<Input, Res>['decode']): Api<Input, Res> => ({ key, encode, decode })

export class WireClient {
  private correlationId = 0
  private constructor (private readonly wire: WireConnection, private readonly clientId: string) {}

  /** `port`: another of the broker's listeners (RunningBroker.listenerPorts). */
  static async open (broker: RunningBroker, clientId = 'sluice-wire', port = broker.port): Promise<WireClient> {
    return new WireClient(await WireConnection.open('127.0.0.1', port), clientId)
  }

  async call<Input, Res> (target: Api<Input, Res>, version: number, message: Input, timeoutMs = 10_000): Promise<Res> {
    const correlationId = ++this.correlationId
    this.wire.write(Buffer.concat(target.encode(message, version, { correlationId, clientId: this.clientId })))
    const response = await this.wire.nextResponse(timeoutMs)
    const frame = Buffer.concat([Buffer.alloc(4), response.body])
    frame.writeInt32BE(response.correlationId)
    const { body } = decodeResponseHeader(frame, target.key, version)
    return target.decode(body, version)
  }

  /** Resolves true if the broker closes the connection within timeoutMs. */
  closesWithin (timeoutMs: number): Promise<boolean> { return this.wire.closesWithin(timeoutMs) }

  close (): void { this.wire.close() }
}
