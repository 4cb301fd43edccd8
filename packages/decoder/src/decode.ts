import type { ServerSentEvent } from '@ssekit/shared'
import { createDecoder, type DecoderOptions } from './decoder.ts'

/**
 * Decodes a complete `text/event-stream` at once: every dispatched event, in order. An event
 * left without its final blank line is discarded, as at the end of any stream.
 *
 * @param whole - the whole stream, as UTF-8 bytes or as text
 * @param options - limits and the initial last event ID
 * @returns the events
 * @throws SSEError `LINE_TOO_LONG` or `EVENT_TOO_LARGE` when the stream breaks a limit
 *
 * @example
 * ```ts
 * decode('event: greet\ndata: hello\n\ndata: bye\n\n')
 * // [{ event: 'greet', data: 'hello' }, { data: 'bye' }]
 * ```
 */
export function decode(whole: string | Uint8Array, options?: DecoderOptions): ServerSentEvent[] {
  const events: ServerSentEvent[] = []
  const decoder = createDecoder({ onEvent: (event) => events.push(event) }, options)
  decoder.feed(whole)
  decoder.end()
  return events
}
