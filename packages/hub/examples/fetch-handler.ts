import { createFetchHandler, createHub } from '@ssekit/hub'

export const hub = createHub({ history: { maxEventsPerTopic: 500 } })

// A fetch-style handler: `export default { fetch }` for Bun and Deno, `app.get('/events',
// (c) => events(c.req.raw))` in Hono, and so on.
export const events: (request: Request) => Promise<Response> = createFetchHandler(hub, {
  heartbeat: 20_000,
  retry: 2000,
  headers: { 'access-control-allow-origin': '*' },
})

export default { fetch: events }
