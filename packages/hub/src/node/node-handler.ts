import type { IncomingMessage, ServerResponse } from 'node:http'
import type { EventStreamGroup } from '@ssekit/encoder'
import { openEventStream } from '@ssekit/encoder/node'
import type { EventContract } from '@ssekit/shared'
import { isSSEError } from '@ssekit/shared'
import { encodeHubEvent } from '../event-bytes.ts'
import { type Hub, openSubscription, type SinkSubscription } from '../hub.ts'
import { liveDeliveryFlows } from '../live-delivery-flows.ts'
import { type HandlerOptions, resolveSubscriptionRequest } from '../subscription-request.ts'

/** Options of {@link createNodeHandler}. */
export interface NodeHandlerOptions extends HandlerOptions<IncomingMessage> {
  /** Extra response headers (CORS, for instance). */
  headers?: Record<string, string> | undefined
  /**
   * Called when a stream ends with an error other than the client leaving: a slow consumer
   * (`SLOW_CONSUMER`), a failing transport (`TRANSPORT_ERROR`, `TRANSPORT_TIMEOUT`), an
   * `authorize` or `topics` callback that threw.
   */
  onError?: ((error: unknown) => void) | undefined
  /**
   * A group (from `createEventStreamGroup`) that can end every stream of this handler with others,
   * for a graceful shutdown (`group.close()` or `shutdownServer`): the subscription stops, the
   * client gets the `retry:` hint and the last event, and comes back with `Last-Event-ID`.
   */
  group?: EventStreamGroup | undefined
}

/**
 * Creates a `node:http` handler (Express and Connect too) that streams a hub's events. It reads
 * the topics (`?topic=`), the `Last-Event-ID` header (or the opt-in query parameter), runs
 * `authorize`, and answers 400, 401 or 403, or a 200 event stream written with backpressure and
 * heartbeats, that stops the subscription when the client goes away. A subscriber that falls
 * too far behind is disconnected; its client reconnects and replays.
 *
 * @param hub - the hub to subscribe to
 * @param options - topics, authorization, resume parameter, heartbeat, retry, headers, onError
 * @returns the handler; its promise resolves when the stream has ended
 *
 * @example
 * ```ts
 * const handle = createNodeHandler(hub)
 * createServer((req, res) => void handle(req, res)).listen(3000)
 * ```
 */
export function createNodeHandler<Contract extends EventContract | undefined = undefined>(
  hub: Hub<Contract>,
  options: NodeHandlerOptions = {},
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const { onError } = options
  return async (request, response) => {
    if (hub.closed) {
      response
        .writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
        .end('The event hub is closed.')
      return
    }
    let resolved: Awaited<ReturnType<typeof resolveSubscriptionRequest>>
    try {
      const url = new URL(request.url ?? '/', 'http://localhost')
      const header = request.headers['last-event-id']
      resolved = await resolveSubscriptionRequest(
        request,
        url,
        Array.isArray(header) ? header[0] : header,
        options,
      )
    } catch (error) {
      onError?.(error)
      if (!response.headersSent) response.writeHead(500).end()
      return
    }
    if (!resolved.ok) {
      response
        .writeHead(resolved.status, { 'content-type': 'text/plain; charset=utf-8' })
        .end(resolved.message)
      return
    }
    const clientGone = (): AbortSignal => {
      const abort = new AbortController()
      request.once('close', () => abort.abort())
      return abort.signal
    }
    if (!(await liveDeliveryFlows(hub, clientGone))) {
      if (!response.headersSent && !response.destroyed) {
        response
          .writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
          .end('The event hub is closed.')
      }
      return
    }
    const stream = openEventStream(response, {
      heartbeat: options.heartbeat,
      retry: options.retry,
      headers: options.headers,
      group: options.group,
    })
    const { topics, lastEventId } = resolved
    await new Promise<void>((resolve) => {
      // Written to as events come, without a promise per event (see SubscriptionSink); the bytes
      // of each event are encoded once for all its subscribers (see encodeHubEvent).
      let subscription: SinkSubscription | undefined
      const resume = (): void => subscription?.resume()
      const close = (error: unknown): void => {
        if (error !== undefined && !isSSEError(error, 'STREAM_CLOSED')) onError?.(error)
        stream.close()
        resolve()
      }
      try {
        subscription = openSubscription(
          hub,
          topics,
          { lastEventId, signal: stream.signal },
          {
            write(event) {
              if (stream.writeNow(encodeHubEvent(event))) return true
              // Full: the subscription queues (up to maxQueueLength) until the socket drains. A
              // closed stream has aborted the signal, which ended the subscription already.
              if (!stream.isClosed) stream.drained().then(resume)
              return false
            },
            close,
          },
        )
      } catch (error) {
        // A hub of another kind whose subscribe() threw.
        close(error)
      }
    })
  }
}
