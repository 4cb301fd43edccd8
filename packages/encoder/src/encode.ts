import {
  assertValidEventType,
  assertValidId,
  assertValidRetry,
  isValidEventType,
  SSEError,
} from '@ssekit/shared'

/**
 * An event to encode: the {@link ServerSentEvent} model, except that `data` may be any value.
 * - a string is sent as is;
 * - a number, boolean or bigint is sent as `String(value)`;
 * - an object, an array or `null` is sent as `JSON.stringify(value)` (or the `serialize` option);
 * - `undefined` (or no `data` key) sends no data line, for a block with only `id` or `retry`.
 */
export interface EncodableEvent {
  data?: unknown
  event?: string | undefined
  id?: string | undefined
  retry?: number | undefined
}

/** Options of {@link encode} and everything built on it. */
export interface EncodeOptions {
  /**
   * Turns object, array and `null` data into text.
   * @defaultValue `JSON.stringify`
   */
  serialize?: ((value: unknown) => string) | undefined
}

// Every line ending of `text/event-stream`, CRLF first so that it counts as one.
const LINE_BREAK = /\r\n|\r|\n/g

/**
 * Throws the `INVALID_DATA` refusal of a data value. One function for the three refusals, so a
 * bundle holds one `new SSEError` and one options object rather than three (issue #13).
 */
function refuse(message: string, cause?: unknown): never {
  throw new SSEError('INVALID_DATA', message, { field: 'data', cause })
}

/**
 * Serializes `data` to the text of its data lines, as {@link encode} does: a string as is, a
 * number, boolean or bigint with `String`, an object, array or `null` with `serialize` (JSON by
 * default). For code that stores an event's data before encoding it, such as the hub; exported
 * through `@ssekit/encoder/internal`, not API.
 *
 * @internal
 * @param data - the event's data
 * @param serialize - replaces JSON.stringify for objects, arrays and null
 * @returns the text, or undefined when there is no data
 * @throws SSEError `INVALID_DATA` when the value cannot be turned into text
 *
 * @example
 * ```ts
 * serializeData({ ok: true }) // '{"ok":true}'
 * serializeData(undefined) // undefined: no data line
 * ```
 */
export function serializeData(
  data: unknown,
  serialize?: ((value: unknown) => string) | undefined,
): string | undefined {
  const type = typeof data
  if (type === 'string') return data as string
  if (type === 'object') {
    let text: unknown
    try {
      text = serialize ? serialize(data) : JSON.stringify(data)
    } catch (cause) {
      refuse(
        `The data could not be serialized (${cause instanceof Error ? cause.message : String(cause)}); pass JSON-able data or a serialize option.`,
        cause,
      )
    }
    if (typeof text !== 'string') {
      refuse(`The data serialized to ${typeof text}, not a string; serialize must return a string.`)
    }
    return text
  }
  // Functions and symbols have no text form; undefined sends no data line.
  if (type === 'function' || type === 'symbol') {
    refuse(
      `The data is a ${type}, which has no text form; send a string, number, boolean, bigint, or JSON-able value.`,
    )
  }
  return data === undefined ? undefined : String(data)
}

/**
 * Encodes one event as `text/event-stream` text: fields in the order id, event, retry, data, and
 * a blank line that dispatches it. Data with line breaks (`\n`, `\r\n` or `\r`) becomes one
 * `data:` line per line; every value is written after `": "`, so a value that starts with a space,
 * or an empty string, survives the one space a decoder strips.
 *
 * Lone UTF-16 surrogates are written as they are; encoding the text to UTF-8 (as
 * {@link encodeBytes}, the streams and every HTTP server do) turns each into U+FFFD.
 *
 * @param event - the event; `data` may be any value (see {@link EncodableEvent})
 * @param options - a custom serializer for object data
 * @returns the wire text of the event, ending in a blank line
 * @throws SSEError `INVALID_EVENT`, `INVALID_ID`, `INVALID_RETRY` or `INVALID_DATA`, naming the
 * field: a value that would inject fields or be ignored by clients is refused, never rewritten.
 *
 * @example
 * ```ts
 * encode({ id: '42', event: 'update', data: { ok: true } })
 * // 'id: 42\nevent: update\ndata: {"ok":true}\n\n'
 * ```
 */
export function encode(event: EncodableEvent, options?: EncodeOptions): string {
  let text = ''
  const { id, event: type, retry } = event
  if (id !== undefined) {
    assertValidId(id)
    text += `id: ${id}\n`
  }
  // An empty type is the default type: writing `event:` would change nothing, so it is left out.
  if (type !== undefined) {
    assertValidEventType(type)
    if (type !== '') text += `event: ${type}\n`
  }
  if (retry !== undefined) {
    assertValidRetry(retry)
    text += `retry: ${retry}\n`
  }
  const data = serializeData(event.data, options?.serialize)
  if (data !== undefined) text += prefixLines('data: ', data)
  return `${text}\n`
}

/**
 * Encodes a comment: lines starting with a colon, which clients ignore. Servers send them as
 * heartbeats to keep idle connections and proxies open. Line breaks in `text` start new comment
 * lines, so a comment can never inject a field.
 *
 * @param text - the comment; may be empty
 * @returns the wire text, one `: ` line per line of `text`
 *
 * @example
 * ```ts
 * encodeComment('keep-alive') // ': keep-alive\n'
 * ```
 */
export function encodeComment(text: string): string {
  return prefixLines(': ', String(text))
}

/** Writes each line of `text` after `prefix`, ending each with LF. */
function prefixLines(prefix: string, text: string): string {
  // Fast path: most values are one line, and the indexOf of isValidEventType ("no CR or LF") is
  // cheaper than a regular expression. On several lines, one native replace does the work of a
  // split and a loop, and is smaller in a bundle (BENCHMARKS.md, Encoder).
  return `${prefix}${isValidEventType(text) ? text : text.replace(LINE_BREAK, `\n${prefix}`)}\n`
}

// Marked pure so that a bundle without encodeBytes drops it: a module-level `new` is otherwise
// kept as a possible side effect.
const utf8 = /* @__PURE__ */ new TextEncoder()

/**
 * Encodes one event straight to UTF-8 bytes, for servers that write bytes.
 *
 * @param event - the event, as for {@link encode}
 * @param options - as for {@link encode}
 * @returns the UTF-8 bytes of `encode(event, options)`
 * @throws SSEError as {@link encode} does
 */
export function encodeBytes(event: EncodableEvent, options?: EncodeOptions): Uint8Array {
  return utf8.encode(encode(event, options))
}
