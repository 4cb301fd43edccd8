import type { EventContract } from '@ssekit/shared'
import type { MaybePromise, OutgoingEvent } from '@ssekit/shared/internal'
import type { EncodableEvent } from './encode.ts'

/** The options by which a server-side API takes an event contract. */
export interface EventContractSendOptions<Contract extends EventContract = EventContract> {
  /**
   * The event contract (from `defineEvents`): events are then `{ event, data, id?, retry? }` of
   * the contract's types, checked by the compiler, and their data is coded by its codec.
   */
  events: Contract
  /**
   * Check each event against its schema at run time before anything is written; a refusal is an
   * `SSEContractError` (`CONTRACT_VIOLATION`) and the event is not sent.
   * @defaultValue false
   */
  validate?: boolean | undefined
}

/**
 * Turns an event of a contract into an event `encode` takes: its type checked, its data coded
 * (and validated, when asked) through the functions the contract carries, so a server without a
 * contract bundles none of them. An async validator is awaited: every caller can wait.
 *
 * @param options - the contract and whether to validate
 * @param event - the event the application passed
 * @returns the event with its data as text, or a promise of it
 */
export function prepareContractEvent(
  options: EventContractSendOptions,
  event: unknown,
): MaybePromise<EncodableEvent> {
  const { events } = options
  return events['~ssekit'].prepareOutgoing(
    events,
    event as OutgoingEvent,
    options.validate === true,
    undefined,
  )
}

/**
 * Refuses what is not a contract at once, rather than at the first event.
 *
 * @param events - what was passed as `events`
 * @throws TypeError when it is not a contract made by `defineEvents`
 */
export function assertEventContract(events: unknown): void {
  const runtime = (events as { '~ssekit'?: { prepareOutgoing?: unknown } } | null)?.['~ssekit']
  if (typeof runtime?.prepareOutgoing !== 'function') {
    throw new TypeError('The events option takes an event contract made by defineEvents().')
  }
}
