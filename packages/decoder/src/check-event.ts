import { type EventContract, type ServerSentEvent, SSEContractError } from '@ssekit/shared'
import {
  type IncomingResult,
  type MaybePromise,
  readIncoming,
  typeOf,
} from '@ssekit/shared/internal'
// For the {@link} tags only.
import type { readEvents } from './read-events.ts'
import type { validateEvents } from './validate-events.ts'

/**
 * Holds a decoded event to a contract, for {@link validateEvents} and the `events` option of
 * {@link readEvents}, both of which can wait, so an async validator is awaited. (The client has
 * its own copy for its connection: it reaches this package through its public API only.)
 *
 * A schema that throws (or rejects) instead of returning issues makes the event invalid, with
 * what it threw as the error's `cause`, so that `onInvalid` sees every refusal.
 *
 * @param contract - the contract
 * @param event - the decoded event, which this takes over (see `readIncoming`)
 * @returns what the event is to the contract, or a promise of it
 */
export function checkEvent(
  contract: EventContract,
  event: ServerSentEvent,
): MaybePromise<IncomingResult> {
  let result: MaybePromise<IncomingResult>
  try {
    result = readIncoming(contract, event, undefined)
  } catch (thrown) {
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

/**
 * Refuses what is not a contract (a plain object of schemas, say, without `defineEvents`) at once,
 * rather than failing on the first event.
 *
 * @param contract - what was passed
 * @param where - the argument or option, for the message
 * @throws TypeError when it is not a contract
 */
export function assertContract(contract: EventContract, where: string): void {
  if (typeof contract?.codec?.decode !== 'function') {
    throw new TypeError(`${where} takes an event contract made by defineEvents().`)
  }
}
