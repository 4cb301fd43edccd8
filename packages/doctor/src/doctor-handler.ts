import { createDoctorRoutes, type DoctorHandlerOptions } from './doctor-routes.ts'
import { streamProbe } from './probe-stream.ts'

/**
 * Creates the doctor's self-test handler for fetch-style servers (`Request` → `Response`: Hono,
 * Bun, Deno, Cloudflare Workers, Next.js route handlers). Mounted at `options.path`, it serves the
 * browser page there, the self-test stream at `<path>/stream` (a primer, stamped events at a set
 * cadence, events padded up to 16 KB, silences and an idle probe, `retry:` and ids) and the
 * reconnect check at `<path>/reconnect`. Other paths get a 404, so route only the doctor's path
 * to it.
 *
 * @param options - the mount path, the default plan, the stream's headers, the page
 * @returns the handler
 * @example
 * ```ts
 * const doctor = createDoctorHandler()
 * Bun.serve({ fetch: (request) => doctor(request) })
 * ```
 */
export function createDoctorHandler(
  options: DoctorHandlerOptions = {},
): (request: Request) => Promise<Response> {
  const routes = createDoctorRoutes(options)
  return async (request) => {
    const route = routes.route({
      method: request.method,
      url: new URL(request.url),
      lastEventId: request.headers.get('last-event-id'),
      httpVersion: null,
    })
    switch (route.kind) {
      case 'none':
        return new Response('Not a doctor route.', { status: 404 })
      case 'text':
        return new Response(route.body, {
          status: route.status,
          headers: { 'content-type': route.contentType, 'cache-control': 'no-store' },
        })
      case 'once': {
        const bytes = new TextEncoder().encode(route.body)
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            controller.enqueue(bytes)
            controller.close()
            route.onSent()
          },
        })
        return new Response(body, { headers: route.headers })
      }
      case 'stream': {
        const encoder = new TextEncoder()
        const stop = new AbortController()
        const chunks = streamProbe(route.hello, performance.now(), stop.signal)
        request.signal.addEventListener('abort', () => stop.abort(request.signal.reason), {
          once: true,
        })
        const body = new ReadableStream<Uint8Array>(
          {
            async pull(controller) {
              try {
                const next = await chunks.next()
                if (next.done) controller.close()
                else controller.enqueue(encoder.encode(next.value))
              } catch (error) {
                // The client left (the stream was cancelled, or the request aborted).
                if (!stop.signal.aborted) controller.error(error)
              }
            },
            cancel(reason) {
              stop.abort(reason)
            },
          },
          { highWaterMark: 0 },
        )
        return new Response(body, { headers: route.headers })
      }
    }
  }
}
