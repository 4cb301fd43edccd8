/**
 * A real node:http server on 127.0.0.1 for client tests, with scripted, fault-injecting
 * responses: each request to a path gets the next handler of that path's script (the last one
 * repeats), and every request is recorded with its headers, body, arrival time and socket.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { startLoopbackServer } from '@ssekit/test-support/loopback-server'
import { onTestFinished } from 'vitest'

/** A request the server received. */
export interface RecordedRequest {
  /** 0-based arrival order over the whole server. */
  index: number
  method: string
  /** The path and query. */
  path: string
  headers: IncomingHttpHeaders
  body: string
  /** `performance.now()` when the request arrived. */
  at: number
  /** The response, for handlers that write later. */
  res: ServerResponse
  /** Resolves when the request's socket has closed. */
  socketClosed: Promise<void>
}

/** Answers one request. */
export type Handler = (res: ServerResponse, request: RecordedRequest) => void | Promise<void>

export interface FaultServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  readonly requests: RecordedRequest[]
  /** The absolute URL of a path on this server. */
  url(path: string): string
  /** Scripts a path: the n-th request to it gets `handlers[n]`; the last handler repeats. */
  route(path: string, ...handlers: Handler[]): void
  /** Resolves with the n-th (0-based) request to arrive at the server. */
  request(n: number): Promise<RecordedRequest>
  /** Sockets currently open. */
  readonly connections: number
  close(): Promise<void>
}

const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
}

function write(res: ServerResponse, chunk: string | Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) resolve()
    else res.write(chunk, () => resolve())
  })
}

/** 200 text/event-stream with `chunks` written one by one, then the body ends. */
export function stream(...chunks: string[]): Handler {
  return async (res) => {
    res.writeHead(200, STREAM_HEADERS)
    for (const chunk of chunks) await write(res, chunk)
    res.end()
  }
}

/** 200 text/event-stream with `chunks` written, then the socket is destroyed (a network error). */
export function streamThenDestroy(...chunks: string[]): Handler {
  return async (res) => {
    res.writeHead(200, STREAM_HEADERS)
    res.flushHeaders()
    for (const chunk of chunks) await write(res, chunk)
    res.socket?.destroy()
  }
}

/** 200 text/event-stream with `chunks` written, then the response stays open until the client goes. */
export function hold(...chunks: string[]): Handler {
  return async (res) => {
    res.writeHead(200, STREAM_HEADERS)
    res.flushHeaders()
    for (const chunk of chunks) await write(res, chunk)
  }
}

/** Destroys the socket before answering: the client's fetch fails with a network error. */
export function destroy(): Handler {
  return (res) => {
    res.socket?.destroy()
  }
}

/** Never answers: the client waits for the response headers until it gives up. */
export function silence(): Handler {
  return () => {}
}

/** A plain response with a status, headers and body. */
export function status(
  code: number,
  body = '',
  headers: Record<string, string> = { 'content-type': 'text/plain' },
): Handler {
  return (res) => {
    res.writeHead(code, headers)
    res.end(body)
  }
}

/** A redirect to `location`. */
export function redirect(location: string, code = 302): Handler {
  return (res) => {
    res.writeHead(code, { location })
    res.end()
  }
}

/** 200 text/event-stream written one byte at a time, `interval` ms apart, then the body ends. */
export function drip(text: string, interval: number): Handler {
  return async (res) => {
    res.writeHead(200, STREAM_HEADERS)
    res.flushHeaders()
    const bytes = Buffer.from(text)
    for (const byte of bytes) {
      if (res.destroyed) return
      await write(res, Uint8Array.of(byte))
      await new Promise((resolve) => setTimeout(resolve, interval))
    }
    res.end()
  }
}

/**
 * Starts a fault server on 127.0.0.1 with a random port; it is closed when the current test ends.
 */
export async function createFaultServer(): Promise<FaultServer> {
  const routes = new Map<string, { handlers: Handler[]; served: number }>()
  const requests: RecordedRequest[] = []
  const waiters = new Map<number, (request: RecordedRequest) => void>()
  const sockets = new Set<Socket>()
  const socketClosed = new WeakMap<Socket, Promise<void>>()

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const socket = req.socket
      const request: RecordedRequest = {
        index: requests.length,
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now(),
        res,
        socketClosed: socketClosed.get(socket) ?? Promise.resolve(),
      }
      requests.push(request)
      waiters.get(request.index)?.(request)
      waiters.delete(request.index)
      const route = routes.get(new URL(request.path, 'http://x').pathname)
      if (route === undefined || route.handlers.length === 0) {
        res.writeHead(404, { 'content-type': 'text/plain' })
        res.end('no route')
        return
      }
      const handler = route.handlers[Math.min(route.served, route.handlers.length - 1)] as Handler
      route.served++
      Promise.resolve(handler(res, request)).catch(() => res.destroy())
    })
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socketClosed.set(
      socket,
      new Promise((resolve) =>
        socket.on('close', () => {
          sockets.delete(socket)
          resolve()
        }),
      ),
    )
  })
  const loopback = await startLoopbackServer(server)

  const faultServer: FaultServer = {
    origin: loopback.origin,
    requests,
    url: (path) => loopback.url(path),
    route(path, ...handlers) {
      routes.set(path, { handlers, served: 0 })
    },
    request(n) {
      const existing = requests[n]
      if (existing !== undefined) return Promise.resolve(existing)
      return new Promise((resolve) => waiters.set(n, resolve))
    },
    get connections() {
      return sockets.size
    },
    close: () => loopback.close(),
  }
  onTestFinished(() => faultServer.close())
  return faultServer
}
