/**
 * A spec-exact, incremental `text/event-stream` decoder for browsers, Node, Deno, Bun and edge
 * runtimes.
 *
 * @module
 */

// One error API in every package, and the event contracts: a user of this package alone needs no
// @ssekit/shared.
export type {
  ContractEvent,
  DecoderErrorCode,
  EventCodec,
  EventContract,
  EventContractOptions,
  ServerSentEvent,
  SSEErrorCode,
} from '@ssekit/shared'
export { defineEvents, isSSEError, JSON_CODEC, SSEContractError, SSEError } from '@ssekit/shared'
export { decode } from './decode.ts'
export type { Decoder, DecoderCallbacks, DecoderOptions } from './decoder.ts'
export { createDecoder, DECODER_DEFAULTS } from './decoder.ts'
export type { EventDecoderStreamOptions } from './decoder-stream.ts'
export { EventDecoderStream } from './decoder-stream.ts'
export type { ReadEventsOptions } from './read-events.ts'
export { readEvents } from './read-events.ts'
export type { ValidateEventsOptions } from './validate-events.ts'
export { validateEvents } from './validate-events.ts'
