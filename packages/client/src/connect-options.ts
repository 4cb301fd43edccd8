import type { DecoderOptions } from '@ssekit/decoder'
import type { ClientErrorCode, EventContract, SSEContractError, SSEError } from '@ssekit/shared'
// For the {@link} tags only.
import type { connect } from './connect.ts'
import type { ConnectionEventOf } from './connection.ts'
import type { RetryOptions } from './reconnect.ts'

/** The `fetch` a client calls: the global one, or any function of the same shape. */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>

/** Request headers, or a function returning them that is called before every (re)connect. */
export type HeadersOption = HeadersInit | (() => HeadersInit | Promise<HeadersInit>)

/**
 * What {@link ConnectOptions.onInvalid} decides for an event that broke the contract: `'skip'`
 * drops it silently, `'close'` closes the connection with the error, as a fatal error does.
 */
export type InvalidEventDecision = 'skip' | 'close'

/**
 * Options of {@link connect}: the request, the retry policy, the callbacks, and the event
 * contract.
 *
 * @typeParam Contract - the contract given as {@link ConnectOptions.events}, which types the
 * events; `undefined` without one
 */
export interface ConnectOptions<Contract extends EventContract | undefined = undefined> {
  /**
   * The event contract (`defineEvents`) the stream keeps: every event is decoded with its codec
   * and validated before the application sees it, and the events are typed as its union,
   * discriminated by `event` (`'message'` for an event without an `event:` field). An event that
   * breaks it never reaches the application: see {@link ConnectOptions.onInvalid}. A type the
   * contract does not know is dropped, or reported when its `unknown` policy is `'error'`.
   *
   * An async validator is awaited by async iteration, in order (the next event is validated
   * when the loop asks for it). `onEvent` is called synchronously, so with `onEvent` an async
   * validator fails the connection with `ASYNC_SCHEMA` (through `onError`, then `onClose`).
   */
  events?: Contract | undefined
  /**
   * Called with the `CONTRACT_VIOLATION` error of each event that broke the contract (with
   * {@link ConnectOptions.events} only), before anything else sees it, to decide what happens:
   * return `'skip'` to drop it silently, `'close'` to close the connection (`onError` is told,
   * whatever it returns, then `onClose`, and the loop throws the error), or nothing for the
   * default: the event is dropped, `onError` gets the error and the stream goes on (unless
   * `onError` returns `false`, which closes as for any error).
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing must type-check.
  onInvalid?: ((error: SSEContractError) => InvalidEventDecision | undefined | void) | undefined
  /**
   * The request method. A method that is not idempotent (POST, PATCH, …) is sent once: the
   * connection closes when its stream ends, unless {@link ConnectOptions.retryNonIdempotent}.
   * @defaultValue `'GET'`
   */
  method?: string | undefined
  /**
   * Request headers. A function is called before every connect and reconnect, so an expiring
   * token can be refreshed; if it throws, the attempt fails like a network error.
   * `Accept: text/event-stream` is added when absent, and `Last-Event-ID` is set whenever the last
   * event ID is not empty.
   */
  headers?: HeadersOption | undefined
  /**
   * The request body. It is sent again on every reconnect, so use a value that can be read more
   * than once (a string, `Blob`, `ArrayBuffer`, `URLSearchParams` or `FormData`).
   */
  body?: BodyInit | null | undefined
  /** As `RequestInit.credentials`; `EventSource` maps `withCredentials` to it. */
  credentials?: RequestCredentials | undefined
  /** As `RequestInit.mode`. */
  mode?: RequestMode | undefined
  /** As `RequestInit.referrer`. */
  referrer?: string | undefined
  /** As `RequestInit.referrerPolicy`. */
  referrerPolicy?: ReferrerPolicy | undefined
  /**
   * The `fetch` to call, for example one that adds tracing, or a mock in tests.
   * @defaultValue `globalThis.fetch`
   */
  fetch?: FetchFunction | undefined
  /** Closes the connection when aborted, as `close()` does. */
  signal?: AbortSignal | undefined
  /**
   * The last event ID to start from, sent as `Last-Event-ID` on the first request (for example
   * one saved before a page reload).
   * @defaultValue `''`
   */
  lastEventId?: string | undefined
  /** The reconnection policy: delay, backoff, maximum attempts. See {@link RetryOptions}. */
  retry?: RetryOptions | undefined
  /**
   * Re-send a request whose method is not idempotent (POST, PATCH, …) when reconnecting. Off by
   * default: a POST may create something each time it arrives, so only the caller can know that
   * sending it again is safe.
   * @defaultValue false
   */
  retryNonIdempotent?: boolean | undefined
  /**
   * When nothing at all (not even a comment or a partial line) arrives for this many
   * milliseconds, the connection is taken for dead, aborted and re-established, reporting an
   * `IDLE_TIMEOUT` error. A half-open TCP connection otherwise hangs forever. Pick a value well
   * above the server's heartbeat interval. Off when absent.
   */
  idleTimeout?: number | undefined
  /**
   * In a browser, disconnect while the page is hidden (`document.hidden`) and reconnect as soon as
   * it is visible again. Without a `document` it has no effect.
   * @defaultValue false
   */
  pauseWhenHidden?: boolean | undefined
  /**
   * The longest line the decoder buffers; see {@link DecoderOptions.maxLineLength}. A longer
   * line fails the connection with `LINE_TOO_LONG`.
   */
  maxLineLength?: number | undefined
  /**
   * The most data one event may hold; see {@link DecoderOptions.maxEventSize}. More fails the
   * connection with `EVENT_TOO_LARGE`.
   */
  maxEventSize?: number | undefined
  /** Called when a response opens the stream (status 200, `text/event-stream`), before its events. */
  onOpen?: ((response: Response) => void) | undefined
  /**
   * Called with every event, in order. Without it, events are kept for async iteration, and the
   * body is read only as fast as the loop takes them.
   */
  onEvent?: ((event: ConnectionEventOf<Contract>) => void) | undefined
  /** Called with every comment line, such as a server's heartbeat. */
  onComment?: ((comment: string) => void) | undefined
  /**
   * Called with every error, and decides what happens next: return `false` to close, `true` to
   * reconnect anyway (say, after a 503), or nothing to keep the default. By default a network
   * error or an idle timeout reconnects; a wrong status or content type (`SSEResponseError`) and
   * a broken decoder limit close, as does `RETRY_LIMIT`, whatever this returns. An event that
   * broke the contract (`CONTRACT_VIOLATION`) is dropped and the stream goes on, unless this
   * returns `false` (see {@link ConnectOptions.onInvalid}).
   * Read `SSEResponseError.response`'s body here if you need it: it is cancelled afterwards.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing must type-check.
  onError?: ((error: SSEError<ClientErrorCode>) => boolean | undefined | void) | undefined
  /**
   * Called when a reconnection is scheduled: `delay` in milliseconds, and `attempt`, the number of
   * reconnection attempts since the connection was last open (1 for the first).
   */
  onRetry?: ((delay: number, attempt: number) => void) | undefined
  /**
   * Called once when the connection closes by itself (not through `close()`, `break` or the
   * signal): with the error that ended it, or `undefined` when the server ended it (status 204, or
   * the end of a stream that is not re-sent).
   */
  onClose?: ((error: SSEError<ClientErrorCode> | undefined) => void) | undefined
}
