import type { EventContract, ServerSentEvent } from '@ssekit/shared'
import type { IncomingResult, MaybePromise } from '@ssekit/shared/internal'
// For the {@link} tags only.
import type { connect } from './connect.ts'

/**
 * Holds a decoded event to the contract of {@link connect}'s `events` option, through the
 * functions the contract carries: a connection without a contract bundles none of them. A schema
 * that throws (or rejects) makes the event invalid, with what it threw as the error's `cause`.
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
  // Through the contract, so that a connection without one bundles none of the checking.
  return contract['~ssekit'].readIncoming(contract, event, syncOnly)
}
