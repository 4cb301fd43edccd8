import type { DecoderOptions } from '@ssekit/decoder'
import type { ClientErrorCode, SSEError } from '@ssekit/shared'
// For the {@link} tags only.
import type { connect } from './connect.ts'
import type { ConnectionEvent } from './connection.ts'
import type { RetryOptions } from './reconnect.ts'

/** The `fetch` a client calls: the global one, or any function of the same shape. */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>

/** Request headers, or a function returning them that is called before every (re)connect. */
export type HeadersOption = HeadersInit | (() => HeadersInit | Promise<HeadersInit>)

/** Options of {@link connect}: the request, the retry policy and the callbacks. */
export interface ConnectOptions {
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
  onEvent?: ((event: ConnectionEvent) => void) | undefined
  /** Called with every comment line, such as a server's heartbeat. */
  onComment?: ((comment: string) => void) | undefined
  /**
   * Called with every error, and decides what happens next: return `false` to close, `true` to
   * reconnect anyway (say, after a 503), or nothing to keep the default. By default a network
   * error or an idle timeout reconnects; a wrong status or content type (`SSEResponseError`) and
   * a broken decoder limit close, as does `RETRY_LIMIT`, whatever this returns.
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
