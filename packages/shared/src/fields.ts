import { quoteValue, SSEError } from './errors.ts'

/** Line feed, U+000A: one of the three line endings of `text/event-stream`. */
export const LF = '\n'
/** Carriage return, U+000D: a line ending alone or, followed by LF, as CRLF. */
export const CR = '\r'
/** NULL, U+0000: a client ignores an `id` field whose value contains it. */
export const NUL = '\0'

// indexOf rather than a regular expression: the same speed on 8-character values (~20 ns) and
// 9× faster on 400-character ones (30 vs 270 ns; Node 20). This runs for every id and type sent.
function hasLineBreak(value: string): boolean {
  return value.indexOf(LF) !== -1 || value.indexOf(CR) !== -1
}

/**
 * Whether a string can be an event type on the wire: it must not contain CR or LF, since either
 * would end the `event:` line and let the rest be read as another field.
 *
 * @param value - the event type
 * @returns true when the value can be sent as is
 */
export function isValidEventType(value: string): boolean {
  return !hasLineBreak(value)
}

/**
 * Whether a string can be an event id on the wire: no CR or LF (they would end the line) and no
 * NUL (WHATWG HTML, "Interpreting an event stream", field `id`: a value containing U+0000 is
 * ignored, so the client would silently keep its previous id).
 *
 * @param value - the event id
 * @returns true when the value can be sent as is
 */
export function isValidId(value: string): boolean {
  return !hasLineBreak(value) && value.indexOf(NUL) === -1
}

/**
 * Whether a number can be a `retry` value: a non-negative safe integer of milliseconds. The
 * client only accepts ASCII digits, so a fraction, a sign or an exponent would be ignored.
 *
 * @param value - the reconnection time in milliseconds
 * @returns true when the value can be sent as is
 */
export function isValidRetry(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0
}

/**
 * Throws unless `value` is a valid event type.
 *
 * @param value - the event type to check
 * @throws SSEError with code `INVALID_EVENT` and field `event`
 */
export function assertValidEventType(value: string): void {
  if (typeof value !== 'string' || !isValidEventType(value)) {
    throw new SSEError(
      'INVALID_EVENT',
      `The event type ${quoteValue(value)} must be a string without CR or LF; send one event type per line.`,
      { field: 'event' },
    )
  }
}

/**
 * Throws unless `value` is a valid event id.
 *
 * @param value - the id to check
 * @throws SSEError with code `INVALID_ID` and field `id`
 */
export function assertValidId(value: string): void {
  if (typeof value !== 'string' || !isValidId(value)) {
    throw new SSEError(
      'INVALID_ID',
      `The id ${quoteValue(value)} must be a string without CR, LF or NUL; clients ignore an id containing NUL.`,
      { field: 'id' },
    )
  }
}

/**
 * Throws unless `value` is a valid retry time.
 *
 * @param value - the reconnection time in milliseconds
 * @throws SSEError with code `INVALID_RETRY` and field `retry`
 */
export function assertValidRetry(value: number): void {
  if (typeof value !== 'number' || !isValidRetry(value)) {
    throw new SSEError(
      'INVALID_RETRY',
      `The retry ${quoteValue(value)} must be a non-negative safe integer of milliseconds.`,
      { field: 'retry' },
    )
  }
}
