/**
 * The server the browser suite talks to: one `node:http` server on 127.0.0.1 (HTTP/1.1) with an
 * in-memory hub keeping history, a publisher of numbered events at a steady rate, the page and
 * its bundle (built with esbuild from the client's sources), and a record of every `/events`
 * request with the number of streams open at any time.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { fileURLToPath } from 'node:url'
import { createHub } from '@ssekit/hub'
import { createNodeHandler } from '@ssekit/hub/node'
import { type LoopbackServer, startLoopbackServer } from '@ssekit/test-support/loopback-server'
import { build } from 'esbuild'

/** One `/events` request as the server saw it. */
export interface StreamRequest {
  /** When it arrived, in ms since the epoch (this process's clock, as the test's). */
  at: number
  /** Its `Last-Event-ID` header, or null. */
  lastEventId: string | null
  /** The `Host` it was sent to. */
  host: string
}

/** The running server. */
export interface TabServer {
  readonly port: number
  /** Every `/events` request so far. */
  readonly requests: StreamRequest[]
  /** The streams open now. */
  readonly open: number
  /** The most streams ever open at once since the last {@link TabServer.resetPeak}. */
  readonly peak: number
  /**
   * For each time a stream opened while another was still open: how long, in ms, until only one
   * was left (the old one's socket closing as the new leader connects).
   */
  readonly overlaps: number[]
  /** How many events were published so far (the last one's data is this number). */
  readonly published: number
  resetPeak(): void
  /** Resolves with the next `/events` request. */
  nextRequest(): Promise<StreamRequest>
  /** Resolves once no stream is open. */
  drained(): Promise<void>
  close(): Promise<void>
}

const HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>ssekit tabs</title></head>
<body><script type="module" src="/page.js"></script></body></html>`

/**
 * Builds the page and starts the server and the publisher.
 *
 * @param ratePerSecond - events published per second
 * @returns the server
 */
export async function startTabServer(ratePerSecond: number): Promise<TabServer> {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('../page/main.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // The client's TypeScript sources, as the other suites read them.
    conditions: ['@ssekit/source'],
    write: false,
    logLevel: 'silent',
  })
  const script = (bundle.outputFiles[0] as { text: string }).text
  // Enough history for any hand-off of the suite: 20 s of events.
  const hub = createHub({ history: { maxEventsPerTopic: 50 * ratePerSecond } })
  const handle = createNodeHandler(hub, { topics: () => ['ticks'] })
  const requests: StreamRequest[] = []
  let open = 0
  let peak = 0
  let published = 0
  const overlaps: number[] = []
  /** When a stream opened while another was open, until one is left. */
  let overlapSince: number | undefined
  const waiting: ((request: StreamRequest) => void)[] = []
  const drainWaiters: (() => void)[] = []

  const server: LoopbackServer = await startLoopbackServer(
    (req: IncomingMessage, res: ServerResponse) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname
      if (path === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(HTML)
      } else if (path === '/page.js') {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script)
      } else if (path === '/events') {
        const header = req.headers['last-event-id']
        const request = {
          at: Date.now(),
          lastEventId: typeof header === 'string' ? header : null,
          host: req.headers.host ?? '',
        }
        requests.push(request)
        open++
        peak = Math.max(peak, open)
        if (open > 1) overlapSince ??= Date.now()
        res.once('close', () => {
          open--
          if (open <= 1 && overlapSince !== undefined) {
            overlaps.push(Date.now() - overlapSince)
            overlapSince = undefined
          }
          if (open === 0) for (const resolve of drainWaiters.splice(0)) resolve()
        })
        for (const resolve of waiting.splice(0)) resolve(request)
        void handle(req, res)
      } else {
        res.writeHead(404).end()
      }
    },
  )

  // Numbered events, published in order at a steady rate.
  let chain: Promise<unknown> = Promise.resolve()
  const timer = setInterval(() => {
    const n = ++published
    chain = chain.then(() => hub.publish('ticks', { data: n }))
  }, 1000 / ratePerSecond)

  return {
    port: Number(new URL(server.origin).port),
    requests,
    get open() {
      return open
    },
    get peak() {
      return peak
    },
    overlaps,
    get published() {
      return published
    },
    resetPeak() {
      peak = open
      overlaps.length = 0
    },
    nextRequest() {
      return new Promise((resolve) => waiting.push(resolve))
    },
    drained() {
      return open === 0 ? Promise.resolve() : new Promise((resolve) => drainWaiters.push(resolve))
    },
    async close() {
      clearInterval(timer)
      await chain
      await hub.close()
      await server.close()
    },
  }
}
