import { encode } from '@ssekit/encoder'
import { createEventStreamHeaders, isSSEError } from '@ssekit/shared'
import { renderPage } from './page.ts'
import { PAGE_SCRIPT } from './page-script.ts'
import { DOCTOR_DEFAULTS, type DoctorPlan, readPlan } from './plan.ts'
import { DOCTOR_EVENTS, type DoctorHello } from './protocol.ts'

/** Options of `createDoctorHandler` and `createDoctorNodeHandler`. */
export interface DoctorHandlerOptions {
  /**
   * The path the doctor is mounted at: the page is served there, the stream at `<path>/stream`
   * and the reconnect check at `<path>/reconnect`.
   * @defaultValue `'/ssekit-doctor'`
   */
  path?: string | undefined
  /**
   * The plan of a request that sets none in its query: shorter durations for tests, or an idle
   * probe longer than the longest idle timeout in the path.
   * @defaultValue {@link DOCTOR_DEFAULTS}
   */
  plan?: Partial<DoctorPlan> | undefined
  /**
   * Response headers of the stream, set over the event-stream headers that ssekit's encoder
   * sends (`Content-Type`, `Cache-Control: no-cache`, `X-Accel-Buffering: no`, and
   * `Connection: keep-alive` on HTTP/1.x); `null` removes one. Send what your real streams send:
   * `{ 'x-accel-buffering': null }` shows what nginx does to a stream without that header.
   */
  headers?: Record<string, string | null> | undefined
  /**
   * Whether to serve the browser page at `path`.
   * @defaultValue true
   */
  page?: boolean | undefined
}

/** What a request to the doctor gets. */
export type DoctorRoute =
  | { kind: 'none' }
  | { kind: 'text'; status: number; contentType: string; body: string }
  | { kind: 'stream'; headers: Record<string, string>; hello: DoctorHello }
  | { kind: 'once'; headers: Record<string, string>; body: string; onSent: () => void }

/** How long a reconnect check waits for the client to come back, in ms. */
const SESSION_TTL = 120_000
/** The most reconnect checks waiting at once; the oldest is dropped beyond it. */
const MAX_SESSIONS = 1000

/** The request fields the routes read, from a fetch `Request` or a node `IncomingMessage`. */
export interface DoctorRequest {
  method: string
  url: URL
  lastEventId: string | null
  /** The request's HTTP version (`'1.1'`), or null when the server does not say. */
  httpVersion: string | null
}

/** The routing both handlers share, with the reconnect checks waiting for their second request. */
export interface DoctorRoutes {
  route(request: DoctorRequest): DoctorRoute
}

/**
 * Creates the doctor's routing: which answer a request gets, independent of the server API.
 *
 * @param options - the handler's options
 * @returns the routes
 */
export function createDoctorRoutes(options: DoctorHandlerOptions = {}): DoctorRoutes {
  const base = (options.path ?? '/ssekit-doctor').replace(/\/+$/, '')
  const defaults: DoctorPlan = { ...DOCTOR_DEFAULTS, ...options.plan }
  // Reconnect checks by session: when the first connection was closed.
  const sessions = new Map<string, number>()

  function streamHeaders(httpVersion: string | null): Record<string, string> {
    const headers = createEventStreamHeaders({ httpVersion: httpVersion ?? '2.0' })
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (value === null) delete headers[name.toLowerCase()]
      else headers[name.toLowerCase()] = value
    }
    return headers
  }

  function text(status: number, body: string, contentType = 'text/plain; charset=utf-8') {
    return { kind: 'text', status, contentType, body } as const
  }

  function reconnect(request: DoctorRequest, plan: DoctorPlan): DoctorRoute {
    const session = request.url.searchParams.get('session') ?? ''
    if (!/^[\w-]{1,64}$/.test(session)) {
      return text(400, 'The reconnect check needs ?session= (1 to 64 letters, digits, - or _).')
    }
    const now = performance.now()
    for (const [key, closedAt] of sessions) {
      if (now - closedAt <= SESSION_TTL && sessions.size <= MAX_SESSIONS) break
      sessions.delete(key)
    }
    const headers = streamHeaders(request.httpVersion)
    const closedAt = sessions.get(session)
    if (closedAt === undefined) {
      // The first connection: a retry and an id, then the server closes it.
      const body = `${encode({ retry: plan.retry })}${encode({ id: `${session}-1`, event: DOCTOR_EVENTS.bye, data: 'reconnect now' })}`
      return { kind: 'once', headers, body, onSent: () => sessions.set(session, performance.now()) }
    }
    sessions.delete(session)
    const data = { lastEventId: request.lastEventId, afterMs: Math.round(now - closedAt) }
    const body = encode({ event: DOCTOR_EVENTS.resumed, data })
    return { kind: 'once', headers, body, onSent: () => {} }
  }

  return {
    route(request) {
      const { pathname } = request.url
      if (pathname !== base && !pathname.startsWith(`${base}/`)) return { kind: 'none' }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return text(405, 'The doctor answers GET only.')
      }
      const rest = pathname.slice(base.length)
      if ((rest === '' || rest === '/') && options.page !== false) {
        return text(200, renderPage(base), 'text/html; charset=utf-8')
      }
      if (rest === '/page.js' && options.page !== false) {
        return text(200, PAGE_SCRIPT, 'text/javascript; charset=utf-8')
      }
      if (rest !== '/stream' && rest !== '/reconnect') return text(404, 'Not a doctor route.')
      let plan: DoctorPlan
      try {
        plan = readPlan(request.url.searchParams, defaults)
      } catch (error) {
        if (isSSEError(error, 'INVALID_OPTION')) return text(400, error.message)
        throw error
      }
      if (rest === '/reconnect') return reconnect(request, plan)
      const headers = streamHeaders(request.httpVersion)
      const hello: DoctorHello = { protocol: 1, plan, headers, httpVersion: request.httpVersion }
      return { kind: 'stream', headers, hello }
    },
  }
}
