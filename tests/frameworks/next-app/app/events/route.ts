import { createEventStreamResponse } from '@ssekit/encoder'
import { events, heartbeat, streams } from '../../lib/event-routes.ts'

// A stream is never prerendered or cached.
export const dynamic = 'force-dynamic'

/**
 * Next.js 16, App Router route handler (app/events/route.ts): the handler returns
 * `createEventStreamResponse`, stopped by the request's signal when the client leaves, in the
 * group that the SIGTERM handler of instrumentation.ts closes.
 */
export function GET(request: Request): Response {
  const lastEventId = request.headers.get('last-event-id') ?? undefined
  return createEventStreamResponse(events(lastEventId, request.signal), {
    signal: request.signal,
    group: streams,
    heartbeat,
  })
}
