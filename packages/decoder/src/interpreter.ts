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
  function setRetry(text: string, valueStart: number, end: number): void {
    // "…then interpret the field value as an integer in base ten, and set the event stream's
    // reconnection time to that integer. Otherwise, ignore the field." An empty value is not
    // "only digits" in any browser; a value beyond Number.MAX_SAFE_INTEGER is ignored, as
    // browsers ignore integer overflow. Clients clamp what they do with huge values.
    if (valueStart >= end) return
    for (let i = valueStart; i < end; i++) {
      const code = text.charCodeAt(i)
      if (code < 48 || code > 57) return
    }
    const retry = Number.parseInt(text.slice(valueStart, end), 10)
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
    // "If the line contains a U+003A COLON character": the field name is what comes before the
    // first colon. Only four names mean anything, none longer than five characters, so the colon
    // is looked for in the first six only: a longer name is ignored whatever follows, and the
    // search never runs past this line into the rest of the chunk.
    const limit = end - start > 6 ? start + 6 : end
    let colon = start
    while (colon < limit && text.charCodeAt(colon) !== COLON) colon++
    if (colon === limit && limit !== end) return true
    // "Otherwise" (no colon): the whole line is the field name and the value is empty. With a
    // colon, the value is what follows it, "if value starts with a U+0020 SPACE character,
    // remove it".
    let valueStart = end
    if (colon < end) {
      valueStart = colon + 1
      if (valueStart < end && text.charCodeAt(valueStart) === SPACE) valueStart++
    }
    // Field names are compared case-sensitively, by length first; only the value is sliced out.
    const nameLength = colon - start
    if (nameLength === 4 && text.startsWith('data', start)) {
      return appendData(text.slice(valueStart, end), ascii)
    }
    if (nameLength === 5 && text.startsWith('event', start)) {
      // "Set the event type buffer to the field value." An empty value resets it.
      eventType = text.slice(valueStart, end)
    } else if (nameLength === 2 && text.startsWith('id', start)) {
      setId(text.slice(valueStart, end))
    } else if (nameLength === 5 && text.startsWith('retry', start)) {
      setRetry(text, valueStart, end)
    } else if (nameLength === 0 && onComment) {
      // "If the line starts with a U+003A COLON character: ignore the line." We pass it on,
      // without its colon and one leading space.
      onComment(text.slice(valueStart, end))
    }
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
