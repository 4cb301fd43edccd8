import { createDecoder } from '@ssekit/decoder'
import {
  type ClientErrorCode,
  type EventContract,
  isEventStreamContentType,
  isSSEError,
  type ServerSentEvent,
  SSEError,
} from '@ssekit/shared'
import { clampTimerDelay } from '@ssekit/shared/internal'
import type { ConnectOptions, FetchFunction } from './connect-options.ts'
import type { Connection, ConnectionEvent, ConnectionEventOf, ReadyState } from './connection.ts'
import { createEventDelivery } from './event-delivery.ts'
import {
  computeRetryDelay,
  isIdempotentMethod,
  RETRY_DEFAULTS,
  type RetryOptions,
} from './reconnect.ts'
import { guard, reportCallbackError } from './report-callback-error.ts'
import { cancelBody, ignore, requestHeaders, resolveUrl } from './request.ts'
import { SSEResponseError } from './response-error.ts'

/** An error as the client reports it: one of the client's codes. */
type ClientError = SSEError<ClientErrorCode>

/** The part of `document` that `pauseWhenHidden` uses. */
interface VisibilityTarget {
  readonly hidden: boolean
  addEventListener(type: 'visibilitychange', listener: () => void): void
  removeEventListener(type: 'visibilitychange', listener: () => void): void
}

/** What one request/response round came to. */
type Outcome =
  /** The body ended normally. */
  | { kind: 'ended'; opened: boolean }
  /** The attempt failed; `retriable` is the default decision. */
  | { kind: 'error'; opened: boolean; error: ClientError; retriable: boolean }
  /** The server answered 204 No Content: stop for good. */
  | { kind: 'finished'; opened: boolean }
  /** The page was hidden with `pauseWhenHidden`. */
  | { kind: 'paused'; opened: boolean }
  /** `close()` was called. */
  | { kind: 'aborted'; opened: boolean }

const CONNECTING = 0
const OPEN = 1
const CLOSED = 2

/** The abort reason when the page is hidden; compared by identity. */
const PAUSED: unique symbol = Symbol('paused')
/** The abort reason when the connection is closed; compared by identity. */
const CLOSING: unique symbol = Symbol('closed')

/**
 * Opens a `text/event-stream` with `fetch` and keeps it open: it follows the WHATWG HTML
 * EventSource processing model (reconnect after the reconnection time, send `Last-Event-ID`,
 * honour `retry:`, fail for good on a wrong status or content type) and adds what `EventSource`
 * lacks: headers, any method and body, backoff with jitter, an idle timeout, typed errors and
 * async iteration.
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#the-eventsource-interface
 *
 * The first request starts on the next microtask, so `close()` right after `connect()` sends
 * nothing.
 *
 * With an event contract (`events`, made by `defineEvents`), the events are the contract's union,
 * their data decoded and validated; an event that breaks it goes to `onInvalid` and `onError`
 * instead of the application, and the stream goes on (see {@link ConnectOptions.onInvalid}).
 *
 * @typeParam Contract - the contract given as `events`, which types the events
 * @param url - the stream's URL; relative URLs resolve against the page's location in browsers
 * @param options - the request, the retry policy, the callbacks and the event contract
 * @returns the connection, to iterate or close
 * @throws TypeError when `url` is not a valid URL, or `events` is not a contract
 *
 * @example
 * ```ts
 * const connection = connect('https://example.com/events', {
 *   headers: async () => ({ authorization: `Bearer ${await getToken()}` }),
 * })
 * for await (const event of connection) {
 *   console.log(event.event ?? 'message', event.data)
 *   if (event.data === 'bye') break // closes the connection
 * }
 *
 * const prices = connect('https://example.com/prices', { events: defineEvents({ price: Price }) })
 * for await (const event of prices) console.log(event.data.symbol) // event.data: Price
 * ```
 */
