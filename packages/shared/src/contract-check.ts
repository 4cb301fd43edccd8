import type { EventContract } from './contract.ts'
import { SSEContractError } from './contract-error.ts'
import { SSEError, type SSEField } from './errors.ts'
import type { ServerSentEvent } from './event.ts'
import type {
  StandardSchema,
  StandardSchemaIssue,
  StandardSchemaProps,
  StandardSchemaResult,
} from './standard-schema.ts'

/**
 * How the packages hold events to a contract: the server before encoding, the client after
 * decoding. Shared with each other through `@ssekit/shared/internal`, not API.
 */

/**
 * The functions a contract carries (`contract['~ssekit']`), so that a package holds events to a
 * contract through the contract itself and code without one bundles none of this module.
 */
export interface ContractRuntime {
  readonly prepareOutgoing: typeof prepareOutgoing
  readonly readIncoming: typeof readIncoming
  /**
   * The contract's own event types and their validators (each schema's `~standard` object), taken
   * when it was defined. A Map, not the `events` object: a type named `constructor` or `__proto__`
   * must not find `Object.prototype`'s members, and `Object.hasOwn` on every received event cost a
   * few percent of decoding. Read once: ArkType's `~standard` is a getter that makes a new object
   * and function on every read, which cost 10 % of decoding on the llm-tokens workload
   * (BENCHMARKS.md, Contracts).
   */
  readonly validators: ReadonlyMap<string, StandardSchemaProps>
  /** The id schema's validator, read once likewise. */
  readonly idValidator: StandardSchemaProps<string, string> | undefined
}

/** A value now, or a promise of it when an async validator ran where waiting is allowed. */
export type MaybePromise<T> = T | Promise<T>

/** An event as a server hands it to a contract-typed API. */
export interface OutgoingEvent {
  event: string
  data?: unknown
  id?: string | undefined
  retry?: number | undefined
}

/** A decoded event that kept its contract: its type always set, its data the schema's output. */
export interface CheckedEvent {
  event: string
  data: unknown
  id?: string | undefined
  retry?: number | undefined
}

/** What a client makes of a decoded event under a contract. */
export type IncomingResult =
  /** The event keeps the contract: `data` is the validated value. */
  | { readonly kind: 'event'; readonly event: CheckedEvent }
  /** The contract does not know its type, and its `unknown` policy is `'ignore'`. */
  | { readonly kind: 'ignored' }
  /** The event breaks the contract. */
  | { readonly kind: 'invalid'; readonly error: SSEContractError }

/**
 * Runs a schema on a value and hands the result to `next`, at once for a synchronous validator.
 * An async one is awaited, unless `syncOnly` names the API that cannot wait: then it is refused
 * with `ASYNC_SCHEMA`, since an answer that comes later would reorder the stream.
 */
function check<T>(
  schema: StandardSchemaProps,
  value: unknown,
  eventType: string,
  syncOnly: string | undefined,
  next: (result: StandardSchemaResult<unknown>) => T,
): MaybePromise<T> {
  const result = schema.validate(value)
  if (!(result instanceof Promise)) return next(result)
  if (syncOnly !== undefined) throw refuseAsync(result, eventType, syncOnly)
  return result.then(next)
}

/** The `ASYNC_SCHEMA` refusal of a validator that answered with a promise where none can wait. */
function refuseAsync(pending: Promise<unknown>, eventType: string, syncOnly: string): SSEError {
  // A rejection nobody awaits would surface as an unhandled one.
  pending.catch(() => {})
  return new SSEError(
    'ASYNC_SCHEMA',
    `The schema of the ${JSON.stringify(eventType)} event validates asynchronously, which ${syncOnly} cannot wait for; use a synchronous schema there, or an API that awaits (async iteration, send, publish).`,
  )
}

function refusal(
  what: string,
  eventType: string,
  field: SSEField,
  data: unknown,
  result: { readonly issues: StandardSchemaResult<unknown>['issues'] },
): SSEContractError {
  const issues = result.issues ?? []
  return new SSEContractError(
    `${what} of the ${JSON.stringify(eventType)} event does not match the contract: ${describeIssues(issues)}.`,
    { eventType, field, issues, data },
  )
}

/**
 * Checks an event a server sends under a contract and codes its data to text. The type must be
 * one of the contract's; with `validate`, its data (and id) must pass their schemas, and nothing
 * is written when they do not. The data that is coded is the value as given (the schema's
 * input), since the client's schema reads it again from the wire.
 *
 * @param contract - the contract
 * @param event - the event as the application passed it
 * @param validate - whether to run the schemas
 * @param syncOnly - the API name when an async validator cannot be awaited
 * @returns the event with its data as text, ready for `encode`
 * @throws SSEContractError `CONTRACT_VIOLATION`, SSEError `ASYNC_SCHEMA` or `INVALID_DATA`
 */
