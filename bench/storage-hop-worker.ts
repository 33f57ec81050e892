// The echo worker of bench/storage-hop.ts. Its first task either echoes (piscina's task API) or
// hands over a MessagePort to echo on. A separate file because tsx cannot load the bench's main
// module again inside a worker.
import type { MessagePort } from 'node:worker_threads'

interface EchoRequest { id: number; payload: unknown }

export default function echo (task: { port: MessagePort } | EchoRequest): number {
  if ('port' in task) {
    const port = task.port
    port.on('message', (msg: EchoRequest) => { port.postMessage(msg.id) })
    return 0
  }
  return task.id
}
