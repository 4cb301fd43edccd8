/**
 * Runs a decoder over chunks and collects everything it reports into arrays. The decoder comes in
 * as a parameter (`createDecoder` from `@ssekit/decoder`, or its source): this package cannot
 * depend on the decoder, whose own tests use it, without a cycle.
 *
 * @module
 */

/** The callbacks a collector passes; `createDecoder`'s own callbacks type accepts them. */
export interface CollectingCallbacks<Event, Failure> {
  onEvent: (event: Event) => void
  onComment: (comment: string) => void
  onRetry: (retry: number) => void
  onId: (id: string) => void
  onError: (error: Failure) => void
}

/** The part of a decoder that collecting uses. */
export interface FeedableDecoder {
  feed(chunk: string | Uint8Array): void
  end(): void
  readonly lastEventId: string
}

/** `createDecoder`'s shape, with its event, error and options types left open. */
export type DecoderFactory<Event, Failure, Options> = (
  callbacks: CollectingCallbacks<Event, Failure>,
  options?: Options,
) => FeedableDecoder

/** Everything a decoder reported, in order. */
export interface CollectedEvents<Event, Failure> {
  events: Event[]
  comments: string[]
  retries: number[]
  /** Each committed last event ID, as `onId` reported it. */
  ids: string[]
  errors: Failure[]
  /** The decoder's last event ID after the stream ended. */
  lastEventId: string
}

/**
 * Creates a decoder whose callbacks push into arrays, for readers that feed it chunk by chunk.
 * `lastEventId` in the result is left for the caller to read from `decoder`.
 *
 * @param createDecoder - the decoder factory under test
 * @param options - the decoder's options
 * @returns the decoder and the arrays it fills
 */
export function createCollector<Event, Failure, Options>(
  createDecoder: DecoderFactory<Event, Failure, Options>,
  options?: Options,
): { decoder: FeedableDecoder; collected: CollectedEvents<Event, Failure> } {
  const collected: CollectedEvents<Event, Failure> = {
    events: [],
    comments: [],
    retries: [],
    ids: [],
    errors: [],
    lastEventId: '',
  }
  const decoder = createDecoder(
    {
      onEvent: (event) => collected.events.push(event),
      onComment: (comment) => collected.comments.push(comment),
      onRetry: (retry) => collected.retries.push(retry),
      onId: (id) => collected.ids.push(id),
      onError: (error) => collected.errors.push(error),
    },
    options,
  )
  return { decoder, collected }
}

/**
 * Feeds `chunks` to a fresh decoder, ends the stream, and returns what it reported.
 *
 * @param createDecoder - the decoder factory under test
 * @param chunks - the stream, as text or byte chunks
 * @param options - the decoder's options
 * @returns the events, comments, retry times, ids and errors, and the final last event ID
 * @example
 * ```ts
 * import { createDecoder } from '@ssekit/decoder'
 * collectEvents(createDecoder, ['data: a\n', '\n']).events // [{ data: 'a' }]
 * ```
 */
export function collectEvents<Event, Failure, Options>(
  createDecoder: DecoderFactory<Event, Failure, Options>,
  chunks: Iterable<string | Uint8Array>,
  options?: Options,
): CollectedEvents<Event, Failure> {
  const { decoder, collected } = createCollector(createDecoder, options)
  for (const chunk of chunks) decoder.feed(chunk)
  decoder.end()
  collected.lastEventId = decoder.lastEventId
  return collected
}
