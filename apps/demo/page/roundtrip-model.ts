import type { ServerSentEvent } from '@ssekit/shared'

/** One event as the user typed it in the playground. */
export interface DraftEvent {
  type: string
  id: string
  retry: string
  dataKind: 'text' | 'json'
  data: string
}

/** What the page sends to `POST /api/roundtrip` for one event: the encoder's input. */
export interface WireRequestEvent {
  event?: string
  id?: string
  /** A number, or the text as typed when it is not one: the encoder, not the page, refuses it. */
  retry?: number | string
  data: unknown
}

/** A draft made ready to send, with what the decoder should give back. */
export interface PreparedEvent {
  request: WireRequestEvent
  /** The parsed JSON value when the data is JSON. */
  json?: unknown
  /** The event the decoder must produce for the round trip to be exact. */
  expected: ServerSentEvent
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '0': '\0', '\\': '\\' }
const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/

/**
 * Reads the escapes `\n`, `\r`, `\t`, `\0` and `\\` in a one-line field, so an id or a type with
 * a line break can be typed (and refused by the encoder).
 *
 * @param text - the field as typed
 * @returns the text with escapes replaced
 */
export function unescapeField(text: string): string {
  return text.replace(/\\([nrt0\\])/g, (_, code: string) => ESCAPES[code] ?? code)
}

/**
 * Turns a draft into the request and the expected decoded event.
 *
 * @param draft - the form's values
 * @returns the prepared event
 * @throws SyntaxError when the data is marked JSON but does not parse
 */
export function prepareEvent(draft: DraftEvent): PreparedEvent {
  const request: WireRequestEvent = { data: draft.data }
  const expected: ServerSentEvent = { data: draft.data.replace(/\r\n?/g, '\n') }
  const type = unescapeField(draft.type)
  const id = unescapeField(draft.id)
  if (type !== '') {
    request.event = type
    expected.event = type
  }
  if (draft.id !== '') {
    request.id = id
    expected.id = id
  }
  if (draft.retry.trim() !== '') {
    const retry = NUMBER.test(draft.retry) ? Number(draft.retry) : draft.retry
    request.retry = retry
    if (typeof retry === 'number') expected.retry = retry
  }
  if (draft.dataKind === 'json') {
    const json: unknown = JSON.parse(draft.data)
    request.data = json
    expected.data = JSON.stringify(json)
    return { request, json, expected }
  }
  return { request, expected }
}

/**
 * Compares a decoded event with the one the user described, field by field. JSON data is
 * compared as parsed values, so it does not depend on spacing.
 *
 * @param prepared - the prepared input
 * @param decoded - what the decoder produced
 * @returns the fields that differ; empty when the round trip is exact
 */
export function compareEvents(prepared: PreparedEvent, decoded: ServerSentEvent): string[] {
  const { expected } = prepared
  const differences: string[] = []
  if ((decoded.event ?? '') !== (expected.event ?? '')) differences.push('event')
  if (decoded.id !== expected.id) differences.push('id')
  if (decoded.retry !== expected.retry) differences.push('retry')
  if ('json' in prepared) {
    let value: unknown
    try {
      value = JSON.parse(decoded.data)
    } catch {
      differences.push('data')
      return differences
    }
    if (!jsonEqual(value, prepared.json)) differences.push('data')
  } else if (decoded.data !== expected.data) {
    differences.push('data')
  }
  return differences
}

/**
 * Deep equality of JSON values.
 *
 * @param a - a JSON value
 * @param b - another
 * @returns whether they are the same value
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const aKeys = Object.keys(a)
  const bKeys = Object.keys(b)
  if (aKeys.length !== bKeys.length) return false
  return aKeys.every(
    (key) =>
      Object.hasOwn(b, key) &&
      jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  )
}
