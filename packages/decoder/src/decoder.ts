import { type ServerSentEvent, SSEError } from '@ssekit/shared'

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
  onError?: ((error: SSEError) => void) | undefined
}

/** Limits and the starting state of a decoder. */
export interface DecoderOptions {
  /**
   * The longest line, in UTF-16 code units, the decoder buffers. A longer line fails the stream
   * with `LINE_TOO_LONG`: memory stays bounded however hostile the input.
   * @defaultValue 16 MiB (16,777,216)
   */
  maxLineLength?: number | undefined
  /**
   * The most data, in UTF-16 code units, one event may accumulate. More fails the stream with
   * `EVENT_TOO_LARGE`.
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
   */
  feed(chunk: string | Uint8Array): void
  /**
   * Ends the current stream: an unfinished line and an undispatched event are discarded, as the
   * spec requires at end of file. The last event ID is kept, so the decoder can go straight on
   * with the next response of a reconnecting client.
   */
  end(): void
  /** Returns the decoder to its initial state, last event ID included. */
  reset(): void
  /** The spec's persistent "last event ID string": the id of the last committed block. */
  readonly lastEventId: string
}

/** Default for {@link DecoderOptions.maxLineLength} and {@link DecoderOptions.maxEventSize}. */
export const DEFAULT_MAX_LENGTH: number = 16 * 1024 * 1024

const LF_CODE = 10
const SPACE_CODE = 32
const BOM_CODE = 0xfeff

