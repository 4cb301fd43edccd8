/**
 * Server-side encoding of Server-Sent Events: safe wire text, bytes, a TransformStream and a
 * fetch-style `Response`. The `node:http` helper lives in `@ssekit/encoder/node`.
 *
 * @module
 */
export type { EncodableEvent, EncodeOptions } from './encode.ts'
export { encode, encodeBytes, encodeComment } from './encode.ts'
export { EventEncoderStream } from './encoder-stream.ts'
export { DEFAULT_HEARTBEAT, HEARTBEAT_COMMENT } from './heartbeat.ts'
export type { EventStreamResponseOptions } from './response.ts'
export { createEventStreamResponse } from './response.ts'
