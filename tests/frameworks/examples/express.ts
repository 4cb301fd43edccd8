import { openEventStream } from '@ssekit/encoder/node'
import { createNodeHandler } from '@ssekit/hub/node'
import type { Express } from 'express'
import type { EventRouteOptions } from './event-routes.ts'

/**
 * Express 5: `openEventStream` on Express's own `res`. Works behind `app.use(compression())`: the
 * stream's `Cache-Control: no-transform` makes `compression` pass it through, and were it forced
 * to compress, each event is flushed with `res.flush()`.
 */
export function addEventRoutes(app: Express, options: EventRouteOptions): void {
  const { events, hub, streams, heartbeat } = options
  app.get('/events', async (req, res) => {
    const stream = openEventStream(res, { group: streams, heartbeat })
    try {
      for await (const event of events(req.get('last-event-id'), stream.signal)) {
        await stream.send(event)
      }
    } catch {
      // The client left: send() rejected with STREAM_CLOSED, or the source saw the signal abort.
    } finally {
      stream.close()
    }
  })
  // The hub's node handler mounts as it is.
  app.get('/hub', createNodeHandler(hub, { group: streams, heartbeat }))
}
