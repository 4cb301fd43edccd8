import { type DecoderErrorCode, type ServerSentEvent, SSEError } from '@ssekit/shared'
import { createInterpreter } from './interpreter.ts'
import { createLineReader } from './line-reader.ts'

/**
 * What a decoder reports. Only `onEvent` is required.
 */
export interface DecoderCallbacks {
  /** Called for every dispatched event, in stream order. */
  onEvent: (event: ServerSentEvent) => void
  /** Called for every comment line (`:text`), with one leading space removed. */
  onComment?: ((comment: string) => void) | undefined
  /** Called as soon as a valid `retry` field is read, with the new reconnection time in ms. */
  onRetry?: ((retry: number) => void) | undefined
  /**
   * Called when the last event ID changes hands: at the blank line ending a block that carried a
   * valid `id` field, even a block without data (it is never dispatched as an event, but the
   * spec still commits its id). Called before `onEvent` for the same block.
   */
  onId?: ((id: string) => void) | undefined
  /**
   * Called with a typed error when a limit is exceeded. The rest of the stream is then ignored
   * until `end()` or `reset()`. Without `onError`, `feed` throws the error instead.
   */
  onError?: ((error: SSEError<DecoderErrorCode>) => void) | undefined
}

/** Limits and the starting state of a decoder. */
export interface DecoderOptions {
  /**
   * The longest line the decoder buffers, in bytes, its line ending not counted: the bytes on the
   * wire for byte chunks, the UTF-8 size for text chunks, the same under every chunking. A longer
   * line fails the stream with `LINE_TOO_LONG`, so memory stays bounded however hostile the input.
   * @defaultValue 16 MiB (16,777,216)
   */
  maxLineLength?: number | undefined
  /**
   * The most data one event may accumulate, in UTF-8 bytes of its `data` (the data lines' values
   * joined by LF). More fails the stream with `EVENT_TOO_LARGE`.
   * @defaultValue 16 MiB (16,777,216)
   */
  maxEventSize?: number | undefined
  /**
   * The last event ID to start from, for example one restored after a page reload.
   * @defaultValue `''`
   */
  lastEventId?: string | undefined
}

/** An incremental `text/event-stream` decoder: see {@link createDecoder}. */
export interface Decoder {
  /**
   * Decodes the next chunk of the stream. Bytes are UTF-8; strings are taken as already decoded
   * text. Chunks may be cut anywhere, even inside a CRLF or a multi-byte character.
   *
   * @param chunk - the next bytes or text of the stream
   * @throws SSEError `LINE_TOO_LONG` or `EVENT_TOO_LARGE` when a limit breaks and no `onError`
   * was given
   */
  feed(chunk: string | Uint8Array): void
  /**
   * Ends the current stream: an unfinished line and an undispatched event are discarded, as the
   * spec requires at end of file. The last event ID is kept, so the decoder can go straight on
   * with the next response of a reconnecting client (whose leading BOM is stripped again).
   */
  end(): void
  /** Returns the decoder to its initial state, last event ID included. */
  reset(): void
  /** The spec's persistent "last event ID string": the id of the last committed block. */
  readonly lastEventId: string
}

/** The defaults of {@link DecoderOptions}: 16 MiB (16,777,216 bytes) for each limit. */
export const DECODER_DEFAULTS: { readonly maxLineLength: number; readonly maxEventSize: number } = {
  maxLineLength: 16 * 1024 * 1024,
  maxEventSize: 16 * 1024 * 1024,
}

/**
 * Creates an incremental decoder implementing the WHATWG HTML "Server-sent events" parsing
 * ("Parsing an event stream", `line-reader.ts`) and interpretation ("Interpreting an event
 * stream", `interpreter.ts`) of `text/event-stream`.
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
 *
 * Byte chunks are decoded line by line, never in `stream` mode: the bytes up to a chunk's last
 * line ending are whole lines, decoded in one call, and the rest waits as bytes until its line
 * ends. So each byte is decoded once, and a long line in tiny chunks stays linear.
 *
 * @param callbacks - where events, comments, retry times, ids and errors go
 * @param options - limits and the initial last event ID
 * @returns a decoder to feed chunks to
 *
 * @example
 * ```ts
 * const decoder = createDecoder({ onEvent: (event) => console.log(event.data) })
 * decoder.feed('data: hel')
 * decoder.feed('lo\n\n') // logs "hello"
 * ```
 */
export function createDecoder(callbacks: DecoderCallbacks, options: DecoderOptions = {}): Decoder {
  const { onError } = callbacks
  const maxLineLength = options.maxLineLength ?? DECODER_DEFAULTS.maxLineLength
  const maxEventSize = options.maxEventSize ?? DECODER_DEFAULTS.maxEventSize
  const interpreter = createInterpreter(callbacks, maxEventSize, options.lastEventId ?? '')

  function fail(code: 'LINE_TOO_LONG' | 'EVENT_TOO_LARGE', offset: number): void {
    // The event being read is lost with the stream's rest.
    interpreter.endStream()
    const error =
      code === 'LINE_TOO_LONG'
        ? new SSEError(
            code,
            `A line grew past maxLineLength (${maxLineLength}) at byte offset ${offset}; raise maxLineLength if the stream is trusted.`,
            { offset },
          )
        : new SSEError(
            code,
            `An event's data grew past maxEventSize (${maxEventSize}) at byte offset ${offset}; raise maxEventSize if the stream is trusted.`,
            { field: 'data', offset },
          )
    if (onError) onError(error)
    else throw error
  }

  const reader = createLineReader(interpreter.line, interpreter.dispatch, fail, maxLineLength)

  return {
    feed(chunk: string | Uint8Array): void {
      if (typeof chunk === 'string') reader.feedText(chunk)
      else reader.feedBytes(chunk)
    },
    end(): void {
      reader.endStream()
      interpreter.endStream()
    },
    reset(): void {
      reader.endStream()
      interpreter.reset()
    },
    get lastEventId(): string {
      return interpreter.lastEventId
    },
  }
}
