import type { DecoderErrorCode, ServerSentEvent, SSEError } from '@ssekit/shared'
import {
  createDecoder,
  type Decoder,
  type DecoderCallbacks,
  type DecoderOptions,
} from './decoder.ts'

/** Options of {@link EventDecoderStream}: the decoder's limits plus its optional callbacks. */
export interface EventDecoderStreamOptions
  extends DecoderOptions,
    Pick<DecoderCallbacks, 'onComment' | 'onRetry' | 'onId'> {}

/**
 * A `TransformStream` from `text/event-stream` chunks (UTF-8 bytes or text) to
 * {@link ServerSentEvent}s, shaped like the platform's `TextDecoderStream`.
 *
 * A broken limit errors the stream with the typed `SSEError` (`LINE_TOO_LONG` or
 * `EVENT_TOO_LARGE`, with its byte `offset`). At the end of the input an unfinished event is
 * discarded, as the spec requires.
 *
 * @example
 * ```ts
 * const response = await fetch('/events')
 * for await (const event of response.body.pipeThrough(new EventDecoderStream())) {
 *   console.log(event.data)
 * }
 * ```
 */
export class EventDecoderStream extends TransformStream<Uint8Array | string, ServerSentEvent> {
  /** The decoder doing the work, kept for `lastEventId`. */
  readonly #decoder: Decoder

  /**
   * @param options - limits, the initial last event ID, and comment/retry/id callbacks
   */
  constructor(options: EventDecoderStreamOptions = {}) {
    let controller!: TransformStreamDefaultController<ServerSentEvent>
    let error: SSEError<DecoderErrorCode> | undefined
    const decoder = createDecoder(
      {
        onEvent: (event) => controller.enqueue(event),
        onComment: options.onComment,
        onRetry: options.onRetry,
        onId: options.onId,
        onError: (failure) => {
          error = failure
        },
      },
      options,
    )
    super({
      start(start) {
        controller = start
      },
      transform(chunk) {
        decoder.feed(chunk)
        if (error) throw error
      },
      flush() {
        // An event without its final blank line is discarded.
        decoder.end()
      },
    })
    this.#decoder = decoder
  }

  /** The spec's persistent last event ID string of what was decoded so far. */
  get lastEventId(): string {
    return this.#decoder.lastEventId
  }
}
