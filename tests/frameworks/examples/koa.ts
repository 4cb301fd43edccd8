import { openEventStream } from '@ssekit/encoder/node'
import { createNodeHandler } from '@ssekit/hub/node'
import type { Middleware } from 'koa'
import type { EventRouteOptions } from './event-routes.ts'

/**
 * Koa 3: `ctx.respond = false`, as Koa documents for writing to the raw `ctx.res`, then
 * `openEventStream(ctx.res)`. (`ctx.body = createEventStreamResponse(…)` streams too, but Koa's
 * pipe reports every client disconnect as an `ERR_STREAM_PREMATURE_CLOSE` error, logged by its
 * default error handler.) Headers set with `ctx.set()` before are kept.
 */
export function eventRoutes(options: EventRouteOptions): Middleware {
  const { events, hub, streams, heartbeat } = options
  const handleHub = createNodeHandler(hub, { group: streams, heartbeat })
  return async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/events') {
      ctx.respond = false
      const stream = openEventStream(ctx.res, { group: streams, heartbeat })
      try {
        for await (const event of events(ctx.get('last-event-id') || undefined, stream.signal)) {
          await stream.send(event)
        }
      } catch {
        // The client left, or the server is shutting down.
      } finally {
        stream.close()
      }
      return
    }
    if (ctx.method === 'GET' && ctx.path === '/hub') {
      ctx.respond = false
      await handleHub(ctx.req, ctx.res)
      return
    }
    await next()
  }
}
