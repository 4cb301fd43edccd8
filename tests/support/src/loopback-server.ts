/**
 * Real `node:http` servers on 127.0.0.1 with a free port (ky's `createHttpTestServer(t)`), for the
 * tests that exercise a component over an actual socket rather than a mock.
 *
 * @module
 */
import { once } from 'node:events'
import { createServer, type RequestListener, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { onTestFinished } from 'vitest'

/** A listening loopback server. */
export interface LoopbackServer {
  readonly server: Server
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly origin: string
  /**
   * The absolute URL of a path on this server.
   *
   * @param path - a path with its query, starting with `/`
   * @defaultValue `path` is `'/'`
   */
  url(path?: string): string
  /**
   * Drops every open connection and stops listening; calling it again returns the same promise.
   */
  close(): Promise<void>
}

/**
 * Starts listening on 127.0.0.1 with a port the system picks. The caller closes it, for servers
 * that outlive one test (`beforeAll`/`afterAll`) or must close in a set order.
 *
 * @param handler - the request listener, or a server not listening yet (one an example builds)
 * @returns the listening server
 * @example
 * ```ts
 * const loopback = await startLoopbackServer((req, res) => res.end('ok'))
 * await fetch(loopback.url('/'))
 * await loopback.close()
 * ```
 */
export async function startLoopbackServer(
  handler: RequestListener | Server,
): Promise<LoopbackServer> {
  const server = handler instanceof Server ? handler : createServer(handler)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  let closing: Promise<void> | undefined
  return {
    server,
    origin,
    url: (path = '/') => `${origin}${path}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
      return closing
    },
  }
}

/**
 * Starts a loopback server that is closed when the current test finishes (`onTestFinished`), so
 * it must be called inside a test.
 *
 * @param handler - the request listener, or a server not listening yet
 * @returns the listening server
 */
export async function listenForTest(handler: RequestListener | Server): Promise<LoopbackServer> {
  const loopback = await startLoopbackServer(handler)
  onTestFinished(() => loopback.close())
  return loopback
}
