import type {
  ContractEvent,
  EventContract,
  ServerSentEvent,
  SSEContractError,
} from '@ssekit/shared'
import type { IncomingResult } from '@ssekit/shared/internal'
import { assertContract, checkEvent } from './check-event.ts'
// For the {@link} tags only.
import type { EventDecoderStream } from './decoder-stream.ts'

/** Options of {@link validateEvents} (and, with `events`, of `readEvents`). */
export interface ValidateEventsOptions {
  /**
   * Called with the `CONTRACT_VIOLATION` error of each event that broke the contract: the event is
   * dropped and the stream goes on (report and continue, as the client's default). Throw from it
   * to stop instead: the stream errors with what it threw. Without it, the first invalid event
   * errors the stream, since a stream has nowhere else to report it.
   */
  onInvalid?: ((error: SSEContractError) => void) | undefined
}

/**
 * A `TransformStream` that holds decoded events to an event contract (`defineEvents`): each event
 * comes out as the contract's union, its data decoded with the contract's codec and validated by
 * its schema, in order (an async validator is awaited before the next event). A type the contract
 * does not know is dropped, or is invalid when its `unknown` policy is `'error'`. An invalid event
 * never comes out: it goes to `onInvalid`, or errors the stream without one.
 *
 * @typeParam Contract - the contract, which types the events that come out
 * @param contract - the contract made by `defineEvents`
 * @param options - `onInvalid`
 * @returns the stream, to pipe an {@link EventDecoderStream}'s output through
 * @throws TypeError when `contract` is not a contract
 *
 * @example
 * ```ts
 * const events = response.body
 *   .pipeThrough(new EventDecoderStream())
 *   .pipeThrough(validateEvents(contract, { onInvalid: (error) => console.warn(error.message) }))
 * for await (const event of events) if (event.event === 'price') console.log(event.data.price)
 * ```
 */
export function validateEvents<Contract extends EventContract>(
  contract: Contract,
  options: ValidateEventsOptions = {},
): TransformStream<ServerSentEvent, ContractEvent<Contract>> {
  assertContract(contract, 'validateEvents(contract)')
  const { onInvalid } = options
  const settle = (
    result: IncomingResult,
    controller: TransformStreamDefaultController<ContractEvent<Contract>>,
  ): void => {
    if (result.kind === 'event') controller.enqueue(result.event as ContractEvent<Contract>)
    else if (result.kind === 'invalid') {
      if (onInvalid === undefined) throw result.error
      onInvalid(result.error)
    }
  }
  return new TransformStream({
    transform(event, controller) {
      // A copy: the events piped in may be the caller's, and checking replaces their data.
      const result = checkEvent(contract, { ...event })
      return result instanceof Promise
        ? result.then((settled) => settle(settled, controller))
        : settle(result, controller)
    },
  })
}
