import type { CloseStreamsOptions } from '@ssekit/encoder'
import { openEventStream } from '@ssekit/encoder/node'
import { createNodeHandler } from '@ssekit/hub/node'
import type { FastifyInstance } from 'fastify'
import type { EventRouteOptions } from './event-routes.ts'

/**
 * Fastify 5, as a plugin: `app.register(eventRoutes, options)`. Each route calls
 * `reply.hijack()` and streams on `reply.raw`, as Fastify documents for a response it does not
 * send itself: no `onSend` hook then touches the stream. `@fastify/compress` ignores
 * `no-transform`; it leaves `text/event-stream` alone by default, but with `customTypes` that
 * match it, a stream given to `reply.send()` would sit in its gzip buffer until the stream ends.
 * Headers set on the reply before (CORS, say) are passed on.
 */
export async function eventRoutes(
  app: FastifyInstance,
  options: EventRouteOptions & { shutdown?: CloseStreamsOptions | undefined },
): Promise<void> {
  const { events, hub, streams, heartbeat } = options
  const handleHub = createNodeHandler(hub, { group: streams, heartbeat })

  app.get('/events', async (request, reply) => {
    reply.hijack()
    const stream = openEventStream(reply.raw, {
      group: streams,
      heartbeat,
      headers: reply.getHeaders(),
    })
    const lastEventId = request.headers['last-event-id']
    try {
      for await (const event of events(lastEventId as string | undefined, stream.signal)) {
        await stream.send(event)
      }
    } catch {
      // The client left, or the server is shutting down.
    } finally {
      stream.close()
    }
  })

  app.get('/hub', async (request, reply) => {
    reply.hijack()
    await handleHub(request.raw, reply.raw)
  })

  // app.close() ends the streams first (retry hint, last event), or it would wait for them
  // forever. Create the app with `forceCloseConnections: true` so that close() then destroys the
  // connections left (the ended streams' keep-alive sockets) instead of waiting for them.
  app.addHook('preClose', async () => {
    await streams.close(options.shutdown)
  })
}
