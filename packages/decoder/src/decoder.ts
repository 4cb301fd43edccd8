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
   * The longest line the decoder buffers: counted in bytes for byte chunks, in UTF-16 code units
   * for string chunks (a line's code units never outnumber its UTF-8 bytes). A longer line fails
   * the stream with `LINE_TOO_LONG`, so memory stays bounded however hostile the input.
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

/** Default for {@link DecoderOptions.maxLineLength} and {@link DecoderOptions.maxEventSize}. */
export const DEFAULT_MAX_LENGTH: number = 16 * 1024 * 1024

const LF = 10
const CR = 13
const SPACE = 32
const COLON = 58
const BOM = 0xfeff
/** The size a fresh line buffer starts at; it doubles as a long line grows. */
const INITIAL_BUFFER_SIZE = 256
/** Byte chunks shorter than this are buffered until a line ends (see `feedBytes`). */
const SMALL_CHUNK = 64
/** A line longer than this is buffered as bytes and decoded once (see `feedBytes`). */
const LONG_LINE = 32 * 1024
/** Chunks shorter than this are searched for a line end byte by byte rather than decoded. */
const BYTE_SEARCH = 256
/**
 * Lines of at least this many ASCII bytes become strings through Node's `latin1Slice` (see
 * `decodeLongAscii`); Node keeps strings past about 1 MB (its `EXTERN_APEX`) outside V8's heap.
 */
const EXTERNAL_STRING = 1024 * 1024

/**
 * Node's (and Bun's) `Buffer.prototype.latin1Slice`, when the runtime has a native one: it turns
 * bytes into a one-byte string with a copy, and makes strings of over about 1 MB external, so V8
 * need not allocate them in its large-object space. Measured on Node 20 for one 8 MB ASCII line:
 * TextDecoder ~270 MB/s, latin1Slice ~3 GB/s. Absent in browsers and Deno, where TextDecoder is
 * used; a polyfilled (non-native) Buffer is ignored.
 */
const latin1Slice: ((this: Uint8Array, start: number, end: number) => string) | undefined = (() => {
  const slice = (globalThis as { Buffer?: { prototype?: { latin1Slice?: unknown } } }).Buffer
    ?.prototype?.latin1Slice
  if (typeof slice !== 'function') return undefined
  return /\[native code\]/.test(Function.prototype.toString.call(slice))
    ? (slice as (this: Uint8Array, start: number, end: number) => string)
    : undefined
})()

/**
 * Whether `bytes` is all ASCII. It ORs four bytes at a time where the view is aligned: 1.9 ms for
 * 8 MB against 8.8 ms for a byte loop (Node 20), beside the ~30 ms of decoding it saves.
 */
function isAscii(bytes: Uint8Array): boolean {
  const length = bytes.length
  let bits = 0
  let i = 0
  const head = Math.min(length, (4 - (bytes.byteOffset & 3)) & 3)
  for (; i < head; i++) bits |= bytes[i] as number
  const words = (length - i) >> 2
  if (words > 0) {
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words)
    for (let k = 0; k < words; k++) bits |= view[k] as number
    i += words * 4
  }
  for (; i < length; i++) bits |= bytes[i] as number
  return (bits & 0x80808080) === 0
}

/** Whether `text` holds neither CR nor LF. */
function noLineEnd(text: string): boolean {
  return text.indexOf('\n') === -1 && text.indexOf('\r') === -1
}

/** Whether `bytes[from, to)` holds a CR or LF, by a byte loop: cheaper than decoding a few bytes. */
function hasLineEndByte(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const byte = bytes[i]
    if (byte === LF || byte === CR) return true
  }
  return false
}

/**
 * Where the UTF-8 character cut by the end of `bytes[0, length)` starts, or `length` when the
 * bytes end with a whole character (or with invalid bytes, which decode alike either way).
 * Cutting right before a byte that is not a continuation byte (10xxxxxx) never changes what a
 * UTF-8 decoder outputs, so the two parts can be decoded separately.
 */