export function prepareOutgoing(
  contract: EventContract,
  event: OutgoingEvent,
  validate: boolean,
  syncOnly: string | undefined,
): MaybePromise<ServerSentEvent> {
  if (typeof event !== 'object' || event === null || typeof event.event !== 'string') {
    throw new TypeError('An event under a contract is an object with its type in `event`.')
  }
  const eventType = event.event
  const schema = validatorOf(contract, eventType)
  const raw = schema === undefined && eventType === 'message' && contract.message === 'raw'
  if (schema === undefined && !raw) {
    throw new SSEContractError(
      `The contract has no ${JSON.stringify(eventType)} event; its types are ${Object.keys(contract.events).join(', ')}.`,
      { eventType, field: 'event', data: event.data },
    )
  }
  const finish = (): ServerSentEvent => {
    const wire: ServerSentEvent = { data: raw ? textOf(event.data) : codeData(contract, event) }
    // The default type needs no `event:` line.
    if (eventType !== 'message') wire.event = eventType
    if (event.id !== undefined) wire.id = event.id
    if (event.retry !== undefined) wire.retry = event.retry
    return wire
  }
  if (!validate) return finish()
  const checkData = (): MaybePromise<ServerSentEvent> =>
    schema === undefined
      ? finish()
      : check(schema, event.data, eventType, syncOnly, (result) => {
          if (result.issues !== undefined)
            throw refusal('The data', eventType, 'data', event.data, result)
          return finish()
        })
  const idSchema = contract['~ssekit'].idValidator
  if (idSchema === undefined || event.id === undefined) return checkData()
  const id = event.id
  return then(
    check(idSchema, id, eventType, syncOnly, (result) => {
      if (result.issues !== undefined) throw refusal('The id', eventType, 'id', id, result)
    }),
    checkData,
  )
}

/**
 * Holds a decoded event to a contract: its type must be known (or is ignored, by policy), its
 * data must decode with the codec and pass its schema, its id the id schema.
 *
 * It takes the decoded event over, as the decoders hand out a fresh object per event: when the
 * event keeps the contract, the returned event is that object, with `event` set (`'message'` for
 * the default type) and `data` replaced by the schema's output; other fields (such as a client's
 * `lastEventId`) stay. A refused event is left as it was. This runs for every event a client
 * receives, so the synchronous path allocates nothing but its result (BENCHMARKS.md, Contracts).
 *
 * @param contract - the contract
 * @param event - the event as the decoder produced it, which this takes over
 * @param syncOnly - the API name when an async validator cannot be awaited
 * @returns what the event is to the contract
 * @throws SSEError `ASYNC_SCHEMA` when `syncOnly` is set and a validator is async
 */
export function readIncoming(
  contract: EventContract,
  event: ServerSentEvent,
  syncOnly: string | undefined,
): MaybePromise<IncomingResult> {
  // A schema that throws (or rejects) instead of returning issues makes the event invalid, with
  // what it threw as the cause: a client must neither see an exception from inside its decoder
  // nor leave a loop waiting on a rejected promise.
  let result: MaybePromise<IncomingResult>
  try {
    result = checkIncoming(contract, event, syncOnly)
  } catch (thrown) {
    if (thrown instanceof SSEError && thrown.code === 'ASYNC_SCHEMA') throw thrown
    return thrownBy(event, thrown)
  }
  return result instanceof Promise ? result.catch((thrown) => thrownBy(event, thrown)) : result
}

/** The `CONTRACT_VIOLATION` of an event whose schema threw; its data is still the raw text. */
function thrownBy(event: ServerSentEvent, cause: unknown): IncomingResult {
  const eventType = typeOf(event)
  const detail = cause instanceof Error ? `: ${cause.message}` : ''
  const error = new SSEContractError(
    `The schema of the ${JSON.stringify(eventType)} event threw instead of returning issues${detail}.`,
    { eventType, field: 'data', data: event.data, cause },
  )
  return { kind: 'invalid', error }
}

