import { control } from '../../../lib/event-routes.ts'

export const dynamic = 'force-dynamic'

/** The suite's control routes (remote/control.ts), for the test only. */
async function handle(request: Request): Promise<Response> {
  return (await control.handle(request)) ?? new Response('not found', { status: 404 })
}

export { handle as GET, handle as POST }
