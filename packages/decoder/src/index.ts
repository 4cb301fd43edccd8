/**
 * A spec-exact, incremental `text/event-stream` decoder for browsers, Node, Deno, Bun and edge
 * runtimes.
 *
 * @module
 */
export type { Decoder, DecoderCallbacks, DecoderOptions } from './decoder.ts'
export { createDecoder, DEFAULT_MAX_LENGTH } from './decoder.ts'
