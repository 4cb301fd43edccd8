import type { ServerSentEvent } from '@ssekit/shared'
import { utf8Length } from './utf8-length.ts'

/**
 * The WHATWG "Interpreting an event stream" rules for one line at a time, with no knowledge of
 * bytes, chunks or line endings: `line-reader.ts` cuts the stream into lines and hands each one
 * here. This module can be checked against the spec's §9.2.6 alone.
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */

/** What the interpreter reports: events, comments, retry times and committed ids. */
export interface InterpreterCallbacks {
  onEvent: (event: ServerSentEvent) => void
  onComment?: ((comment: string) => void) | undefined
  onRetry?: ((retry: number) => void) | undefined
  onId?: ((id: string) => void) | undefined
}

/** The state of one event stream's interpretation. */
export interface Interpreter {
  /**
   * Processes the line `text[start, end)` (without its line ending): a blank line dispatches the
   * event. `ascii` tells that the text is known to be ASCII. Returns false when the event's data
   * grew past `maxEventSize`.
   */
  line(text: string, start: number, end: number, ascii: boolean): boolean
  /** "If the line is empty (a blank line): dispatch the event." */
  dispatch(): void
  /** Drops the block being read, as at the end of a stream; the last event ID is kept. */
  endStream(): void
  /** Forgets everything, the last event ID too (back to the initial one). */
  reset(): void
  /** The spec's persistent "last event ID string". */
  readonly lastEventId: string
}

const SPACE = 32
const COLON = 58
/**
 * Any character outside ASCII: V8 scans one-byte text for a regular expression natively, so this
 * beats a loop over char codes (BENCHMARKS.md, Decoder: large-json).
 */
const NON_ASCII = /[^\0-\x7f]/

/** The UTF-8 size of `text`: its length when it is ASCII, the common case for huge events. */
function sizeOf(text: string): number {
  return NON_ASCII.test(text) ? utf8Length(text, 0, text.length) : text.length
}

/**
 * Creates the interpretation state of one event stream.
 *
 * @param callbacks - where events, comments, retry times and ids go
 * @param maxEventSize - the most UTF-8 bytes an event's data may hold
 * @param initialLastEventId - the last event ID to start from (and return to on `reset`)
 * @returns the interpreter
 */
export function createInterpreter(
  callbacks: InterpreterCallbacks,
  maxEventSize: number,
  initialLastEventId: string,
): Interpreter {
  const { onEvent, onComment, onRetry, onId } = callbacks

  /** The spec's "data buffer", its lines joined with LF (no trailing LF). */
  let data = ''
  /** Whether a `data` field was seen: `data:` alone appends an empty line and does dispatch. */
  let hasData = false
  /**
   * The UTF-8 size of `data`, counted only once `data` could reach `maxEventSize` (a code unit
   * is at most 3 bytes), so short events never pay for counting; -1 until then.
   */
  let dataBytes = -1
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

  function clearBlock(): void {
    data = ''
    hasData = false
    dataBytes = -1
    eventType = ''
    blockHasId = false
    blockRetry = -1
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
      clearBlock()
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
    clearBlock()
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

  /**
   * "Append the field value to the data buffer, then append a single LF." Returns false when the
   * data would pass `maxEventSize` bytes.
   */
  function appendData(value: string, ascii: boolean): boolean {
    // Joining with LF instead is the same string once dispatch removes the trailing LF.
    const units = hasData ? data.length + 1 + value.length : value.length
    if (dataBytes !== -1 || units * 3 > maxEventSize) {
      // Counted exactly from here on: each value once, so counting stays linear.
      if (dataBytes === -1) dataBytes = hasData ? sizeOf(data) : 0
      dataBytes += (hasData ? 1 : 0) + (ascii ? value.length : sizeOf(value))
      if (dataBytes > maxEventSize) return false
    }
    if (hasData) data = `${data}\n${value}`
    else {
      data = value
      hasData = true
    }
    return true
  }

  /** "If the field value consists of only ASCII digits…": sets the reconnection time. */
  function setRetry(line: string, valueStart: number): void {
    // "…then interpret the field value as an integer in base ten, and set the event stream's
    // reconnection time to that integer. Otherwise, ignore the field." An empty value is not
    // "only digits" in any browser; a value beyond Number.MAX_SAFE_INTEGER is ignored, as
    // browsers ignore integer overflow. Clients clamp what they do with huge values.
    const length = line.length
    if (valueStart >= length) return
    for (let i = valueStart; i < length; i++) {
      const code = line.charCodeAt(i)
      if (code < 48 || code > 57) return
    }
    const retry = Number.parseInt(line.slice(valueStart), 10)
    if (retry > Number.MAX_SAFE_INTEGER) return
    blockRetry = retry
    if (onRetry) onRetry(retry)
  }

  function line(text: string, start: number, end: number, ascii: boolean): boolean {
    // "If the line is empty (a blank line): dispatch the event."
    if (start === end) {
      dispatch()
      return true
    }
    const first = text.charCodeAt(start)
    // Fast paths for `data:`, `event:` and `id:`, most lines of real streams: recognised on the
    // text by char codes, so only the value is sliced out (see BENCHMARKS.md, Decoder).
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
      return appendData(valueStart === end ? '' : text.slice(valueStart, end), ascii)
    }
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
        const commentStart =
          start + 1 < end && text.charCodeAt(start + 1) === SPACE ? start + 2 : start + 1
        onComment(text.slice(commentStart, end))
      }
      return true
    }
    // Every other line is sliced out, so the colon search cannot run past its end.
    const whole = text.slice(start, end)
    const length = whole.length
    const colon = whole.indexOf(':')
    // "If the line contains a colon": field before it, value after it with one leading space
    // removed. "Otherwise": the whole line is the field name and the value is empty.
    let nameEnd = length
    let valueStart = length
    if (colon !== -1) {
      nameEnd = colon
      valueStart = whole.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1
    }
    // Field names are compared case-sensitively; by length first, without slicing the name.
    if (nameEnd === 4 && whole.startsWith('data')) return appendData(whole.slice(valueStart), ascii)
    if (nameEnd === 5 && whole.startsWith('event')) eventType = whole.slice(valueStart)
    else if (nameEnd === 2 && whole.startsWith('id')) setId(whole.slice(valueStart))
    else if (nameEnd === 5 && whole.startsWith('retry')) setRetry(whole, valueStart)
    // "Otherwise: the field is ignored."
    return true
  }

  return {
    line,
    dispatch,
    endStream(): void {
      // "If the file ends in the middle of an event, before the final empty line, the incomplete
      // event is not dispatched": the block's buffers go, and an id it carried was never
      // committed.
      clearBlock()
      lastEventIdBuffer = lastEventId
    },
    reset(): void {
      clearBlock()
      lastEventId = initialLastEventId
      lastEventIdBuffer = initialLastEventId
    },
    get lastEventId(): string {
      return lastEventId
    },
  }
}
