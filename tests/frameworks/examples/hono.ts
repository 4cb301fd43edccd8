import { createEventStreamResponse } from '@ssekit/encoder'
import { createFetchHandler } from '@ssekit/hub'
import { Hono } from 'hono'
import type { EventRouteOptions } from './event-routes.ts'

/**
 * Hono 4, on `@hono/node-server`, Bun or Deno: the handler returns `createEventStreamResponse`,
 * stopped by the request's signal when the client leaves; the hub's fetch handler takes the raw
 * request.
 */
export function createEventApp(options: EventRouteOptions): Hono {
  const { events, hub, streams, heartbeat } = options
  const handleHub = createFetchHandler(hub, { group: streams, heartbeat })
  const app = new Hono()
  app.get('/events', (c) => {
    const { signal } = c.req.raw
    return createEventStreamResponse(events(c.req.header('last-event-id'), signal), {
      signal,
      group: streams,
      heartbeat,
    })
  })
  app.get('/hub', (c) => handleHub(c.req.raw))
  return app
}
