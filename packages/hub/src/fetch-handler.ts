import { type EventStreamGroup, encodeBytes } from '@ssekit/encoder'
import { HEARTBEAT_BYTES, PRIMER_BYTES, resolveHeartbeat } from '@ssekit/encoder/internal'
import type { EventContract } from '@ssekit/shared'
import { createEventStreamHeaders } from '@ssekit/shared'
import { encodeHubEvent } from './event-bytes.ts'
import { type Hub, openSubscription, type SinkSubscription } from './hub.ts'
import { liveDeliveryFlows } from './live-delivery-flows.ts'
import { type HandlerOptions, resolveSubscriptionRequest } from './subscription-request.ts'

/** Options of {@link createFetchHandler}. */
export interface FetchHandlerOptions extends HandlerOptions<Request> {
  /** Extra response headers (CORS, for instance). */
  headers?: HeadersInit | undefined
  /**
   * A group (from `createEventStreamGroup`) that can end every stream of this handler with others,
   * for a graceful shutdown (`group.close()`): the subscription stops, the client gets the
   * `retry:` hint and the last event, and comes back with `Last-Event-ID`.
   */
  group?: EventStreamGroup | undefined
}

/**
 * How many events a response body holds for a client that reads slower than they come; beyond
 * it, the subscription queues them (up to `maxQueueLength`, then `SLOW_CONSUMER`). The shared
 * bytes of each event are held, not copies.
 */
const BODY_HIGH_WATER_MARK = 16

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
export function createFetchHandler<Contract extends EventContract | undefined = undefined>(
  hub: Hub<Contract>,
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
    const { topics, lastEventId } = resolved
    const { signal } = request
    if (!(await liveDeliveryFlows(hub, () => signal))) {
      return new Response('The event hub is closed.', {
        status: 503,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      })
    }
    // Encoding the retry block validates it too (INVALID_RETRY).
    const retryBytes =
      options.retry === undefined ? undefined : encodeBytes({ retry: options.retry })
    const interval = resolveHeartbeat(options.heartbeat)
    // As createEventStreamResponse's: a fetch-style server manages its own connections, and
    // HTTP/2 and HTTP/3 forbid `Connection: keep-alive`.
    const headers = new Headers(createEventStreamHeaders({ httpVersion: '2.0' }))
    if (options.headers !== undefined) {
      new Headers(options.headers).forEach((value, name) => {
        headers.set(name, value)
      })
    }
    let subscription: SinkSubscription | undefined
    let timer: ReturnType<typeof setInterval> | undefined
    // Set once the body is closed, errored or cancelled: nothing is enqueued after that.
    let finished = false
    let resolveFinished: () => void = () => {}
    const finish = (): void => {
      if (finished) return
      finished = true
      if (timer !== undefined) clearInterval(timer)
      resolveFinished()
    }
    // The body is written to as events come (see SubscriptionSink), rather than built by
    // createEventStreamResponse from an async iterable, which pulls each event through a promise
    // chain: per delivery, an enqueue is all this handler adds to what the runtime's read costs.
    const body = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          // First bytes at once: some servers (Koa 3, h3 2 on Node) send the headers only with
          // the body's first byte, and a subscriber may wait long for its first event.
          controller.enqueue(retryBytes ?? PRIMER_BYTES)
          options.group?.add({
            end(goodbye) {
              if (finished) return
              finish()
              subscription?.end()
              if (goodbye !== undefined) controller.enqueue(goodbye)
              controller.close()
            },
            destroy() {
              if (finished) return
              finish()
              subscription?.end()
              controller.error(
                new DOMException(
                  'The event stream was destroyed at the shutdown deadline.',
                  'AbortError',
                ),
              )
            },
            closed: new Promise<void>((resolve) => {
              resolveFinished = resolve
            }),
          })
          // Made while the group was closing: add() ended it already.
          if (finished) return
          subscription = openSubscription(
            hub,
            topics,
            { lastEventId, signal },
            {
              write(event) {
                // The bytes of each event are encoded once for all its subscribers.
                controller.enqueue(encodeHubEvent(event))
                return (controller.desiredSize ?? 0) > 0
              },
              close(error) {
                if (finished) return
                finish()
                if (error === undefined) controller.close()
                else controller.error(error)
              },
            },
          )
          if (interval !== false && !finished) {
            timer = setInterval(() => {
              // Only when nothing waits to be read: a heartbeat is useful on an idle stream.
              if (controller.desiredSize === BODY_HIGH_WATER_MARK)
                controller.enqueue(HEARTBEAT_BYTES)
            }, interval)
          }
        },
        // The client read: room again for a subscription whose sink was full.
        pull() {
          subscription?.resume()
        },
        cancel() {
          finish()
          subscription?.end()
        },
      },
      new CountQueuingStrategy({ highWaterMark: BODY_HIGH_WATER_MARK }),
    )
    return new Response(body, { status: 200, headers })
  }
}
