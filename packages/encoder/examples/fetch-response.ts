import { createEventStreamResponse, type EncodableEvent } from '@ssekit/encoder'

/** One tick a second, resuming after the id the client saw last. */
async function* ticks(lastEventId: string, signal: AbortSignal): AsyncGenerator<EncodableEvent> {
  for (let n = Number(lastEventId) + 1 || 1; !signal.aborted; n++) {
    yield { id: String(n), event: 'tick', data: { n } }
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
}

// The shape Bun, Deno and Cloudflare Workers serve; in Hono: app.get('/ticks', (c) => handler.fetch(c.req.raw)).
const handler = {
  fetch(request: Request): Response {
    const lastEventId = request.headers.get('last-event-id') ?? ''
    return createEventStreamResponse(ticks(lastEventId, request.signal), {
      retry: 3000, // sent first: reconnect after 3 s
      heartbeat: 15_000, // the default: a comment every 15 s keeps proxies from closing the stream
      signal: request.signal, // ends the stream when the request is aborted
    })
  },
}

export default handler
