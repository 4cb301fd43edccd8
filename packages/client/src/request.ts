import { CONTENT_TYPE } from '@ssekit/shared'
import type { HeadersOption } from './connect-options.ts'

/** Does nothing; for promises whose rejection nobody needs. */
export function ignore(): void {}

/**
 * The absolute URL of the stream. Relative URLs resolve against the page in browsers, as
 * `EventSource` does; elsewhere they throw.
 */
export function resolveUrl(url: string | URL): string {
  const base = (globalThis as { location?: { href?: string } }).location?.href
  return new URL(url, base).href
}

/**
 * The headers of one request: the caller's (a function is called anew for every request), then
 * what the spec's request carries: `Accept: text/event-stream` unless the caller set one, and
 * `Last-Event-ID` when the last event ID string is not empty (§9.2.3 "reestablish the
 * connection", step 5.3).
 *
 * @throws what the headers function throws, or a TypeError for headers `Headers` refuses
 */
export async function requestHeaders(
  option: HeadersOption | undefined,
  lastEventId: string,
): Promise<Headers> {
  const headers = new Headers(typeof option === 'function' ? await option() : option)
  if (!headers.has('accept')) headers.set('accept', CONTENT_TYPE)
  if (lastEventId !== '') headers.set('last-event-id', toByteString(lastEventId))
  return headers
}

/**
 * A header value for `fetch`'s `Headers`, which only take ByteStrings: the UTF-8 bytes of `value`,
 * one character per byte. The spec sends `Last-Event-ID` "UTF-8 encoded", and an id may hold any
 * character but CR, LF and NUL.
 */
function toByteString(value: string): string {
  let ascii = true
  for (let i = 0; i < value.length && ascii; i++) ascii = value.charCodeAt(i) < 0x80
  // ASCII is its own UTF-8 encoding.
  if (ascii) return value
  let bytes = ''
  for (const byte of new TextEncoder().encode(value)) bytes += String.fromCharCode(byte)
  return bytes
}

/** Cancels a response's body that nobody read, so its connection is released. */
export function cancelBody(response: Response): void {
  const body = response.body
  if (body !== null && !body.locked && !response.bodyUsed) body.cancel().catch(ignore)
}
