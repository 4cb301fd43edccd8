import { createDecoder } from '@ssekit/decoder'
import { type DoctorErrorCode, SSEError } from '@ssekit/shared'
import { DOCTOR_DEFAULTS, type DoctorPlan, schedulePlan, writePlan } from './plan.ts'
import { DOCTOR_EVENTS, type DoctorHello } from './protocol.ts'
import type { ArrivedChunk, ArrivedEvent, ProbeTrace, ReconnectTrace, TraceEnd } from './trace.ts'

/** Where a probe is, for a progress display. */
export interface ProbeProgress {
  /** `connecting`, `streaming` (events arrive), `waiting` (a silence or the idle probe), `reconnect`. */
  phase: 'connecting' | 'streaming' | 'waiting' | 'reconnect'
  /** Milliseconds since the request. */
  elapsed: number
  /** How long the stream should last, in ms after the request, when known. */
  expected: number | null
  /** Events received so far. */
  events: number
}

/** Options of {@link runProbe}. */
export interface ProbeOptions {
  /**
   * `doctor`: `url` is where `createDoctorHandler` is mounted, and the probe compares what arrives
   * with what the handler sent; `stream`: `url` is any event stream, listened to for `duration`.
   * @defaultValue `'doctor'`
   */
  mode?: 'doctor' | 'stream' | undefined
  /** The plan fields to ask the handler for (sent as query parameters); the handler's defaults fill in the rest. */
  plan?: Partial<DoctorPlan> | undefined
  /**
   * In `stream` mode, how long to listen, in ms.
   * @defaultValue `30_000`
   */
  duration?: number | undefined
  /** Extra request headers (authorization, for instance). */
  headers?: Record<string, string> | undefined
  /**
   * In `doctor` mode, whether to check a reconnect (`retry:` and `Last-Event-ID`) afterwards.
   * @defaultValue true
   */
  reconnect?: boolean | undefined
  /** The HTTP version to record when the runtime does not report it (`nextHopProtocol`). */
  httpVersion?: string | null | undefined
  /** Stops the probe; what arrived so far is still analysed. */
  signal?: AbortSignal | undefined
  /** Called on every event and every half second with where the probe is. */
  onProgress?: ((progress: ProbeProgress) => void) | undefined
}

/** How long past its expected end a stream may run before the probe stops listening, in ms. */
const MARGIN = 15_000
/** How long to read on after `doctor-done` for the response's end, in ms. */
const AFTER_DONE = 2000
/** How long each request of the reconnect check may take, in ms. */
const RECONNECT_TIMEOUT = 15_000

function probeFailed(message: string, cause?: unknown): SSEError<DoctorErrorCode> {
  return new SSEError<DoctorErrorCode>('PROBE_FAILED', message, { cause })
}

/** The doctor's base URL (its mount path), whether given with `/stream` or without. */
function doctorBase(url: string): string {
  return url.replace(/\/(stream|reconnect|page\.js)?\/?(\?.*)?$/, '')
}

/** The `nextHopProtocol` of the resource timing entry of `url`, where the runtime keeps one. */
function nextHopProtocol(url: string): string | null {
  const entries = globalThis.performance?.getEntriesByName?.(url, 'resource') ?? []
  for (const entry of entries) {
    const protocol = (entry as PerformanceResourceTiming).nextHopProtocol
    if (typeof protocol === 'string' && protocol !== '') return protocol
  }
  return null
}

/** Reads a whole short event stream, for the reconnect check. */
async function readShortStream(
  url: string,
  headers: Record<string, string>,
  lastEventId: string | null,
): Promise<{
  retry: number | null
  lastEventId: string
  events: { type: string; data: string }[]
}> {
  const events: { type: string; data: string }[] = []
  let retry: number | null = null
  const decoder = createDecoder({
    onEvent: (event) => events.push({ type: event.event ?? 'message', data: event.data }),
    onRetry: (value) => {
      retry = value
    },
  })
  const request: Record<string, string> = { accept: 'text/event-stream', ...headers }
  if (lastEventId !== null) request['last-event-id'] = lastEventId
  const response = await fetch(url, {
    headers: request,
    cache: 'no-store',
    signal: AbortSignal.timeout(RECONNECT_TIMEOUT),
  })
  decoder.feed(new Uint8Array(await response.arrayBuffer()))
  return { retry, lastEventId: decoder.lastEventId, events }
}

