import type { IncomingMessage, ServerResponse } from 'node:http'
import { createDecoder } from '@ssekit/decoder'
import type { ServerSentEvent } from '@ssekit/shared'
import { createCollector } from '@ssekit/test-support/collect-events'

/**
 * Serves a fetch-style handler from node:http: the request becomes a `Request` whose signal
 * aborts when the client leaves, and the `Response` body is piped with backpressure and
 * cancelled on disconnect (as @hono/node-server and Deno do).
 */
export function toNodeListener(
  handler: (request: Request) => Promise<Response>,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (req, res) => {
    const controller = new AbortController()
    res.once('close', () => controller.abort())
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(name, value)
      else if (Array.isArray(value)) for (const item of value) headers.append(name, item)
    }
    const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      signal: controller.signal,
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
        // The body failed or was cancelled: end the response.
      }
      res.end()
    })()
  }
}

/** An open event stream read with ssekit's decoder. */
export interface EventReader {
  readonly response: Response
  /** The next event, or undefined when the stream ended. */
  next(): Promise<ServerSentEvent | undefined>
  /** Aborts the request. */
  close(): void
}

/** Opens a GET event stream and reads it event by event. */
export async function openEvents(
  url: string,
  headers: Record<string, string> = {},
): Promise<EventReader> {
  const controller = new AbortController()
  const response = await fetch(url, { headers, signal: controller.signal })
  const { decoder, collected } = createCollector(createDecoder)
  const queue = collected.events
  const reader = response.body?.getReader()
  let ended = false
  return {
    response,
    async next() {
      while (queue.length === 0 && !ended && reader !== undefined) {
        try {
          const { done, value } = await reader.read()
          if (done) ended = true
          else decoder.feed(value)
        } catch {
          ended = true
        }
      }
      return queue.shift()
    },
    close() {
      controller.abort()
    },
  }
}

/** Waits, up to 5 s, until `condition()` holds. */
export async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    if (condition()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`Timed out waiting for ${what}`)
}
