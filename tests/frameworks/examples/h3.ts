import { createEventStreamResponse } from '@ssekit/encoder'
import { createFetchHandler } from '@ssekit/hub'
import { H3 } from 'h3'
import type { EventRouteOptions } from './event-routes.ts'

/**
 * h3 2: an event handler may return a web `Response`, so it returns
 * `createEventStreamResponse`, stopped by the request's signal; the hub's fetch handler takes
 * `event.req`, which is a web `Request`.
 */
export function createEventApp(options: EventRouteOptions): H3 {
  const { events, hub, streams, heartbeat } = options
  const handleHub = createFetchHandler(hub, { group: streams, heartbeat })
  const app = new H3()
  app.get('/events', (event) => {
    const { signal } = event.req
    const lastEventId = event.req.headers.get('last-event-id') ?? undefined
    return createEventStreamResponse(events(lastEventId, signal), {
      signal,
      group: streams,
      heartbeat,
    })
  })
  app.get('/hub', (event) => handleHub(event.req))
  return app
}
