/** The MIME type of an event stream. */
export const CONTENT_TYPE = 'text/event-stream'

/** The `Content-Type` header value a server sends: the event stream is always UTF-8. */
export const CONTENT_TYPE_HEADER = 'text/event-stream; charset=utf-8'

/** Options for {@link createEventStreamHeaders}. */
export interface EventStreamHeadersOptions {
  /**
   * The HTTP version of the response, such as `'1.1'` or `'2.0'`. `Connection: keep-alive` is sent
   * only for HTTP/1.x: HTTP/2 and HTTP/3 forbid connection-specific headers.
   * @defaultValue `'1.1'`
   */
  httpVersion?: string | undefined
}

/**
 * The response headers an event stream should carry:
 * - `Content-Type: text/event-stream; charset=utf-8`;
 * - `Cache-Control: no-cache, no-transform`: `no-cache` so no cache stores or replays the stream,
 *   `no-transform` so no proxy or middleware re-encodes it (RFC 9111 §5.2.2.6). Compression
 *   middleware honours it (Express's `compression` skips such a response), and a compressed event
 *   stream is only usable when it is flushed after every event, which a generic compressor does not do;
 * - `X-Accel-Buffering: no`, so nginx and similar proxies pass each event on at once;
 * - `Connection: keep-alive`, for HTTP/1.x only.
 *
 * @param options - the HTTP version of the response
 * @returns a fresh object of header names (lower case) to values
 */
export function createEventStreamHeaders(
  options: EventStreamHeadersOptions = {},
): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': CONTENT_TYPE_HEADER,
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
  }
  const version = options.httpVersion ?? '1.1'
  if (version.startsWith('1.')) headers.connection = 'keep-alive'
  return headers
}

/**
 * Whether a `Content-Type` header value names an event stream: its MIME type essence is
 * `text/event-stream`, in any letter case, with or without parameters (WHATWG HTML, EventSource
 * processing model: the response's "Content-Type metadata" must be `text/event-stream`).
 *
 * @param value - the header value, or null when the header is missing
 * @returns true for `text/event-stream`, `Text/Event-Stream; charset=utf-8`, …
 */
export function isEventStreamContentType(value: string | null | undefined): boolean {
  if (!value) return false
  const semicolon = value.indexOf(';')
  const essence = (semicolon === -1 ? value : value.slice(0, semicolon)).trim()
  return essence.toLowerCase() === CONTENT_TYPE
}
