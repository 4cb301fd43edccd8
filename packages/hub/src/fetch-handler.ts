import { createEventStreamResponse } from '@ssekit/encoder'
import { encodeHubEvent } from './event-bytes.ts'
import type { Hub, HubEvent } from './hub.ts'
import { type HandlerOptions, resolveSubscriptionRequest } from './subscription-request.ts'

/** Options of {@link createFetchHandler}. */
export interface FetchHandlerOptions extends HandlerOptions<Request> {
  /** Extra response headers (CORS, for instance). */
  headers?: HeadersInit | undefined
}

/**
 * Creates a fetch-style handler (`Request` → `Response`) that streams a hub's events: for Hono,
 * Deno, Bun, Cloudflare-style runtimes and anything else built on web standards. It reads the
 * topics (`?topic=`), the `Last-Event-ID` header (or the opt-in query parameter), runs
 * `authorize`, and answers 400, 401 or 403, or a 200 event stream with heartbeats that stops the
 * subscription when the client goes away.
 *
 * @param hub - the hub to subscribe to
 * @param options - topics, authorization, resume parameter, heartbeat, retry, headers
 * @returns the handler
 *
 * @example
 * ```ts
 * const handle = createFetchHandler(hub, { authorize: (request) => request.headers.has('authorization') || 401 })
 * app.get('/events', (c) => handle(c.req.raw)) // Hono
 * ```
 */
export function createFetchHandler(
  hub: Hub,
  options: FetchHandlerOptions = {},
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (hub.closed) {
      return new Response('The event hub is closed.', {
        status: 503,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      })
    }
    const url = new URL(request.url)
    const resolved = await resolveSubscriptionRequest(
      request,
      url,
      request.headers.get('last-event-id'),
      options,
    )
    if (!resolved.ok) {
      return new Response(resolved.message, {
        status: resolved.status,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      })
    }
    const events = hub.subscribe(resolved.topics, {
      lastEventId: resolved.lastEventId,
      signal: request.signal,
    })
    return createEventStreamResponse(asWireBytes(events), {
      heartbeat: options.heartbeat,
      retry: options.retry,
      headers: options.headers,
      signal: request.signal,
    })
  }
}

/**
 * A subscription's events as their wire bytes, encoded once per event for all its subscribers
 * (see encodeHubEvent). A hand-written iterator rather than an async generator: `return()` must
 * end the subscription at once when the client leaves, even while it waits for the next live
 * event, which an async generator would only see after that event.
 */
function asWireBytes(events: AsyncIterable<HubEvent>): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
      const iterator = events[Symbol.asyncIterator]()
      return {
        next: () =>
          iterator
            .next()
            .then(
              (result): IteratorResult<Uint8Array> =>
                result.done ? result : { done: false, value: encodeHubEvent(result.value) },
            ),
        return: async () => {
          await iterator.return?.()
          return { done: true, value: undefined }
        },
      }
    },
  }
}
