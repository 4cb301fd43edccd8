import {
  type EventContract,
  isSSEError,
  type ServerSentEvent,
  SSEContractError,
} from '@ssekit/shared'
import {
  type IncomingResult,
  type MaybePromise,
  readIncoming,
  typeOf,
} from '@ssekit/shared/internal'
// For the {@link} tags only.
import type { connect } from './connect.ts'

/**
 * Holds a decoded event to the contract of {@link connect}'s `events` option. Only the contract
 * paths of the connection call it, so its code is the part of the bundle that contracts cost.
 *
 * A schema that throws (or rejects) instead of returning issues makes the event invalid, with
 * what it threw as the error's `cause`: the connection must neither see an exception from inside
 * its decoder nor leave a loop stuck on a rejected `next()`.
 *
 * @param contract - the connection's contract
 * @param event - the decoded event, which this takes over (see `readIncoming`)
 * @param syncOnly - the name of the API that cannot wait, when there is one
 * @returns what the event is to the contract, or a promise of it (an async validator, awaited)
 * @throws SSEError `ASYNC_SCHEMA` when `syncOnly` is set and a validator is async
 */
export function checkEvent(
  contract: EventContract,
  event: ServerSentEvent,
  syncOnly: string | undefined,
): MaybePromise<IncomingResult> {
  let result: MaybePromise<IncomingResult>
  try {
    result = readIncoming(contract, event, syncOnly)
  } catch (thrown) {
    if (isSSEError(thrown, 'ASYNC_SCHEMA')) throw thrown
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