/**
 * Creates an incremental decoder implementing WHATWG HTML §9.2.5 "Parsing an event stream" and
 * §9.2.6 "Interpreting an event stream".
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
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
  const { onEvent, onComment, onRetry, onId, onError } = callbacks
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LENGTH
  const maxEventSize = options.maxEventSize ?? DEFAULT_MAX_LENGTH
  const initialLastEventId = options.lastEventId ?? ''

  // Stream state.
  /** Decodes byte chunks; `stream: true` carries a character cut between chunks over. */
  let textDecoder: TextDecoder | undefined
  /** True once the first character of this stream was seen, so only one leading BOM is stripped. */
  let started = false
  /** True when the last chunk ended in CR: an LF opening the next chunk completes that CRLF. */
  let afterCR = false
  /** The unfinished last line of the chunks so far. */
  let pending = ''
  /** True after a broken limit: input is ignored until `end()` or `reset()`. */
  let failed = false
  /** Input units (bytes, or code units for strings) fed before the current chunk. */
  let consumed = 0

  // Block state: the spec's buffers for the event being read.
  let data = ''
  /** Whether a `data` field was seen: `data:` alone appends an empty line and does dispatch. */
  let hasData = false
  let eventType = ''
  /** The spec's "last event ID buffer". */
  let lastEventIdBuffer = initialLastEventId
  /** Whether this block carried a valid `id` field. */
  let blockHasId = false
  /** The valid `retry` of this block, or -1. */
  let blockRetry = -1
  /** The spec's persistent "last event ID string". */
  let lastEventId = initialLastEventId

  function fail(error: SSEError): void {
    failed = true
    pending = ''
    data = ''
    hasData = false
    if (onError) onError(error)
    else throw error
  }

  function offsetAt(text: string, index: number, isBytes: boolean): number {
    if (!isBytes) return consumed + index
    // Error path only: the UTF-8 length of the decoded prefix is the byte position within the chunk.
    return consumed + new TextEncoder().encode(text.slice(0, index)).byteLength
  }

  function failLine(text: string, index: number, isBytes: boolean): void {
    fail(
      new SSEError(
        'LINE_TOO_LONG',
        `A line longer than maxLineLength (${maxLineLength}) ends near byte offset ${offsetAt(text, index, isBytes)}; raise maxLineLength if the stream is trusted.`,
        { offset: offsetAt(text, index, isBytes) },
      ),
    )
  }

  // §9.2.6 "dispatch the event".
  function dispatch(): void {
    // Step 1: the last event ID string takes the buffer's value. The buffer only changes through
    // an `id` field, so this is a change exactly when this block carried one.
    if (blockHasId) {
      lastEventId = lastEventIdBuffer
      if (onId) onId(lastEventId)
    }
    // Step 2: no data field, no event; the data and event type buffers are reset.
    if (!hasData) {
      eventType = ''
      blockHasId = false
      blockRetry = -1
      return
    }
    // Step 3 (remove the trailing LF) is implicit: lines are joined with LF, never ended by one.
    const event: ServerSentEvent = { data }
    // Step 5: an empty type buffer means the default type, which we leave absent.
    if (eventType !== '') event.event = eventType
    if (blockHasId) event.id = lastEventIdBuffer
    if (blockRetry !== -1) event.retry = blockRetry
    data = ''
    hasData = false
    eventType = ''
    blockHasId = false
    blockRetry = -1
    onEvent(event)
  }

  // §9.2.6: process one line, without its line ending.
  function processLine(line: string): void {
    const length = line.length
    // "If the line is empty (a blank line): dispatch the event."
    if (length === 0) {
      dispatch()
      return
    }
    const colon = line.indexOf(':')
    // "If the line starts with a U+003A COLON character: ignore the line." We pass it on.
    if (colon === 0) {
      if (onComment) onComment(line.slice(line.charCodeAt(1) === SPACE_CODE ? 2 : 1))
      return
    }
    // "If the line contains a colon": field before it, value after it with one leading space
    // removed. "Otherwise": the whole line is the field name and the value is empty.
    let valueStart = length
    let nameEnd = length
    if (colon !== -1) {
      nameEnd = colon
      valueStart = line.charCodeAt(colon + 1) === SPACE_CODE ? colon + 2 : colon + 1
    }
    // Field names are case-sensitive; compare without slicing the name out.
    if (nameEnd === 4 && line.startsWith('data')) {
      // "Append the field value to the data buffer, then append a single LF." Joining with LF
      // instead is the same string once dispatch removes the trailing LF.
      const value = valueStart >= length ? '' : line.slice(valueStart)
      if (hasData) {
        if (data.length + 1 + value.length > maxEventSize) {
          failEvent()
          return
        }
        data = `${data}\n${value}`
      } else {
        if (value.length > maxEventSize) {
          failEvent()
          return
        }
        data = value
        hasData = true
      }
    } else if (nameEnd === 5 && line.startsWith('event')) {
      // "Set the event type buffer to the field value." An empty value resets it.
      eventType = line.slice(valueStart)
    } else if (nameEnd === 2 && line.startsWith('id')) {
      // "If the field value does not contain U+0000 NULL, then set the last event ID buffer to
      // the field value. Otherwise, ignore the field."
      const value = line.slice(valueStart)
      if (value.indexOf('\0') === -1) {
        lastEventIdBuffer = value
        blockHasId = true
      }
    } else if (nameEnd === 5 && line.startsWith('retry')) {
      // "If the field value consists of only ASCII digits, then interpret the field value as an
      // integer in base ten, and set the event stream's reconnection time to that integer.
      // Otherwise, ignore the field." An empty value is ignored, as every browser does.
      if (valueStart >= length) return
      for (let i = valueStart; i < length; i++) {
        const code = line.charCodeAt(i)
        if (code < 48 || code > 57) return
      }
      blockRetry = Number.parseInt(line.slice(valueStart), 10)
      if (onRetry) onRetry(blockRetry)
    }
    // "Otherwise: the field is ignored."
  }

  function failEvent(): void {
    fail(
      new SSEError(
        'EVENT_TOO_LARGE',
        `An event's data grew past maxEventSize (${maxEventSize}) before byte offset ${consumed}; raise maxEventSize if the stream is trusted.`,
        { field: 'data', offset: consumed },
      ),
    )
  }

  // §9.2.5: split decoded text into lines ended by CRLF, LF or CR. Each of `text`'s characters is
  // looked at by at most one indexOf per line ending, and an unfinished line is only appended to
  // (a rope, flattened once when its line ends), so a long line in tiny chunks stays linear.
  function scan(text: string, isBytes: boolean): void {
    const length = text.length
    if (length === 0) return
    let start = 0
    if (!started) {
      started = true
      // "One leading U+FEFF BYTE ORDER MARK character must be ignored if any are present."
      if (text.charCodeAt(0) === BOM_CODE) start = 1
    }
    if (afterCR) {
      afterCR = false
      if (text.charCodeAt(start) === LF_CODE) start++
    }
    let lf = text.indexOf('\n', start)
    // When the chunk holds no CR this one scan says so, and it is never repeated.
    let cr = text.indexOf('\r', start)
    while (lf !== -1 || cr !== -1) {
      let end: number
      let next: number
      if (cr === -1 || (lf !== -1 && lf < cr)) {
        end = lf
        next = lf + 1
        lf = text.indexOf('\n', next)
      } else {
        end = cr
        next = cr + 1
        if (next < length) {
          if (text.charCodeAt(next) === LF_CODE) {
            next++
            lf = text.indexOf('\n', next)
          }
        } else {
          // A CR ends the chunk: the line is complete, but an LF may open the next chunk.
          afterCR = true
        }
        cr = text.indexOf('\r', next)
      }
      if (pending.length + (end - start) > maxLineLength) {
        failLine(text, end, isBytes)
        return
      }
      const line = pending.length === 0 ? text.slice(start, end) : pending + text.slice(start, end)
      pending = ''
      processLine(line)
      if (failed) return
      start = next
    }
    if (start < length) {
      if (pending.length + (length - start) > maxLineLength) {
        failLine(text, length, isBytes)
        return
      }
      pending = pending.length === 0 ? text.slice(start) : pending + text.slice(start)
    }
  }

  function endStream(): void {
    // A character cut off by the end of the stream decodes to U+FFFD, which could only extend the
    // unfinished line; that line is discarded below, so just drop the decoder.
    textDecoder = undefined
    pending = ''
    afterCR = false
    started = false
    failed = false
    consumed = 0
    // "If the file ends in the middle of an event, before the final empty line, the incomplete
    // event is not dispatched": its buffers go, and an id it carried was never committed.
    data = ''
    hasData = false
    eventType = ''
    blockHasId = false
    blockRetry = -1
    lastEventIdBuffer = lastEventId
  }

  return {
    feed(chunk: string | Uint8Array): void {
      if (failed) return
      if (typeof chunk === 'string') {
        // Bytes left in the UTF-8 decoder by earlier byte chunks end as U+FFFD before the text.
        if (textDecoder !== undefined) {
          const tail = textDecoder.decode()
          textDecoder = undefined
          scan(tail, true)
          if (failed) return
        }
        scan(chunk, false)
        consumed += chunk.length
      } else {
        // "Event streams are always decoded as UTF-8": invalid sequences become U+FFFD. The BOM
        // is ours to strip, once, so the decoder must not eat one at every stream start.
        textDecoder ??= new TextDecoder('utf-8', { ignoreBOM: true })
        scan(textDecoder.decode(chunk, { stream: true }), true)
        consumed += chunk.byteLength
      }
    },
    end: endStream,
    reset(): void {
      endStream()
      lastEventId = initialLastEventId
      lastEventIdBuffer = initialLastEventId
    },
    get lastEventId(): string {
      return lastEventId
    },
  }
}