export function connect<Contract extends EventContract | undefined = undefined>(
  url: string | URL,
  options: ConnectOptions<Contract> = {},
): Connection<ConnectionEventOf<Contract>> {
  const href = resolveUrl(url)
  const contract: EventContract | undefined = options.events
  if (contract !== undefined && typeof contract['~ssekit']?.readIncoming !== 'function') {
    throw new TypeError('The events option takes an event contract made by defineEvents().')
  }
  const fetchFunction: FetchFunction = options.fetch ?? globalThis.fetch
  const method = options.method ?? 'GET'
  const mayResend = options.retryNonIdempotent === true || isIdempotentMethod(method)
  const retryOptions: RetryOptions = options.retry ?? {}
  const maxAttempts = retryOptions.maxAttempts
  const idleTimeout = options.idleTimeout
  const { onOpen, onComment, onRetry, signal } = options
  const requestInit: RequestInit = {
    method,
    // WHATWG HTML, EventSource constructor: "Set request's cache mode to "no-store"" and the
    // redirect mode is the default "follow".
    cache: 'no-store',
    redirect: 'follow',
  }
  if (options.body !== undefined) requestInit.body = options.body
  if (options.credentials !== undefined) requestInit.credentials = options.credentials
  if (options.mode !== undefined) requestInit.mode = options.mode
  if (options.referrer !== undefined) requestInit.referrer = options.referrer
  if (options.referrerPolicy !== undefined) requestInit.referrerPolicy = options.referrerPolicy

  /** The spec's readyState. */
  let readyState: ReadyState = CONNECTING
  /**
   * True once closed or failed for good (set by `release`, which the delivery calls once): nothing
   * is delivered after, nor requested.
   */
  let closed = false
  /** The spec's reconnection time: initialDelay, replaced by each valid `retry:` field. */
  let reconnectionTime = retryOptions.initialDelay ?? RETRY_DEFAULTS.initialDelay
  /** The error a decoder limit raised while feeding the current chunk. */
  let decoderError: ClientError | undefined
  /** The controller of the request in flight; aborting it aborts the fetch and the body. */
  let currentController: AbortController | undefined
  /** The reader of the open body, cancelled directly too (a custom fetch may ignore the signal). */
  let currentReader: ReadableStreamDefaultReader<Uint8Array> | undefined
  /** The idle timer while waiting for bytes. */
  let idleTimer: ReturnType<typeof setTimeout> | undefined
  /** The timer of the wait before a reconnect, and the function ending that wait early. */
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let wakeRetry: (() => void) | undefined
  /** True while the page is hidden under pauseWhenHidden; `wakeVisible` ends the pause. */
  let paused = false
  let wakeVisible: (() => void) | undefined

  /** Resumes reading the body once the loop has taken every queued event (backpressure). */
  let wakeDrained: (() => void) | undefined

  // onEvent and the async iteration (a queue read by one loop at a time), and the closing.
  const delivery = createEventDelivery(options, 'onEvent (or EventSource)', release, () =>
    wakeDrained?.(),
  )
  const { queue, deliver: deliverEvent, close, report, finish } = delivery

  const decoder = createDecoder(
    {
      onEvent: deliver,
      onComment:
        onComment === undefined
          ? undefined
          : (comment) => {
              if (!closed) guard(() => onComment(comment))
            },
      // §9.2.6 field "retry": "set the event stream's reconnection time to that integer".
      onRetry(retry) {
        reconnectionTime = retry
      },
      onError(error) {
        decoderError = error
      },
    },
    {
      lastEventId: options.lastEventId,
      maxLineLength: options.maxLineLength,
      maxEventSize: options.maxEventSize,
    },
  )

  function deliver(decoded: ServerSentEvent): void {
    if (closed) return
    // The decoder calls this from its dispatch, after step 1 set the last event ID string, so
    // its lastEventId is this event's: read it now, before the decoder reads further. The
    // decoder's event is fresh and ours, so it takes the field instead of being copied.
    const event = decoded as ConnectionEvent
    event.lastEventId = decoder.lastEventId
    deliverEvent(event)
  }

  function abortAttempt(reason: unknown): void {
    currentController?.abort(reason)
    currentReader?.cancel(reason).catch(ignore)
  }

  function clearIdle(): void {
    if (idleTimer !== undefined) {
      clearTimeout(idleTimer)
      idleTimer = undefined
    }
  }

  function armIdle(): void {
    if (idleTimeout === undefined) return
    clearIdle()
    idleTimer = setTimeout(() => {
      idleTimer = undefined
      abortAttempt(
        new SSEError(
          'IDLE_TIMEOUT',
          `Nothing arrived from ${href} for ${idleTimeout} ms (idleTimeout); reconnecting. Have the server send comments as a heartbeat more often than that.`,
        ),
      )
    }, clampTimerDelay(idleTimeout))
  }

  /** Stops everything the connection runs: the request, the body reader, timers and listeners. */
  function release(): void {
    closed = true
    readyState = CLOSED
    abortAttempt(CLOSING)
    clearIdle()
    if (retryTimer !== undefined) clearTimeout(retryTimer)
    retryTimer = undefined
    wakeRetry?.()
    wakeVisible?.()
    wakeDrained?.()
    signal?.removeEventListener('abort', close)
    visibilityTarget?.removeEventListener('visibilitychange', onVisibilityChange)
  }

  // pauseWhenHidden: the page's visibility, read from `globalThis.document` only when asked for.
  const visibilityTarget: VisibilityTarget | undefined =
    options.pauseWhenHidden === true
      ? (globalThis as { document?: VisibilityTarget }).document
      : undefined

  function onVisibilityChange(): void {
    if (closed || visibilityTarget === undefined) return
    if (visibilityTarget.hidden) {
      if (!paused) {
        paused = true
        abortAttempt(PAUSED)
      }
    } else if (paused) {
      paused = false
      wakeVisible?.()
    }
  }

  function sleep(delay: number): Promise<void> {
    return new Promise<void>((resolve) => {
      wakeRetry = resolve
      retryTimer = setTimeout(resolve, clampTimerDelay(delay))
    }).then(() => {
      wakeRetry = undefined
      retryTimer = undefined
    })
  }

  function untilVisible(): Promise<void> {
    return new Promise<void>((resolve) => {
      wakeVisible = resolve
    }).then(() => {
      wakeVisible = undefined
    })
  }

  function untilDrained(): Promise<void> {
    return new Promise<void>((resolve) => {
      wakeDrained = resolve
    }).then(() => {
      wakeDrained = undefined
    })
  }

  function abortOutcome(controller: AbortController, opened: boolean): Outcome {
    const reason: unknown = controller.signal.reason
    if (reason === PAUSED) return { kind: 'paused', opened }
    if (reason !== CLOSING && isSSEError(reason, 'IDLE_TIMEOUT')) {
      return { kind: 'error', opened, error: reason, retriable: true }
    }
    return { kind: 'aborted', opened }
  }

  function networkError(cause: unknown, opened: boolean, what: string): Outcome {
    const detail = cause instanceof Error ? `: ${cause.message}` : ''
    return {
      kind: 'error',
      opened,
      error: new SSEError('NETWORK_ERROR', `${what} ${href} failed${detail}.`, { cause }),
      retriable: true,
    }
  }

  // One request and, when it opens, the reading of its body to the end.
  async function attemptOnce(): Promise<Outcome> {
    const controller = new AbortController()
    currentController = controller
    let opened = false
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined
    try {
      let headers: Headers
      try {
        headers = await requestHeaders(options.headers, decoder.lastEventId)
      } catch (cause) {
        if (controller.signal.aborted) return abortOutcome(controller, opened)
        return networkError(cause, opened, 'The headers function for')
      }
      if (controller.signal.aborted) return abortOutcome(controller, opened)
      armIdle()
      let response: Response
      try {
        response = await fetchFunction(href, { ...requestInit, headers, signal: controller.signal })
      } catch (cause) {
        if (controller.signal.aborted) return abortOutcome(controller, opened)
        return networkError(cause, opened, 'The request to')
      }
      if (controller.signal.aborted) {
        cancelBody(response)
        return abortOutcome(controller, opened)
      }
      // 204 No Content: the server's way of saying "stop reconnecting".
      if (response.status === 204) {
        cancelBody(response)
        return { kind: 'finished', opened }
      }
      // "if res's status is not 200, or if res's `Content-Type` is not `text/event-stream`,
      // then fail the connection." The body stays readable for onError.
      if (response.status !== 200) {
        const error = new SSEResponseError(response, 'INVALID_STATUS')
        return { kind: 'error', opened, error, retriable: false }
      }
      if (!isEventStreamContentType(response.headers.get('content-type'))) {
        const error = new SSEResponseError(response, 'INVALID_CONTENT_TYPE')
        return { kind: 'error', opened, error, retriable: false }
      }
      // "Announce the connection."
      opened = true
      readyState = OPEN
      if (onOpen !== undefined) guard(() => onOpen(response))
      if (controller.signal.aborted) {
        cancelBody(response)
        return abortOutcome(controller, opened)
      }
      if (response.body === null) return { kind: 'ended', opened }
      reader = response.body.getReader()
      currentReader = reader
      for (;;) {
        armIdle()
        const { done, value } = await reader.read()
        clearIdle()
        if (controller.signal.aborted) return abortOutcome(controller, opened)
        if (done) return { kind: 'ended', opened }
        decoder.feed(value)
        if (decoderError !== undefined) {
          const error = decoderError
          decoderError = undefined
          return { kind: 'error', opened, error, retriable: false }
        }
        if (closed) return { kind: 'aborted', opened }
        // Backpressure: read on only when the loop has taken what this chunk produced.
        if (queue.length > 0) await untilDrained()
        if (controller.signal.aborted) return abortOutcome(controller, opened)
      }
    } catch (cause) {
      if (controller.signal.aborted) return abortOutcome(controller, opened)
      return networkError(cause, opened, opened ? 'Reading the stream from' : 'The request to')
    } finally {
      clearIdle()
      if (currentController === controller) currentController = undefined
      currentReader = undefined
      reader?.cancel().catch(ignore)
      // "If the file ends in the middle of an event, the incomplete event is not dispatched";
      // the last event ID string is kept for the next request.
      decoder.end()
    }
  }

  async function run(): Promise<void> {
    /** Consecutive attempts that did not open a stream: the backoff exponent. */
    let failures = 0
    /** Reconnection attempts since the connection was last open. */
    let attempt = 0
    while (!closed) {
      if (paused) {
        readyState = CONNECTING
        await untilVisible()
        continue
      }
      readyState = CONNECTING
      const outcome = await attemptOnce()
      if (closed) return
      if (outcome.kind === 'paused') continue
      if (outcome.opened) {
        failures = 0
        attempt = 0
      } else {
        failures++
      }
      if (outcome.kind === 'finished') {
        finish()
        return
      }
      if (outcome.kind === 'error') {
        const decision = report(outcome.error)
        if (outcome.error instanceof SSEResponseError) cancelBody(outcome.error.response)
        if (closed) return
        if (!(decision ?? (outcome.retriable && mayResend))) {
          // `decision` is false (the handler said close) or absent (the default said so).
          finish(outcome.error, decision === false)
          return
        }
      } else if (!mayResend) {
        // A POST (or other non-idempotent request) whose stream ended is not sent again.
        finish()
        return
      }
      attempt++
      if (maxAttempts !== undefined && attempt > maxAttempts) {
        const error = new SSEError(
          'RETRY_LIMIT',
          `Gave up on ${href} after ${maxAttempts} reconnection attempts in a row (retry.maxAttempts).`,
          outcome.kind === 'error' ? { cause: outcome.error } : {},
        )
        report(error)
        finish(error)
        return
      }
      const delay = computeRetryDelay(reconnectionTime, failures, retryOptions)
      // §9.2.3 "reestablish the connection": readyState CONNECTING, then wait the delay.
      readyState = CONNECTING
      if (onRetry !== undefined) guard(() => onRetry(delay, attempt))
      if (closed) return
      await sleep(delay)
    }
  }

  if (signal?.aborted) {
    close()
  } else {
    signal?.addEventListener('abort', close)
    if (visibilityTarget !== undefined) {
      visibilityTarget.addEventListener('visibilitychange', onVisibilityChange)
      paused = visibilityTarget.hidden
    }
    // Start on the next microtask: a close() in the same tick then sends nothing.
    Promise.resolve()
      .then(run)
      .catch((error: unknown) => {
        // run() turns every failure of a request into an outcome, so this is a bug: surface it.
        reportCallbackError(error)
        finish(new SSEError('NETWORK_ERROR', `The connection to ${href} broke.`, { cause: error }))
      })
  }

  const connection: Connection = {
    get readyState(): ReadyState {
      return readyState
    },
    get lastEventId(): string {
      return decoder.lastEventId
    },
    url: href,
    close,
    [Symbol.asyncIterator](): AsyncIterator<ConnectionEvent, undefined> {
      return delivery.iterate()
    },
  }
  // Typed by the contract: the events it delivers are the contract's, checked.
  return connection as Connection<ConnectionEventOf<Contract>>
}
