/**
 * Serves a fetch-style handler (`Request` → `Response`) from `node:http`, as @hono/node-server and
 * Deno do: the request's signal aborts when the client leaves, and the body is written with
 * backpressure and cancelled on disconnect.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * Wraps a fetch-style handler as a `node:http` request listener.
 *
 * @param handler - the fetch-style handler
 * @returns the listener, for `createServer` or `startLoopbackServer`
 * @example
 * ```ts
 * const server = await startLoopbackServer(toNodeListener(() => new Response('ok')))
 * ```
 */
export function toNodeListener(
  handler: (request: Request) => Response | Promise<Response>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const abort = new AbortController()
    res.once('close', () => abort.abort())
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (item !== undefined) headers.append(name, item)
      }
    }
    const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      signal: abort.signal,
    })
    void (async () => {
      const response = await handler(request)
      const outgoing: Record<string, string> = {}
      response.headers.forEach((value, name) => {
        outgoing[name] = value
      })
      res.writeHead(response.status, outgoing)
      res.flushHeaders()
      if (response.body === null) {
        res.end()
        return
      }
      const reader = response.body.getReader()
      res.once('close', () => {
        reader.cancel().catch(() => {})
      })
      try {
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          if (!res.write(value)) await new Promise((resolve) => res.once('drain', resolve))
        }
      } catch {
        // The body failed or was cancelled: the response ends here.
      }
      res.end()
    })()
  }
}