/** The reconnect check: a stream that sends `retry:` and an id then closes, and the request after. */
async function checkReconnect(
  base: string,
  plan: Partial<DoctorPlan>,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<ReconnectTrace> {
  const session = Math.random().toString(36).slice(2, 12)
  const query = writePlan(plan.retry === undefined ? {} : { retry: plan.retry })
  query.set('session', session)
  const url = `${base}/reconnect?${query}`
  const trace: ReconnectTrace = {
    retry: null,
    lastEventId: null,
    receivedLastEventId: null,
    afterMs: null,
    error: null,
  }
  try {
    const first = await readShortStream(url, headers, null)
    trace.retry = first.retry
    trace.lastEventId = first.lastEventId === '' ? null : first.lastEventId
    // As a browser does: wait the reconnection time the stream set (WHATWG HTML, "reestablish
    // the connection"), or the default of a few seconds when none arrived.
    await new Promise((resolve) => setTimeout(resolve, first.retry ?? 3000))
    if (signal?.aborted) throw signal.reason
    const second = await readShortStream(url, headers, trace.lastEventId)
    const resumed = second.events.find((event) => event.type === DOCTOR_EVENTS.resumed)
    if (resumed === undefined) {
      trace.error = 'the second connection did not answer as the doctor does'
    } else {
      const data = JSON.parse(resumed.data) as { lastEventId: string | null; afterMs: number }
      trace.receivedLastEventId = data.lastEventId
      trace.afterMs = data.afterMs
    }
  } catch (error) {
    trace.error = error instanceof Error ? error.message : String(error)
  }
  return trace
}

/**
 * Connects to an event stream through the real path (the URL a browser uses), records when each
 * chunk and event arrives, and, in `doctor` mode, checks a forced reconnect. It uses `fetch` and
 * web streams only, so the command line and the browser page run the same probe.
 *
 * @param url - the doctor's mount URL (`doctor` mode) or any event stream (`stream` mode)
 * @param options - mode, plan, duration, headers, progress
 * @returns the trace, for {@link analyzeTrace}
 * @throws SSEError `PROBE_FAILED` when no response arrives (unreachable, refused, timed out)
 */
export async function runProbe(url: string, options: ProbeOptions = {}): Promise<ProbeTrace> {
  const mode = options.mode ?? 'doctor'
  // Relative URLs (the browser page's) resolve against the page, as fetch would.
  const base = doctorBase(new URL(url, globalThis.location?.href).href)
  const requested = options.plan ?? {}
  let streamUrl = new URL(url, globalThis.location?.href).href
  if (mode === 'doctor') {
    const query = writePlan(requested).toString()
    streamUrl = `${base}/stream${query === '' ? '' : `?${query}`}`
  }
  // Until the handler says its plan, expect the defaults with what was asked for.
  let expected =
    mode === 'doctor'
      ? schedulePlan({ ...DOCTOR_DEFAULTS, ...requested }).doneAt
      : (options.duration ?? 30_000)
  const stop = new AbortController()
  const onAbort = (): void => stop.abort(options.signal?.reason)
  options.signal?.addEventListener('abort', onAbort, { once: true })
  let deadline = setTimeout(() => stop.abort('deadline'), expected + MARGIN)
  const chunks: ArrivedChunk[] = []
  const events: ArrivedEvent[] = []
  let retry: number | null = null
  let offset = 0
  const start = performance.now()
  const now = (): number => Math.round((performance.now() - start) * 10) / 10
  let phase: ProbeProgress['phase'] = 'connecting'
  let lastEventAt = 0
  const report = (): void => {
    // A second without events is a silence (or bytes held somewhere on the way).
    const shown = phase === 'streaming' && now() - lastEventAt > 1000 ? 'waiting' : phase
    options.onProgress?.({ phase: shown, elapsed: now(), expected, events: events.length })
  }
  const ticker = setInterval(report, 500)
  let done = false
  const decoder = createDecoder({
    onEvent: (event) => {
      const type = event.event ?? 'message'
      events.push({ at: now(), type, id: event.id ?? null, data: event.data, offset })
      if (mode === 'doctor' && type === DOCTOR_EVENTS.hello) {
        const hello = JSON.parse(event.data) as DoctorHello
        const schedule = schedulePlan(hello.plan)
        // The headers left at the handler's time 0; the hello is due at helloAt.
        expected = now() - schedule.helloAt + schedule.doneAt
        clearTimeout(deadline)
        deadline = setTimeout(() => stop.abort('deadline'), expected - now() + MARGIN)
      }
      if (type === DOCTOR_EVENTS.done) done = true
      phase = 'streaming'
      lastEventAt = now()
      report()
    },
    onRetry: (value) => {
      retry = value
    },
    // A line or event past the decoder's limits: the rest of the stream is not events.
    onError: () => {},
  })
  let end: TraceEnd = { at: 0, reason: 'closed', message: null }
  let response: Response
  try {
    report()
    response = await fetch(streamUrl, {
      headers: { accept: 'text/event-stream', 'cache-control': 'no-cache', ...options.headers },
      cache: 'no-store',
      signal: stop.signal,
    })
  } catch (error) {
    clearTimeout(deadline)
    clearInterval(ticker)
    options.signal?.removeEventListener('abort', onAbort)
    throw probeFailed(
      `Could not reach ${streamUrl}: ${error instanceof Error ? error.message : String(error)}`,
      error,
    )
  }
  const headersAt = now()
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value
  })
  phase = 'streaming'
  if (response.body !== null && response.status === 200) {
    const reader = response.body.getReader()
    let afterDone: ReturnType<typeof setTimeout> | undefined
    try {
      for (;;) {
        const { done: ended, value } = await reader.read()
        if (ended) {
          if (!done) end = { at: now(), reason: 'closed', message: null }
          break
        }
        chunks.push({ at: now(), size: value.byteLength })
        offset += value.byteLength
        decoder.feed(value)
        if (done && end.reason !== 'done') {
          end = { at: now(), reason: 'done', message: null }
          // The handler ends the response after doctor-done. Reading on to its end lets a browser
          // record the request's resource timing (nextHopProtocol); a path that keeps it open is
          // cut after a moment.
          afterDone = setTimeout(() => {
            reader.cancel().catch(() => {})
          }, AFTER_DONE)
        }
      }
    } catch (error) {
      // After doctor-done, how the response ends no longer matters.
      if (!done) {
        const stopped = stop.signal.aborted
        end = {
          at: now(),
          reason: stopped ? 'stopped' : 'error',
          message: stopped ? null : error instanceof Error ? error.message : String(error),
        }
      }
    }
    clearTimeout(afterDone)
  } else {
    await response.body?.cancel().catch(() => {})
    end = { at: now(), reason: 'closed', message: null }
  }
  clearTimeout(deadline)
  let reconnect: ReconnectTrace | null = null
  const isDoctor = events.some((event) => event.type === DOCTOR_EVENTS.hello)
  if (mode === 'doctor' && isDoctor && options.reconnect !== false && !options.signal?.aborted) {
    phase = 'reconnect'
    report()
    reconnect = await checkReconnect(base, requested, options.headers ?? {}, options.signal)
  }
  clearInterval(ticker)
  options.signal?.removeEventListener('abort', onAbort)
  return {
    url: streamUrl,
    mode,
    status: response.status,
    headers,
    httpVersion: nextHopProtocol(streamUrl) ?? options.httpVersion ?? null,
    headersAt,
    chunks,
    events,
    retry,
    end,
    reconnect,
  }
}
