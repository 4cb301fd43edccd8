import { MAX_TIMER_DELAY } from '@ssekit/shared/internal'
import { encode } from '../encode.ts'
import {
  CLOSE_STREAMS_DEFAULTS,
  type CloseStreamsOptions,
  type CloseStreamsResult,
  type EventStreamGroup,
} from '../stream-group.ts'

/** Options of {@link shutdownServer}. */
export interface ShutdownServerOptions extends CloseStreamsOptions {
  /**
   * The group the server's event streams were opened in (`group` option of `openEventStream`,
   * `createEventStreamResponse` or the hub's handlers): they are ended politely first.
   */
  streams?: EventStreamGroup | undefined
}

/** What {@link shutdownServer} did. */
export interface ShutdownServerResult extends CloseStreamsResult {
  /** How many connections were still open at the deadline and were destroyed. */
  readonly destroyedConnections: number
}

/**
 * The servers {@link shutdownServer} stops: a `node:http` or `node:https` server (Express's and
 * Koa's `listen()`, Fastify's `server`, `@hono/node-server`'s `serve()`, …). Connections can only
 * be destroyed at the deadline where `closeAllConnections` exists (http and https servers).
 */
export interface ShutdownableServer {
  close(callback?: (error?: Error) => void): unknown
  closeIdleConnections?: (() => void) | undefined
  closeAllConnections?: (() => void) | undefined
  getConnections?: ((callback: (error: Error | null, count: number) => void) => unknown) | undefined
}

/**
 * Stops a `node:http` server that serves event streams, for a `SIGTERM` handler: a plain
 * `server.close()` waits forever, because event streams never end on their own.
 *
 * In order: the server stops accepting connections; every stream of `options.streams` is sent the
 * `retry:` hint and the last event and is ended (see `EventStreamGroup.close`); idle keep-alive
 * connections are closed; and the promise resolves once the server has closed. Whatever is still
 * open when `options.timeout` has passed since the call (streams, connections with a request in
 * flight) is destroyed, so it resolves within the deadline plus the time sockets take to close.
 *
 * @param server - the listening server
 * @param options - the streams, the retry hint, the last event and the deadline
 * @returns a promise of what was closed and what had to be destroyed
 * @throws SSEError `INVALID_RETRY`, `INVALID_EVENT`, … (as a rejection) when the retry hint or the
 * event cannot be encoded, before anything is closed
 * @throws RangeError (as a rejection) when the timeout is not a positive number of milliseconds
 *
 * @example
 * ```ts
 * const streams = createEventStreamGroup()
 * const server = createServer((req, res) => void openEventStream(res, { group: streams }))
 * process.once('SIGTERM', async () => {
 *   await shutdownServer(server, { streams, retry: 2000, timeout: 10_000 })
 *   process.exit(0)
 * })
 * ```
 */
export async function shutdownServer(
  server: ShutdownableServer,
  options: ShutdownServerOptions = {},
): Promise<ShutdownServerResult> {
  const started = Date.now()
  const timeout = options.timeout ?? CLOSE_STREAMS_DEFAULTS.timeout
  const { streams } = options
  // Checked before the server stops accepting: a refused option leaves everything running.
  if (typeof timeout !== 'number' || !(timeout > 0 && timeout <= MAX_TIMER_DELAY)) {
    throw new RangeError(
      `The timeout ${String(timeout)} must be a number of milliseconds between 1 and ${MAX_TIMER_DELAY}.`,
    )
  }
  if (options.retry !== undefined) encode({ retry: options.retry })
  if (options.event !== undefined) encode(options.event)
  // Resolves when every connection has closed ('close' after close()); an error only says it was
  // not listening, which changes nothing here.
  const serverClosed = new Promise<void>((resolve) => {
    server.close(() => resolve())
  })
  const closed: CloseStreamsResult =
    streams === undefined
      ? { closed: 0, destroyed: 0 }
      : await streams.close({ retry: options.retry, event: options.event, timeout })
  // The ended streams' keep-alive connections are idle now; so are others that waited.
  server.closeIdleConnections?.()
  let destroyedConnections = 0
  const remaining = Math.max(0, timeout - (Date.now() - started))
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      // Every connection still open: a slow request, or a socket the client keeps after its
      // stream ended. closeAllConnections() exists on http servers since Node 18.2.
      if (typeof server.getConnections !== 'function') {
        server.closeAllConnections?.()
        resolve()
        return
      }
      server.getConnections((error, count) => {
        if (error === null) destroyedConnections = count
        server.closeAllConnections?.()
        resolve()
      })
    }, remaining)
  })
  await Promise.race([serverClosed, deadline])
  clearTimeout(timer)
  await serverClosed
  return { ...closed, destroyedConnections }
}
