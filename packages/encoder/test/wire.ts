import { collectEvents } from '@ssekit/test-support/collect-events'
// The decoder is read through a relative path, in tests only: a dependency on @ssekit/decoder
// would make a cycle (the decoder's round-trip tests depend on the encoder).
import { createDecoder } from '../../decoder/src/decoder.ts'

/**
 * Decodes a whole stream with the project's spec-exact decoder.
 *
 * @param wire - the text or bytes of a stream
 * @returns the dispatched events, comments, retry times, ids and errors, and the final last
 * event ID
 */
export function decodeStream(wire: string | Uint8Array) {
  return collectEvents(createDecoder, [wire])
}
