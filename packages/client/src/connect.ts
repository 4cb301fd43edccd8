import { createDecoder } from '@ssekit/decoder'
import {
  type ClientErrorCode,
  type EventContract,
  isEventStreamContentType,
  isSSEError,
  type ServerSentEvent,
  type SSEContractError,
  SSEError,
} from '@ssekit/shared'
import { clampTimerDelay, type IncomingResult, PullQueue } from '@ssekit/shared/internal'
import { checkEvent } from './check-event.ts'
import type { ConnectOptions, FetchFunction } from './connect-options.ts'
import type { Connection, ConnectionEvent, ConnectionEventOf, ReadyState } from './connection.ts'
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

/** What a second `next()` before the first settled gets, as from {@link PullQueue.wait}. */
const OVERLAPPING_NEXT = 'next() was called again before it settled.'

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
  const { onOpen, onComment, onError, onRetry, onClose, onInvalid, signal } = options
  // Typed by the contract outside; inside, every event is a ConnectionEvent.
  const onEvent = options.onEvent as ((event: ConnectionEvent) => void) | undefined
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
  /** True once close() ran or the connection failed for good: nothing is delivered after. */
  let closed = false
  /** True once closed by the user's hand: even an event whose validation was awaited is dropped. */
  let abandoned = false
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

  // Async iteration: a queue read by one loop at a time.
  /** Whether a loop is iterating now. */
  let iterating = false
  /** Events waiting for the loop, and the loop's pending `next()` when it waits for one. */
  const queue = new PullQueue<ConnectionEvent>()
  /** Resumes reading the body once the loop has taken every queued event (backpressure). */
  let wakeDrained: (() => void) | undefined
  /** The error the loop throws once the queue is empty, when the connection failed for good. */
  let endError: ClientError | undefined

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
    if (onEvent !== undefined) {
      // With onEvent, a contract is checked here, so the loop (if any) gets checked events too.
      if (contract !== undefined && !checkNow(contract, event)) return
      guard(() => onEvent(event))
      if (closed) return
    }
    if (!iterating && onEvent !== undefined) return
    if (!queue.deliver(event)) queue.push(event)
  }

  /**
   * Holds an event to the contract at once, for `onEvent`, which cannot wait: an async validator
   * fails the connection (`ASYNC_SCHEMA`, a programming error, so whatever `onError` returns).
   * Returns whether the event is delivered.
   */
  function checkNow(contract: EventContract, event: ConnectionEvent): boolean {
    let result: IncomingResult
    try {
      result = checkEvent(contract, event, 'onEvent (or EventSource)') as IncomingResult
    } catch (thrown) {
      const error = thrown as ClientError
      report(error)
      finish(error)
      return false
    }
    if (result.kind === 'event') return true
    if (result.kind === 'invalid') refuse(result.error, false)
    return false
  }

  /**
   * An event broke the contract: `onInvalid` decides first; by default `onError` is told and the
   * stream goes on, unless it returns false. `dropQueued` drops the events read after it, which
   * the iteration has not checked yet.
   */
  function refuse(error: SSEContractError, dropQueued: boolean): void {
    let decision: unknown
    if (onInvalid !== undefined) {
      try {
        decision = onInvalid(error)
      } catch (thrown) {
        reportCallbackError(thrown)
      }
    }
    // An event the loop takes after the connection ended by itself is still reported.
    if (decision === 'skip' || abandoned) return
    const verdict = report(error)
    if (closed || (decision !== 'close' && verdict !== false)) return
    if (dropQueued) queue.clear()
    // 'close' fails the connection, so the loop throws; onError's false ends it quietly.
    if (decision === 'close') finish(error)
    else finishQuietly(error)
  }

  function report(error: ClientError): boolean | undefined {
    if (onError === undefined) return undefined
    let decision: unknown
    try {
      decision = onError(error)
    } catch (thrown) {
      reportCallbackError(thrown)
    }
    return typeof decision === 'boolean' ? decision : undefined
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

  /**
   * Stops everything the connection runs: the request, the body reader, timers and listeners.
   * Returns false when it was already closed.
   */
  function release(): boolean {
    if (closed) return false
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
    return true
  }

  /** Ends a loop waiting in `next()` once nothing is queued: with `endError`, or done. */
  function settleLoop(): void {
    if (!queue.waiting || queue.length !== 0) return
    if (endError !== undefined) {
      const thrown = endError
      endError = undefined
      queue.fail(thrown)
    } else {
      queue.end()
    }
  }

  /** Closes by the user's hand (`close()`, `break`, the signal): undelivered events are dropped. */
  function close(): void {
    if (!release()) return
    abandoned = true
    queue.clear()
    settleLoop()
  }

  /**
   * The connection ends by itself: the loop takes the queued events, then throws `error` (or
   * ends, without one), and `onClose` is told.
   */
  function finish(error?: ClientError): void {
    if (!release()) return
    endError = error
    settleLoop()
    if (onClose !== undefined) guard(() => onClose(error))
  }

  /** As {@link finish}, but the loop ends without throwing: `onError` returned false. */
  function finishQuietly(error: ClientError): void {
    if (!release()) return
    settleLoop()
    if (onClose !== undefined) guard(() => onClose(error))
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
          if (decision === false) finishQuietly(outcome.error)
          else finish(outcome.error)
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

  /** A loop's `return()` (`break`, `return`, a throw): the connection closes. */
  function leave(): Promise<IteratorResult<ConnectionEvent, undefined>> {
    iterating = false
    close()
    return Promise.resolve({ value: undefined, done: true })
  }

  const iterator: AsyncIterator<ConnectionEvent, undefined> = {
    next(): Promise<IteratorResult<ConnectionEvent, undefined>> {
      const value = queue.shift()
      if (value !== undefined) {
        if (queue.length === 0) wakeDrained?.()
        return Promise.resolve({ value, done: false })
      }
      if (closed) {
        if (endError !== undefined) {
          const thrown = endError
          endError = undefined
          return Promise.reject(thrown)
        }
        return Promise.resolve({ value: undefined, done: true })
      }
      return queue.wait()
    },
    return: leave,
  }

  /** Whether the loop's `next()` is validating an event (a second call must wait its turn). */
  let checking = false

  /**
   * The loop under a contract without `onEvent`: each event is held to the contract when the loop
   * takes it, awaiting an async validator, so events stay in order and the body is still read
   * only as fast as the loop goes.
   */
  async function nextChecked(
    contract: EventContract,
  ): Promise<IteratorResult<ConnectionEvent, undefined>> {
    for (;;) {
      const next = await iterator.next()
      if (next.done) return next
      let result = checkEvent(contract, next.value, undefined)
      if (result instanceof Promise) result = await result
      if (abandoned) return { value: undefined, done: true }
      if (result.kind === 'event') return { value: result.event as ConnectionEvent, done: false }
      if (result.kind === 'invalid') refuse(result.error, true)
    }
  }

  const checkedIterator: AsyncIterator<ConnectionEvent, undefined> = {
    next(): Promise<IteratorResult<ConnectionEvent, undefined>> {
      if (checking) return Promise.reject(new TypeError(OVERLAPPING_NEXT))
      checking = true
      return nextChecked(contract as EventContract).finally(() => {
        checking = false
      })
    },
    return: leave,
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
      if (iterating && !closed)
        throw new TypeError('This connection is already being iterated by a loop.')
      iterating = true
      return contract === undefined || onEvent !== undefined ? iterator : checkedIterator
    },
  }
  // Typed by the contract: the events it delivers are the contract's, checked.
  return connection as Connection<ConnectionEventOf<Contract>>
}
