import type { ServerSentEvent } from '@ssekit/shared'
// The decoder is read through a relative path, in tests only: a dependency on @ssekit/decoder
// would make a cycle (the decoder's round-trip tests depend on the encoder).
import { createDecoder } from '../../decoder/src/decoder.ts'

/** What a spec-exact client makes of some wire text. */
export interface DecodedStream {
  events: ServerSentEvent[]
  comments: string[]
  retries: number[]
  lastEventId: string
}

/**
 * Decodes a whole stream with the project's spec-exact decoder.
 *
 * @param wire - the text or bytes of a stream
 * @returns the dispatched events, comments, retry times and the final last event ID
 */
export function decodeStream(wire: string | Uint8Array): DecodedStream {
  const result: DecodedStream = { events: [], comments: [], retries: [], lastEventId: '' }
  const decoder = createDecoder({
    onEvent: (event) => result.events.push(event),
    onComment: (comment) => result.comments.push(comment),
    onRetry: (retry) => result.retries.push(retry),
  })
  decoder.feed(wire)
  result.lastEventId = decoder.lastEventId
  decoder.end()
  return result
}
