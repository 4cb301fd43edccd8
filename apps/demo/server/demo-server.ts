import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { createServer as createViteServer, defaultClientConditions, type ViteDevServer } from 'vite'
import { HttpError, sendJson } from './http-json.ts'
import { LiveConnections } from './live-connections.ts'
import { type LiveFeed, type LiveFeedOptions, startLiveFeed } from './live-feed.ts'
import { createLiveHub, type LiveHub } from './live-hub.ts'
import { handleRoundTrip } from './roundtrip-route.ts'

/** Options of {@link startDemoServer}. */
export interface DemoServerOptions extends LiveFeedOptions {
  /**
   * The port to listen on; 0 picks a free one.
   * @defaultValue 5173
   */
  port?: number | undefined
  /**
   * How many following ports to try when the port is taken (not with port 0).
   * @defaultValue 0
   */
  portAttempts?: number | undefined
  /**
   * The interface to listen on. Loopback only by default: the demo is for this machine.
   * @defaultValue `'127.0.0.1'`
   */
  host?: string | undefined
}

/** A running demo: see {@link startDemoServer}. */
export interface DemoServer {
  /** The page's address, such as `http://127.0.0.1:5173/`. */
  readonly url: string
  readonly port: number
  /** Stops the feed, the hub, every stream, Vite and the HTTP server. */
  close(): Promise<void>
}

// The page sits beside `server/`. `dev` runs the compiled server from `dist/server/`, one folder
// deeper than the sources that the in-process test imports.
const PAGE_ROOT = fileURLToPath(
  new URL(import.meta.url.includes('/dist/server/') ? '../../page/' : '../page/', import.meta.url),
)

/**
 * The bytes written before the drop button destroys a socket: the start of an event that never
 * ends. Its `id` line must not count: the spec commits an id only when its block is dispatched,
 * so the client still resumes from the last complete event.
 */
export const UNFINISHED_EVENT = 'id: never-dispatched\nevent: token\ndata: {"seq":'

/**
 * Starts the whole demo in one `node:http` server: the SSE and JSON endpoints under `/api/`,
 * and the page, served and bundled on the fly by Vite in middleware mode (its HMR websocket
 * shares the same port).
 *
 * - `GET /api/live`: the hub's live topic, with replay after `Last-Event-ID`.
 * - `GET /api/connections?client=`: which `Last-Event-ID` each of a page's requests carried.
 * - `GET /api/open-connections?client=`: how many live streams the client has open now.
 * - `POST /api/drop?client=`: cuts that page's live stream mid-event.
 * - `POST /api/roundtrip`: encodes the posted events and streams them back.
 *
 * @param options - port, host and feed timing
 * @returns the running server
 */
export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const host = options.host ?? '127.0.0.1'
  const server = createServer()
  const connections = new LiveConnections()
  const hub: LiveHub = createLiveHub()
  const feed: LiveFeed = startLiveFeed(hub, options)
  let vite: ViteDevServer | undefined
  try {
    vite = await createViteServer({
      configFile: false,
      root: PAGE_ROOT,
      appType: 'spa',
      logLevel: 'warn',
      clearScreen: false,
      // The page imports the workspace packages by name; this condition resolves them to their
      // TypeScript sources, so an edit in packages/*/src shows up without a rebuild.
      resolve: { conditions: ['@ssekit/source', ...defaultClientConditions] },
      // The page has no third-party dependencies: nothing to pre-bundle, and no reload when the
      // optimizer discovers something.
      optimizeDeps: { noDiscovery: true, include: [] },
      // Transform the page's modules while the server starts, not on the first request.
      server: { middlewareMode: true, hmr: { server }, warmup: { clientFiles: ['./main.ts'] } },
    })
  } catch (error) {
    await Promise.all([feed.stop(), hub.close()])
    throw error
  }
  const pages = vite

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (!url.pathname.startsWith('/api/')) {
      pages.middlewares(req, res)
      return
    }
    route(req, res, url).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy()
      } else if (error instanceof HttpError) {
        sendJson(res, error.status, { message: error.message })
      } else {
        console.error(error)
        sendJson(res, 500, { message: 'The demo server failed; see its console.' })
      }
    })
  })

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const client = url.searchParams.get('client') ?? 'anonymous'
    const endpoint = `${req.method} ${url.pathname}`
    switch (endpoint) {
      case 'GET /api/live':
        connections.track(client, req, res, feed.headSeq)
        await hub.handle(req, res)
        return
      case 'GET /api/connections':
        sendJson(res, 200, connections.records(client))
        return
      case 'GET /api/open-connections':
        sendJson(res, 200, { open: connections.openCount(client) })
        return
      case 'POST /api/drop':
        sendJson(res, 200, {
          dropped: connections.drop(client, UNFINISHED_EVENT),
          partial: UNFINISHED_EVENT,
        })
        return
      case 'POST /api/roundtrip':
        await handleRoundTrip(req, res)
        return
      default:
        throw new HttpError(404, `No endpoint ${endpoint}.`)
    }
  }

  let port: number
  try {
    port = await listen(server, options.port ?? 5173, host, options.portAttempts ?? 0)
  } catch (error) {
    await Promise.all([feed.stop(), hub.close(), pages.close()])
    throw error
  }

  let closing: Promise<void> | undefined
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    port,
    close() {
      closing ??= (async () => {
        await feed.stop()
        await hub.close()
        await pages.close()
        const closed = new Promise<void>((resolve) => server.close(() => resolve()))
        // Open event streams never end on their own.
        server.closeAllConnections()
        await closed
      })()
      return closing
    },
  }
}

/** Listens on `port`, or on the next free one of `attempts` following ports. */
async function listen(
  server: Server,
  port: number,
  host: string,
  attempts: number,
): Promise<number> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(port + attempt, host, () => {
          server.off('error', reject)
          resolve()
        })
      })
      return (server.address() as AddressInfo).port
    } catch (error) {
      const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
      if (!inUse || port === 0 || attempt >= attempts) throw error
    }
  }
}
