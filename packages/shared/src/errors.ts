/**
 * The codes of event contracts (`defineEvents`), raised on both ends:
 * - `CONTRACT_VIOLATION`: an event does not keep its contract (data or id refused by its schema,
 *   data the codec cannot read, or a type the contract does not have); an `SSEContractError`.
 * - `ASYNC_SCHEMA`: an async validator where only synchronous validation is possible.
 */
export type ContractErrorCode = 'CONTRACT_VIOLATION' | 'ASYNC_SCHEMA'

/**
 * The codes the encoder raises (`@ssekit/encoder`, and the field checks of this package): the
 * contract codes, and
 * - `INVALID_EVENT`: an event type contains CR or LF.
 * - `INVALID_ID`: an id contains CR, LF or NUL.
 * - `INVALID_RETRY`: a retry is not a non-negative safe integer.
 * - `INVALID_DATA`: data could not be serialized.
 * - `STREAM_CLOSED`: a write to an event stream that has already closed.
 */
export type EncoderErrorCode =
  | ContractErrorCode
  | 'INVALID_EVENT'
  | 'INVALID_ID'
  | 'INVALID_RETRY'
  | 'INVALID_DATA'
  | 'STREAM_CLOSED'

/**
 * The codes the decoder raises (`@ssekit/decoder`):
 * - `LINE_TOO_LONG`: a line exceeded the decoder's `maxLineLength`.
 * - `EVENT_TOO_LARGE`: an event's data exceeded the decoder's `maxEventSize`.
 */
export type DecoderErrorCode = 'LINE_TOO_LONG' | 'EVENT_TOO_LARGE'

/**
 * The codes the client reports (`@ssekit/client`): the decoder's, the contract codes, and
 * - `INVALID_STATUS`: the server answered with a status other than 200.
 * - `INVALID_CONTENT_TYPE`: the server answered with a content type other than `text/event-stream`.
 * - `NETWORK_ERROR`: the request or the body failed below HTTP.
 * - `IDLE_TIMEOUT`: nothing arrived for longer than the idle timeout.
 * - `RETRY_LIMIT`: the maximum number of reconnection attempts was used up.
 */
export type ClientErrorCode =
  | DecoderErrorCode
  | ContractErrorCode
  | 'INVALID_STATUS'
  | 'INVALID_CONTENT_TYPE'
  | 'NETWORK_ERROR'
  | 'IDLE_TIMEOUT'
  | 'RETRY_LIMIT'

/**
 * The codes the hub raises (`@ssekit/hub`): the encoder's, for events it refuses to publish or
 * streams that closed, and
 * - `INVALID_TOPIC`: a topic name that the hub refuses.
 * - `HUB_CLOSED`: an operation on a hub that has been closed.
 * - `TRANSPORT_ERROR`: the hub's transport (Redis) failed.
 * - `TRANSPORT_TIMEOUT`: the hub's transport did not answer in time.
 * - `SLOW_CONSUMER`: a subscriber fell too far behind and was disconnected.
 */
export type HubErrorCode =
  | EncoderErrorCode
  | 'INVALID_TOPIC'
  | 'HUB_CLOSED'
  | 'TRANSPORT_ERROR'
  | 'TRANSPORT_TIMEOUT'
  | 'SLOW_CONSUMER'

/**
 * The codes the deployment doctor raises (`@ssekit/doctor`):
 * - `INVALID_OPTION`: a doctor option or query parameter is not a whole number in its range, or
 *   a command-line argument is not understood.
 * - `PROBE_FAILED`: the probe could not run: the URL is unreachable, or the server did not
 *   answer as the doctor's handler does.
 */
export type DoctorErrorCode = 'INVALID_OPTION' | 'PROBE_FAILED'

/**
 * Every code an {@link SSEError} can carry. Codes are permanent: once released, a code keeps its
 * meaning forever, and each README lists the codes its package raises. Each package's own union
 * ({@link EncoderErrorCode}, {@link DecoderErrorCode}, {@link ClientErrorCode},
 * {@link HubErrorCode}, {@link DoctorErrorCode}) types what its callbacks can receive.
 */
export type SSEErrorCode = EncoderErrorCode | ClientErrorCode | HubErrorCode | DoctorErrorCode

/** A field of the event model, named by errors about it. */
export type SSEField = 'event' | 'id' | 'retry' | 'data'

/** Details an {@link SSEError} can carry besides its code and message. */
export interface SSEErrorOptions {
  /** The event field the error is about. */
  field?: SSEField | undefined
  /** The byte offset in the stream where the decoder found the problem. */
  offset?: number | undefined
  /** The error that caused this one. */
  cause?: unknown
}

/**
 * The one error class ssekit throws or reports. Check `code`, never the message. The type
 * parameter narrows the codes an error can have where a package knows them:
 * `SSEError<ClientErrorCode>` in the client's `onError`, for example.
 *
 * @example
 * ```ts
 * try {
 *   encode({ id: 'a\nb', data: 'x' })
 * } catch (error) {
 *   if (isSSEError(error, 'INVALID_ID')) console.log(error.field) // 'id'
 * }
 * ```
 */
export class SSEError<Code extends SSEErrorCode = SSEErrorCode> extends Error {
  override readonly name: string = 'SSEError'
  /** A stable, permanent code; see {@link SSEErrorCode}. */
  readonly code: Code
  /** The event field the error is about, when there is one. */
  readonly field?: SSEField | undefined
  /** The byte offset in the stream, for decoder errors. */
  readonly offset?: number | undefined

  /**
   * @param code - the stable error code
   * @param message - what happened, where, and what to do about it
   * @param options - the field, byte offset and cause, when known
   */
  constructor(code: Code, message: string, options: SSEErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    if (options.field !== undefined) this.field = options.field
    if (options.offset !== undefined) this.offset = options.offset
  }
}

/**
 * Tells whether a value is an {@link SSEError}, optionally with a given code. It checks `name` and
 * `code` rather than `instanceof` alone, so it also recognises errors from another realm or from a
 * second copy of this package.
 *
 * @param value - anything caught
 * @param code - when given, the code the error must have
 * @returns whether `value` is an SSEError (with that code)
 */
export function isSSEError<C extends SSEErrorCode>(value: unknown, code?: C): value is SSEError<C> {
  if (value instanceof SSEError) return code === undefined || value.code === code
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as { name?: unknown; code?: unknown }
  return (
    typeof candidate.name === 'string' &&
    candidate.name.startsWith('SSE') &&
    candidate.name.endsWith('Error') &&
    typeof candidate.code === 'string' &&
    (code === undefined || candidate.code === code)
  )
}

/**
 * Quotes a value for an error message: JSON-escaped so CR, LF and NUL are visible, and cut
 * after 20 characters so a huge value never floods a log.
 *
 * @param value - the offending value
 * @returns a short, printable rendering of it
 */
export function quoteValue(value: unknown): string {
  if (typeof value !== 'string') return String(value)
  const cut = value.length > 20 ? `${value.slice(0, 20)}…` : value
  return JSON.stringify(cut)
}
