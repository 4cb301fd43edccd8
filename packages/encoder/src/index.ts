/**
 * Server-side encoding of Server-Sent Events: safe wire text, bytes, a TransformStream and a
 * fetch-style `Response`. The `node:http` helper lives in `@ssekit/encoder/node`.
 *
 * The error class and the event model of `@ssekit/shared` are re-exported, so code that catches
 * the encoder's errors needs no second import.
 *
 * @module
 */
export type {
  ContractEvent,
  ContractEventInput,
  EncoderErrorCode,
  EventCodec,
  EventContract,
  EventContractOptions,
  ServerSentEvent,
  SSEErrorCode,
  SSEField,
} from '@ssekit/shared'
export {
  defineEvents,
  isSSEError,
  JSON_CODEC,
  SSEContractError,
  SSEError,
  toOpenAPI,
} from '@ssekit/shared'
export type { EncodableEvent, EncodeOptions } from './encode.ts'
export { encode, encodeBytes, encodeComment } from './encode.ts'
export type { EncoderStreamEvent, EventEncoderStreamOptions } from './encoder-stream.ts'
export { EventEncoderStream } from './encoder-stream.ts'
export { EVENT_STREAM_DEFAULTS, HEARTBEAT_COMMENT } from './heartbeat.ts'
export type { EventStreamResponseOptions, EventStreamSourceItem } from './response.ts'
export { createEventStreamResponse } from './response.ts'
export type {
  CloseStreamsOptions,
  CloseStreamsResult,
  EventStreamGroup,
  EventStreamMember,
} from './stream-group.ts'
export { CLOSE_STREAMS_DEFAULTS, createEventStreamGroup } from './stream-group.ts'
