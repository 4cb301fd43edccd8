import type { IncomingMessage, ServerResponse } from 'node:http'
import { createDoctorRoutes, type DoctorHandlerOptions } from '../doctor-routes.ts'
import { streamProbe } from '../probe-stream.ts'

/** A `node:http` response, with the `flush()` that compression middleware adds. */
type FlushableResponse = ServerResponse & { flush?: () => void }

/**
 * Writes a chunk and flushes it through compression middleware; settles when the socket can take
 * more (or the response closed).
 */
function write(res: FlushableResponse, chunk: string): Promise<void> {
  const ok = res.write(chunk)
  // compression and similar middleware hold bytes until flushed, as openEventStream does.
  if (typeof res.flush === 'function') res.flush()
  if (ok || res.destroyed) return Promise.resolve()
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}

/**
 * Creates the doctor's self-test handler for `node:http`, Express and Connect: the same routes
 * as `createDoctorHandler` (the page at `options.path`, `<path>/stream`, `<path>/reconnect`),
 * written the way `openEventStream` writes (headers flushed at once, no Nagle delay, `flush()`
 * after every write for compression middleware). A request outside the path goes to `next` when
 * there is one (Express middleware), else gets a 404.
 *
 * @param options - the mount path, the default plan, the stream's headers, the page
 * @returns the handler; its promise resolves when the response has ended
 * @example
 * ```ts
 * const doctor = createDoctorNodeHandler()
 * createServer((req, res) => void doctor(req, res)).listen(3000)
 * ```
 */
export function createDoctorNodeHandler(
  options: DoctorHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse, next?: () => void) => Promise<void> {
  const routes = createDoctorRoutes(options)
  return async (req, res: FlushableResponse, next) => {
    // Express strips a mount path from req.url; originalUrl keeps the whole path.
    const path = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/'
    const header = req.headers['last-event-id']
    const route = routes.route({
      method: req.method ?? 'GET',
      url: new URL(path, 'http://localhost'),
      lastEventId: (Array.isArray(header) ? header[0] : header) ?? null,
      httpVersion: req.httpVersion,
    })
    if (route.kind === 'none') {
      if (next) next()
      else res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found.')
      return
    }
    if (route.kind === 'text') {
      res
        .writeHead(route.status, { 'content-type': route.contentType, 'cache-control': 'no-store' })
        .end(route.body)
      return
    }
    req.socket.setNoDelay(true)
    res.writeHead(200, route.headers)
    if (route.kind === 'once') {
      await write(res, route.body)
      res.end()
      route.onSent()
      return
    }
    res.flushHeaders()
    const stop = new AbortController()
    res.on('close', () => stop.abort())
    try {
      for await (const chunk of streamProbe(route.hello, performance.now(), stop.signal)) {
        await write(res, chunk)
      }
      res.end()
    } catch {
      // The client went away during a wait: nothing is left to write.
    }
  }
}