function checkIncoming(
  contract: EventContract,
  event: ServerSentEvent,
  syncOnly: string | undefined,
): MaybePromise<IncomingResult> {
  const eventType = typeOf(event)
  const schema = validatorOf(contract, eventType)
  if (schema === undefined) {
    if (eventType === 'message' && contract.message === 'raw')
      return accept(event, eventType, event.data)
    if (contract.unknown === 'ignore') return IGNORED
    const error = new SSEContractError(
      `The stream sent a ${JSON.stringify(eventType)} event, which the contract does not have (its types are ${Object.keys(contract.events).join(', ')}).`,
      { eventType, field: 'event', data: event.data },
    )
    return { kind: 'invalid', error }
  }
  let value: unknown
  try {
    value = contract.codec.decode(event.data)
  } catch (cause) {
    const detail = cause instanceof Error ? `: ${cause.message}` : ''
    const error = new SSEContractError(
      `The data of the ${JSON.stringify(eventType)} event could not be decoded${detail}.`,
      { eventType, field: 'data', data: event.data, cause },
    )
    return { kind: 'invalid', error }
  }
  const idSchema = contract['~ssekit'].idValidator
  const id = event.id
  if (idSchema !== undefined && id !== undefined) {
    return then(
      check(idSchema, id, eventType, syncOnly, (result) =>
        result.issues === undefined ? undefined : refusal('The id', eventType, 'id', id, result),
      ),
      (error): MaybePromise<IncomingResult> =>
        error === undefined
          ? readData(schema, event, eventType, value, syncOnly)
          : { kind: 'invalid', error },
    )
  }
  return readData(schema, event, eventType, value, syncOnly)
}

const IGNORED: IncomingResult = Object.freeze({ kind: 'ignored' })

/** Validates a decoded value; the synchronous case without a closure or a copy. */
function readData(
  schema: StandardSchemaProps,
  event: ServerSentEvent,
  eventType: string,
  value: unknown,
  syncOnly: string | undefined,
): MaybePromise<IncomingResult> {
  const result = schema.validate(value)
  if (!(result instanceof Promise)) return settleData(result, event, eventType)
  if (syncOnly !== undefined) throw refuseAsync(result, eventType, syncOnly)
  return result.then((settled) => settleData(settled, event, eventType))
}

function settleData(
  result: StandardSchemaResult<unknown>,
  event: ServerSentEvent,
  eventType: string,
): IncomingResult {
  if (result.issues !== undefined) {
    return { kind: 'invalid', error: refusal('The data', eventType, 'data', event.data, result) }
  }
  return accept(event, eventType, result.value)
}

/** The decoded event, now the contract's: its type set and its data the checked value. */
function accept(event: ServerSentEvent, eventType: string, data: unknown): IncomingResult {
  const checked = event as unknown as CheckedEvent
  checked.event = eventType
  checked.data = data
  return { kind: 'event', event: checked }
}

/** Calls `next` with a value now, or after its promise. */
function then<T, U>(value: MaybePromise<T>, next: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value)
}

function codeData(contract: EventContract, event: OutgoingEvent): string {
  try {
    return contract.codec.encode(event.data)
  } catch (cause) {
    const detail = cause instanceof Error ? `: ${cause.message}` : ''
    throw new SSEError(
      'INVALID_DATA',
      `The data of the ${JSON.stringify(event.event)} event could not be encoded${detail}.`,
      { field: 'data', cause },
    )
  }
}

/** A raw message's data, as the encoder writes plain values. */
function textOf(data: unknown): string {
  if (typeof data === 'string') return data
  if (typeof data === 'number' || typeof data === 'boolean' || typeof data === 'bigint') {
    return String(data)
  }
  const text = JSON.stringify(data)
  if (text === undefined) {
    throw new SSEError('INVALID_DATA', `A raw message's data (${typeof data}) has no text form.`, {
      field: 'data',
    })
  }
  return text
}

/** The validator of an event type's schema, among the contract's own types only. */
export function validatorOf(
  contract: EventContract,
  type: string,
): StandardSchemaProps | undefined {
  return contract['~ssekit'].validators.get(type)
}

/** Renders a validator's issues for an error message: the first few, each with its path. */
export function describeIssues(issues: readonly StandardSchemaIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) => {
    const path = (issue.path ?? [])
      .map((segment) => String(typeof segment === 'object' ? segment.key : segment))
      .join('.')
    return path === '' ? issue.message : `${path}: ${issue.message}`
  })
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : ''
  return `${shown.join('; ')}${more}`
}

/** The event type of a decoded event: its `event` field, or the default type `message`. */
export function typeOf(event: ServerSentEvent): string {
  return event.event === undefined || event.event === '' ? 'message' : event.event
}

/**
 * What `defineEvents` attaches to a contract.
 *
 * @param events - the contract's event types and their schemas
 * @param id - the contract's id schema, if any
 * @returns the functions and the validator lookup of that contract
 */
export function createContractRuntime(
  events: Record<string, StandardSchema>,
  id: StandardSchema<string, string> | undefined,
): ContractRuntime {
  const validators = new Map<string, StandardSchemaProps>()
  for (const [type, schema] of Object.entries(events)) validators.set(type, schema['~standard'])
  return Object.freeze({
    prepareOutgoing,
    readIncoming,
    validators,
    idValidator: id?.['~standard'],
  })
}
