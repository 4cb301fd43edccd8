import { createFetchHandler } from '@ssekit/hub'
import { heartbeat, hub, streams } from '../../lib/event-routes.ts'

export const dynamic = 'force-dynamic'

const handleHub = createFetchHandler(hub, { group: streams, heartbeat })

/** The hub's fetch handler as a route handler (app/hub/route.ts). */
export function GET(request: Request): Promise<Response> {
  return handleHub(request)
}
