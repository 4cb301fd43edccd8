/**
 * One hub instance of the scale-out soak: its own node:http server, the Redis transport, and a
 * chaos switch that destroys the socket in the middle of an event. Bundled with esbuild by the
 * soak test and run as a child process (plain `node`, no TypeScript loader needed).
 *
 * Env: SOAK_REDIS_SOCKET (unix socket of redis-server), SOAK_CHAOS (probability per event).
 * Prints `READY <port>` once listening.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHub } from '../../src/index.ts'
import { createNodeHandler } from '../../src/node/index.ts'
import { createRedisTransport } from '../../src/redis/index.ts'

const path = process.env.SOAK_REDIS_SOCKET as string
let chaos = Number(process.env.SOAK_CHAOS ?? '0')
let destroyedMidEvent = 0
let streamErrors = 0

const hub = createHub({
  transport: createRedisTransport({
    clientOptions: { socket: { path, tls: false } },
    namespace: 'soak',
    maxEventsPerNamespace: 200_000,
    // Longer than the soak's 5 s Redis pause: publishers wait instead of failing.
    timeout: 15_000,
    blockTime: 1000,
    retryDelay: 50,
  }),
})
const handle = createNodeHandler(hub, { heartbeat: 2000, onError: () => streamErrors++ })

/** Whether a chunk is an event's bytes: `id: ` (the hub gives every event an id). */
function isEvent(chunk: string | Uint8Array): chunk is Uint8Array {
  return (
    typeof chunk !== 'string' &&
    chunk[0] === 0x69 &&
    chunk[1] === 0x64 &&
    chunk[2] === 0x3a &&
    chunk[3] === 0x20
  )
}

const server = createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost')
  if (url.pathname === '/events') {
    type Chunk = string | Uint8Array
    const write = response.write.bind(response) as (chunk: Chunk) => boolean
    // Chaos: cut an event in the middle and destroy the socket, as a crashing proxy would. The
    // handler writes each event's shared bytes (a Uint8Array starting `id: `); replacing `write`
    // also keeps the encoder on `res.write()` rather than its direct socket path.
    ;(response as unknown as { write: (chunk: Chunk) => boolean }).write = (chunk) => {
      if (isEvent(chunk) && Math.random() < chaos) {
        destroyedMidEvent++
        write(chunk.subarray(0, 1 + Math.floor(Math.random() * (chunk.length - 2))))
        response.destroy()
        return false
      }
      return write(chunk)
    }
    return handle(request, response)
  }
  if (url.pathname === '/publish' && request.method === 'POST') {
    let body = ''
    for await (const chunk of request) body += chunk
    try {
      const id = await hub.publish(url.searchParams.get('topic') ?? '', { data: body })
      return response.writeHead(201).end(id)
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'UNKNOWN'
      return response.writeHead(503).end(code)
    }
  }
  if (url.pathname === '/chaos' && request.method === 'POST') {
    chaos = Number(url.searchParams.get('p') ?? '0')
    return response.writeHead(204).end()
  }
  if (url.pathname === '/stats') {
    const body = JSON.stringify({ ...hub.stats(), destroyedMidEvent, streamErrors })
    return response.writeHead(200, { 'content-type': 'application/json' }).end(body)
  }
  response.writeHead(404).end()
})

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`)
})

process.once('SIGTERM', () => {
  server.closeAllConnections()
  server.close()
  void hub.close().then(() => process.exit(0))
})
