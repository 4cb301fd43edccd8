import { type EncodableEvent, type EncodeOptions, encodeBytes } from './encode.ts'

/**
 * A `TransformStream` from events to the UTF-8 bytes of `text/event-stream`, shaped like the
 * platform's `TextEncoderStream`. Pipe any stream of events through it and hand the result to a
 * `Response`, a socket or a file.
 *
 * An event that {@link encode} refuses (an id with a line break, a negative retry, …) errors the
 * stream with that `SSEError`: nothing of the refused event is written.
 *
 * @example
 * ```ts
 * // events: a ReadableStream<EncodableEvent>; see examples/encoder-stream.ts
 * const body = events.pipeThrough(new EventEncoderStream())
 * return new Response(body, { headers: { 'content-type': 'text/event-stream; charset=utf-8' } })
 * ```
 */
export class EventEncoderStream extends TransformStream<EncodableEvent, Uint8Array> {
  /**
   * @param options - a custom serializer for object data, as for {@link encode}
   */
  constructor(options?: EncodeOptions) {
    super({
      transform(event, controller) {
        controller.enqueue(encodeBytes(event, options))
      },
    })
  }
}