function completeLength(bytes: Uint8Array, length: number): number {
  const stop = length > 3 ? length - 3 : 0
  for (let i = length - 1; i >= stop; i--) {
    const byte = bytes[i] as number
    if (byte < 0x80) return length
    if (byte >= 0xc0) {
      // A lead byte: 110xxxxx starts 2 bytes, 1110xxxx 3, 11110xxx 4.
      const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2
      return length - i < size ? i : length
    }
  }
  return length
}

/**
 * Creates an incremental decoder implementing the WHATWG HTML "Server-sent events" parsing
 * ("Parsing an event stream") and interpretation ("Interpreting an event stream") of
 * `text/event-stream`.
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
 *
 * How it is fast (measured on Node 20 against eventsource-parser + a streaming TextDecoder; see
 * BENCHMARKS.md): byte chunks are never decoded in `stream` mode. The bytes after a chunk's last
 * line ending are kept as bytes, and only complete lines are decoded, in one `TextDecoder` call
 * per chunk that completes a line. A line ending (CR or LF) is never part of a multi-byte
 * sequence, so those calls never cut a character and need no streaming state; a long line in
 * tiny chunks is copied into one doubling buffer and decoded once, which keeps it linear.
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

  // "Event streams are always decoded as UTF-8": invalid sequences become U+FFFD. Both decoders
  // keep a BOM (`ignoreBOM`): stripping the one leading BOM is ours to do, once per stream.
  /**
   * Decodes complete lines. Never given `stream: true`: Node 20 (v20.20) turns its UTF-8 fast
   * path off for good once a decoder sees `stream: true` (`this[kUTF8FastPath] &&= !stream`), and
   * that fast path decodes ASCII about 4× faster than the ICU converter behind it.
   */
  const fastDecoder = new TextDecoder('utf-8', { ignoreBOM: true })
  /**
   * The same decoding through ICU, used while the text is not ASCII: Node 20's fast path is about
   * 4× slower than ICU on multi-byte text (measured 25 vs 108 MB/s). It is only ever given whole
   * lines, so it is back in its initial state after every call.
   */
  let icuDecoder: TextDecoder | undefined
  /** True while the last decoded bytes held non-ASCII text, so ICU should decode the next ones. */
  let preferIcu = false

  // Stream state.
  /** True once the first character of this stream was seen, so only one leading BOM is stripped. */
  let started = false
  /** True when the input so far ended in CR: an LF opening the next chunk completes that CRLF. */
  let afterCR = false
  /** The unfinished last line's bytes, `lineBytes[0, lineByteLength)`, for byte chunks. */
  let lineBytes = new Uint8Array(0)
  let lineByteLength = 0
  /** The unfinished last line's text (it precedes any `lineBytes`). */
  let lineText = ''
  /** True when `lineText` was decoded from bytes (not fed as a string), so it re-encodes exactly. */
  let lineTextIsUtf8 = true
  /** True after a broken limit: input is ignored until `end()` or `reset()`. */
  let failed = false
  /** Input units (bytes, or code units for strings) fed before the current chunk. */
  let consumed = 0

  // Block state: the spec's buffers for the event being read.
  /** The spec's "data buffer", its lines joined with LF (no trailing LF). */
  let data = ''
  /** Whether a `data` field was seen: `data:` alone appends an empty line and does dispatch. */
  let hasData = false
  /** The spec's "event type buffer". */
  let eventType = ''
  /** The spec's "last event ID buffer". */
  let lastEventIdBuffer = initialLastEventId
  /** Whether this block carried a valid `id` field. */
  let blockHasId = false
  /** The valid `retry` of this block, or -1. */
  let blockRetry = -1
  /** The spec's persistent "last event ID string". */
  let lastEventId = initialLastEventId

  function fail(code: 'LINE_TOO_LONG' | 'EVENT_TOO_LARGE', offset: number): void {
    failed = true
    lineBytes = new Uint8Array(0)
    lineByteLength = 0
    lineText = ''
    lineTextIsUtf8 = true
    data = ''
    hasData = false
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

  /**
   * The stream offset of `text[index]`, for errors only. `textOffset` is the stream offset of
   * `text`'s start; for bytes, the UTF-8 length of the text before `index` is its distance from
   * there (exact unless invalid bytes were replaced by U+FFFD).
   */
  function offsetOf(text: string, index: number, textOffset: number, isBytes: boolean): number {
    if (!isBytes) return textOffset + index
    return textOffset + new TextEncoder().encode(text.slice(0, index)).byteLength
  }

  /** Fails the stream for a line that is too long; `index` is the first unit past the limit. */
  function failLine(text: string, index: number, textOffset: number, isBytes: boolean): void {
    fail('LINE_TOO_LONG', offsetOf(text, index, textOffset, isBytes))
  }

  // "Dispatch the event".
  // https://html.spec.whatwg.org/multipage/server-sent-events.html#dispatchMessage
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
    // Step 5: an empty type buffer means the default type, which we leave absent. One literal per
    // common shape, keys in one order: no shape transitions while building the event.
    let event: ServerSentEvent
    if (eventType === '') event = blockHasId ? { data, id: lastEventIdBuffer } : { data }
    else if (blockHasId) event = { data, event: eventType, id: lastEventIdBuffer }
    else event = { data, event: eventType }
    if (blockRetry !== -1) event.retry = blockRetry
    data = ''
    hasData = false
    eventType = ''
    blockHasId = false
    blockRetry = -1
    onEvent(event)
  }

  /**
   * "If the field value does not contain U+0000 NULL, then set the last event ID buffer to the
   * field value. Otherwise, ignore the field."
   */
  function setId(value: string): void {
    if (value.indexOf('\0') === -1) {
      lastEventIdBuffer = value
      blockHasId = true
    }
  }

  /** "Append the field value to the data buffer, then append a single LF." */
  function appendData(value: string): boolean {
    // Joining with LF instead is the same string once dispatch removes the trailing LF.
    if (hasData) {
      if (data.length + 1 + value.length > maxEventSize) return false
      data = `${data}\n${value}`
    } else {
      if (value.length > maxEventSize) return false
      data = value
      hasData = true
    }
    return true
  }

  /**
   * "Interpreting an event stream": processes the line `text[start, end)`, which is not blank.
   * Returns false when the event grew past its limit.
   * https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
   */
  function processLine(text: string, start: number, end: number): boolean {
    const first = text.charCodeAt(start)
    // Fast path, measured ~15% on data-heavy streams: `data:` is most lines, so it is recognised
    // on the chunk's text by char codes, and only its value is sliced out.
    if (
      first === 100 &&
      text.charCodeAt(start + 1) === 97 &&
      text.charCodeAt(start + 2) === 116 &&
      text.charCodeAt(start + 3) === 97 &&
      start + 4 < end &&
      text.charCodeAt(start + 4) === COLON
    ) {
      let valueStart = start + 5
      if (valueStart < end && text.charCodeAt(valueStart) === SPACE) valueStart++
      return appendData(valueStart === end ? '' : text.slice(valueStart, end))
    }
    // The same for `event:` and `id:`, the next most common lines (named events with ids: ~25%).
    if (
      first === 101 &&
      text.charCodeAt(start + 1) === 118 &&
      text.charCodeAt(start + 2) === 101 &&
      text.charCodeAt(start + 3) === 110 &&
      text.charCodeAt(start + 4) === 116 &&
      start + 5 < end &&
      text.charCodeAt(start + 5) === COLON
    ) {
      let valueStart = start + 6
      if (valueStart < end && text.charCodeAt(valueStart) === SPACE) valueStart++
      // "Set the event type buffer to the field value." An empty value resets it.
      eventType = valueStart === end ? '' : text.slice(valueStart, end)
      return true
    }
    if (
      first === 105 &&
      text.charCodeAt(start + 1) === 100 &&
      start + 2 < end &&
      text.charCodeAt(start + 2) === COLON
    ) {
      let valueStart = start + 3
      if (valueStart < end && text.charCodeAt(valueStart) === SPACE) valueStart++
      setId(valueStart === end ? '' : text.slice(valueStart, end))
      return true
    }
    // "If the line starts with a U+003A COLON character: ignore the line." We pass it on.
    if (first === COLON) {
      if (onComment) {
        onComment(
          text.slice(
            text.charCodeAt(start + 1) === SPACE && start + 1 < end ? start + 2 : start + 1,
            end,
          ),
        )
      }
      return true
    }
    // Every other line is sliced out, so the colon search cannot run past its end.
    const line = text.slice(start, end)
    const length = line.length
    const colon = line.indexOf(':')
    // "If the line contains a colon": field before it, value after it with one leading space
    // removed. "Otherwise": the whole line is the field name and the value is empty.
    let nameEnd = length
    let valueStart = length
    if (colon !== -1) {
      nameEnd = colon
      valueStart = line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1
    }
    // Field names are compared case-sensitively; by length first, without slicing the name.
    if (nameEnd === 4 && line.startsWith('data')) {
      return appendData(line.slice(valueStart))
    }
    if (nameEnd === 5 && line.startsWith('event')) {
      // "Set the event type buffer to the field value." An empty value resets it.
      eventType = line.slice(valueStart)
    } else if (nameEnd === 2 && line.startsWith('id')) {
      setId(line.slice(valueStart))
    } else if (nameEnd === 5 && line.startsWith('retry')) {
      // "If the field value consists of only ASCII digits, then interpret the field value as an
      // integer in base ten, and set the event stream's reconnection time to that integer.
      // Otherwise, ignore the field." An empty value is not "only digits" in any browser, and a
      // value beyond Number.MAX_SAFE_INTEGER is ignored as browsers ignore integer overflow.
      if (valueStart >= length) return true
      for (let i = valueStart; i < length; i++) {
        const code = line.charCodeAt(i)
        if (code < 48 || code > 57) return true
      }
      const retry = Number.parseInt(line.slice(valueStart), 10)
      if (retry > Number.MAX_SAFE_INTEGER) return true
      blockRetry = retry
      if (onRetry) onRetry(retry)
    }
    // "Otherwise: the field is ignored."
    return true
  }

  /**
   * "Parsing an event stream": splits `text` into lines ended by CRLF, LF or CR and processes
   * them; what follows the last line ending is kept in `lineText`. A pending `lineText` is the
   * start of `text`'s first line. Each character is looked at by at most one indexOf per kind of
   * line ending, and a pending line is only ever appended to (V8 makes that a rope, flattened
   * once when the line ends), so a long line in tiny chunks stays linear.
   */
  function scan(text: string, textOffset: number, isBytes: boolean): void {
    const length = text.length
    if (length === 0) return
    let start = 0
    if (!started) {
      started = true
      // "One leading U+FEFF BYTE ORDER MARK character must be ignored if any are present."
      if (text.charCodeAt(0) === BOM) start = 1
    }
    if (afterCR) {
      afterCR = false
      if (text.charCodeAt(start) === LF) start++
    }
    let lf = text.indexOf('\n', start)
    // When the text holds no CR this one search says so, and it is never repeated.
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
          if (text.charCodeAt(next) === LF) {
            next++
            lf = text.indexOf('\n', next)
          }
        } else {
          // A CR ends the text: the line is complete, but an LF may open the next chunk.
          afterCR = true
        }
        cr = text.indexOf('\r', next)
      }
      let ok: boolean
      if (lineText.length !== 0) {
        if (lineText.length + (end - start) > maxLineLength) {
          failLine(text, start + maxLineLength - lineText.length, textOffset, isBytes)
          return
        }
        const line = lineText + text.slice(start, end)
        lineText = ''
        lineTextIsUtf8 = true
        ok = processLine(line, 0, line.length)
      } else if (start === end) {
        // "If the line is empty (a blank line): dispatch the event."
        dispatch()
        ok = true
      } else {
        if (end - start > maxLineLength) {
          failLine(text, start + maxLineLength, textOffset, isBytes)
          return
        }
        ok = processLine(text, start, end)
      }
      if (!ok) {
        fail('EVENT_TOO_LARGE', offsetOf(text, end, textOffset, isBytes))
        return
      }
      start = next
    }
    if (start < length) {
      if (lineText.length + (length - start) > maxLineLength) {
        failLine(text, start + maxLineLength - lineText.length, textOffset, isBytes)
        return
      }
      lineText = lineText.length === 0 ? text.slice(start) : lineText + text.slice(start)
      if (!isBytes) lineTextIsUtf8 = false
    }
  }

  /** Decodes whole lines of UTF-8, through whichever decoder is faster for the recent text. */
  function decodeLines(bytes: Uint8Array): string {
    if (bytes.length >= EXTERNAL_STRING && latin1Slice !== undefined && isAscii(bytes)) {
      // ASCII is the same text in Latin-1, and this string lives outside V8's heap.
      return latin1Slice.call(bytes, 0, bytes.length)
    }
    if (preferIcu) {
      icuDecoder ??= new TextDecoder('utf-8', { ignoreBOM: true })
      // `stream: true` only keeps this decoder off the fast path; whole lines leave no state.
      const text = icuDecoder.decode(bytes, { stream: true })
      // As many code units as bytes: ASCII again (or invalid bytes, each one U+FFFD).
      if (text.length === bytes.length) preferIcu = false
      return text
    }
    const text = fastDecoder.decode(bytes)
    if (text.length !== bytes.length) preferIcu = true
    return text
  }

  /** Appends `chunk[from, to)` to the unfinished line's bytes, growing the buffer by doubling. */
  function bufferLine(chunk: Uint8Array, from: number, to: number): void {
    const size = lineByteLength + (to - from)
    if (size + lineText.length > maxLineLength) {
      // The first byte past the limit.
      fail('LINE_TOO_LONG', consumed + to - (size + lineText.length - maxLineLength))
      return
    }
    if (size > lineBytes.length) {
      // Doubling keeps a long line in tiny chunks linear; the cap keeps memory within the limit.
      const grown = new Uint8Array(
        Math.min(Math.max(size, lineBytes.length * 2, INITIAL_BUFFER_SIZE), maxLineLength),
      )
      grown.set(lineBytes.subarray(0, lineByteLength))
      lineBytes = grown
    }
    if (to - from < 16) {
      // A loop beats `set()`'s call overhead for the few bytes of a tiny chunk.
      for (let i = from; i < to; i++) lineBytes[lineByteLength++] = chunk[i] as number
    } else {
      // A whole chunk (the common case for a long line) needs no view made of it.
      lineBytes.set(
        from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to),
        lineByteLength,
      )
      lineByteLength = size
    }
  }

  /** Moves an unfinished line's bytes into `lineText`, before text chunks or at a flush. */
  function flushLineBytes(): void {
    if (lineByteLength === 0) return
    // A character cut off here decodes to U+FFFD, as at the end of a streaming decode.
    const tail = fastDecoder.decode(lineBytes.subarray(0, lineByteLength))
    lineByteLength = 0
    scan(tail, consumed, true)
  }

  /**
   * Decodes a byte chunk. Two paths, because the costs differ by chunk size (measured on Node 20):
   * - a small chunk (under SMALL_CHUNK bytes) is looked at byte by byte from its end for a line
   *   ending; without one it is only copied, so a stream of tiny chunks costs one decode per line,
   *   not one per chunk (1–16-byte chunks: about 3× faster than a decode per chunk);
   * - a larger chunk is decoded at once (decoding plus a string search runs at about 6 GB/s, a
   *   byte loop at about 1 GB/s) up to its last complete character; the bytes of a character cut
   *   by the chunk's end wait for the next chunk.
   */
  function feedBytes(chunk: Uint8Array): void {
    const length = chunk.length
    let start = 0
    if (afterCR && length > 0) {
      afterCR = false
      if (chunk[0] === LF) start = 1
    }
    if (length - start < SMALL_CHUNK) {
      // The chunk's last line ending: everything before it is whole lines.
      let last = length - 1
      for (; last >= start; last--) {
        const byte = chunk[last]
        if (byte === LF || byte === CR) break
      }
      if (last < start) {
        bufferLine(chunk, start, length)
        return
      }
      bufferLine(chunk, start, last + 1)
      if (failed) return
      const textOffset = consumed + last + 1 - lineByteLength
      const text = decodeLines(lineBytes.subarray(0, lineByteLength))
      lineByteLength = 0
      scan(text, textOffset, true)
      if (failed) return
      // A CR that is the chunk's last byte may be half a CRLF.
      afterCR = last === length - 1 && chunk[last] === CR
      if (last + 1 < length) bufferLine(chunk, last + 1, length)
      return
    }
    // Decoding a larger chunk and searching the text for line ends is far faster than a byte
    // loop (measured ~6 GB/s against ~1 GB/s). A character cut by the chunk's end is left out,
    // to be decoded with the next chunk.
    if (lineByteLength >= LONG_LINE) {
      // A long line is waiting as bytes: is this chunk more of it? Bytes 0x0A and 0x0D are LF and
      // CR wherever they are, and no other byte decodes to either, so a byte loop can tell. A
      // larger chunk of ASCII is decoded and searched instead (about 6× faster than the loop at
      // 16 KB; its first bytes may end a character and decode wrongly on their own, which does
      // not matter to a search for line ends). Not one of non-ASCII text: decoding it costs as
      // much as the decode of the whole line that follows (4 MB of é in 16 KB chunks: 32 → 23 ms).
      const more =
        length - start < BYTE_SEARCH || preferIcu
          ? !hasLineEndByte(chunk, start, length)
          : noLineEnd(decodeLines(chunk.subarray(start, completeLength(chunk, length))))
      if (more) {
        bufferLine(chunk, start, length)
        return
      }
    }
    let bytes = chunk
    let from = start
    let total = length
    let textOffset = consumed + start
    if (lineByteLength !== 0) {
      // Waiting bytes (a cut character, a line from tiny chunks, a long line) go first.
      textOffset = consumed - lineByteLength
      bufferLine(chunk, start, length)
      if (failed) return
      bytes = lineBytes
      from = 0
      total = lineByteLength
      lineByteLength = 0
    }
    const cut = completeLength(bytes, total)
    const text = decodeLines(bytes.subarray(from, cut))
    if (lineText.length + text.length >= LONG_LINE && noLineEnd(text)) {
      // A line turning long: keep its bytes, so it is copied into one doubling buffer and
      // decoded once. Allocating a large string is costly in V8 (measured ~250 MB/s for 1 MB
      // strings, 30× slower than for 16 KB ones), so a long line must become a string only once.
      if (bytes === lineBytes) lineByteLength = total
      moveLineTextToBytes()
      if (bytes !== lineBytes) bufferLine(chunk, start, length)
      return
    }
    keepCutCharacter(bytes, cut, total)
    scan(text, textOffset, true)
    // When a cut character was kept, a CR ending the text was not the chunk's last byte, so the
    // next chunk cannot complete a CRLF with it.
    if (lineByteLength !== 0) afterCR = false
  }

  /** Puts a long line's start, decoded from bytes, back in front of its waiting bytes. */
  function moveLineTextToBytes(): void {
    if (lineText.length === 0 || !lineTextIsUtf8 || failed) return
    // Text decoded from UTF-8 holds no lone surrogates, so it re-encodes to the same characters.
    const head = new TextEncoder().encode(lineText)
    const waiting = lineBytes.slice(0, lineByteLength)
    lineText = ''
    lineByteLength = 0
    bufferLine(head, 0, head.length)
    bufferLine(waiting, 0, waiting.length)
  }

  /** Keeps the at most 3 bytes `bytes[cut, length)` of a cut character for the next chunk. */
  function keepCutCharacter(bytes: Uint8Array, cut: number, length: number): void {
    if (cut === length) return
    if (lineBytes.length < 4) lineBytes = new Uint8Array(INITIAL_BUFFER_SIZE)
    // `set` copies correctly even when both views share `lineBytes`' buffer.
    lineBytes.set(bytes.subarray(cut, length))
    lineByteLength = length - cut
  }

  function endStream(): void {
    // "If the file ends in the middle of an event, before the final empty line, the incomplete
    // event is not dispatched": the unfinished line and the block's buffers go, and an id the
    // block carried was never committed.
    lineByteLength = 0
    if (lineBytes.length > INITIAL_BUFFER_SIZE) lineBytes = new Uint8Array(0)
    lineText = ''
    lineTextIsUtf8 = true
    afterCR = false
    started = false
    failed = false
    consumed = 0
    preferIcu = false
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
        // Bytes of an unfinished line from earlier byte chunks come first.
        flushLineBytes()
        if (failed) return
        scan(chunk, consumed, false)
        consumed += chunk.length
      } else {
        feedBytes(chunk)
        consumed += chunk.length
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
