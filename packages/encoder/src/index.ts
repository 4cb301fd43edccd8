/**
 * Server-side encoding of Server-Sent Events: safe wire text, bytes, a TransformStream and a
 * fetch-style `Response`. The `node:http` helper lives in `@ssekit/encoder/node`.
 *
 * The error class and the event model of `@ssekit/shared` are re-exported, so code that catches
 * the encoder's errors needs no second import.
 *
 * @module
 */
export type { EncoderErrorCode, ServerSentEvent, SSEErrorCode, SSEField } from '@ssekit/shared'
export { isSSEError, SSEError } from '@ssekit/shared'
export type { EncodableEvent, EncodeOptions } from './encode.ts'
export { encode, encodeBytes, encodeComment } from './encode.ts'
export { EventEncoderStream } from './encoder-stream.ts'
export { EVENT_STREAM_DEFAULTS, HEARTBEAT_COMMENT } from './heartbeat.ts'
export type { EventStreamResponseOptions } from './response.ts'
export { createEventStreamResponse } from './response.ts'
