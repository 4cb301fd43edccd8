import type { EventContract, ServerSentEvent } from '@ssekit/shared'
import type { IncomingResult, MaybePromise } from '@ssekit/shared/internal'
// For the {@link} tags only.
import type { readEvents } from './read-events.ts'
import type { validateEvents } from './validate-events.ts'

/**
 * Holds a decoded event to a contract, for {@link validateEvents} and the `events` option of
 * {@link readEvents}, both of which can wait, so an async validator is awaited. A schema that
 * throws (or rejects) makes the event invalid, with what it threw as the error's `cause`, so
 * that `onInvalid` sees every refusal.
 *
 * @param contract - the contract
 * @param event - the decoded event, which this takes over (see `readIncoming`)
 * @returns what the event is to the contract, or a promise of it
 */
export function checkEvent(
  contract: EventContract,
  event: ServerSentEvent,
): MaybePromise<IncomingResult> {
  // Through the contract, so that a decoder without one bundles none of the checking.
  return contract['~ssekit'].readIncoming(contract, event, undefined)
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
  if (typeof contract?.['~ssekit']?.readIncoming !== 'function') {
    throw new TypeError(`${where} takes an event contract made by defineEvents().`)
  }
}
